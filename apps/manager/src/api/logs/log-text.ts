// Writing stored log bytes to an HTTP answer, with backpressure, and finding where a tail should start.
import type { Response } from 'express';
import type { MinioLogStore, StepLogRef } from '@keelson/logs';

/** Writes one piece, waiting for the socket to drain; false when the client went away. */
export async function writeDrained(res: Response, piece: Buffer | string): Promise<boolean> {
  if (res.destroyed || res.writableEnded) return false;
  if (!res.write(piece)) await new Promise<void>((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
  return !res.destroyed;
}

/** Writes every buffer with backpressure; false when the client went away. */
export async function pipeBytes(res: Response, bytes: AsyncIterable<Buffer>): Promise<boolean> {
  for await (const buf of bytes) if (!(await writeDrained(res, buf))) return false;
  return !res.destroyed;
}

const ALIGN_WINDOW = 64 * 1024;

/**
 * A tail opens at the start of a line: from `start`, past the first newline found within 64 KiB (a line longer
 * than that opens where it is). Offset 0 is a line start already.
 */
export async function alignToLine(store: MinioLogStore, ref: StepLogRef, start: number, size: number): Promise<number> {
  if (start <= 0) return 0;
  let at = start - 1; // the byte before: a newline there means `start` is a line start already
  for await (const buf of store.read(ref, at, Math.min(size, start - 1 + ALIGN_WINDOW))) {
    const newline = buf.indexOf(0x0a);
    if (newline >= 0) return at + newline + 1;
    at += buf.length;
  }
  return start;
}
