// Following a step's log as Server-Sent Events (issue 12 §2). Each event carries whole lines, its data a JSON
// string (SSE cannot carry a bare CR), its id the byte offset just after them: a client that reconnects with
// Last-Event-ID continues exactly there, with no line lost or doubled. A comment line every 15 s keeps proxies
// from closing the stream; `event: end` says the step's log is sealed and nothing more will come. Live chunks
// and the sealed log answer through the same store reads, so a reader never knows which it got.
import type { Response } from 'express';
import { isLogUnavailable, type MinioLogStore, type StepLogRef } from '@keelson/logs';
import type { LogEvents } from '../../logs/log-events';
import { writeDrained } from './log-text';

export interface FollowOptions {
  heartbeatMs?: number;
  /** How often the store is looked at without a wake-up from this process' archiver (other replicas). */
  pollMs?: number;
  /** Asked now and then: true once the step will never get a (sealed) log, e.g. skipped, or given up. */
  stepAbandoned(): Promise<boolean>;
  /**
   * Asks the execution's sync job to run now (at most every `nudgeMs`) while the step is live: a followed step is
   * read from Jenkins at that pace instead of the sync loop's backed-off one.
   */
  nudge?: () => Promise<void>;
  nudgeMs?: number;
}

/** Events are cut at line ends; a line longer than this is sent in pieces cut at character boundaries. */
const MAX_EVENT_BYTES = 256 * 1024;

export async function followStepLog(res: Response, store: MinioLogStore, events: LogEvents | undefined, ref: StepLogRef, start: number, options: FollowOptions): Promise<void> {
  res.status(200);
  res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
  res.setHeader('Cache-Control', 'no-cache, no-store, no-transform');
  res.setHeader('Connection', 'keep-alive');
  res.setHeader('X-Accel-Buffering', 'no');
  res.flushHeaders();
  res.socket?.setNoDelay(true);
  res.write('retry: 2000\n\n');

  let closed = false;
  let wake: (() => void) | undefined;
  const nudge = () => wake?.();
  res.on('close', () => {
    closed = true;
    nudge();
  });
  const unwatch = events?.watch(ref, nudge);
  const heartbeat = setInterval(() => {
    if (!closed) res.write(': keep-alive\n\n');
  }, options.heartbeatMs ?? 15_000);
  let at = start;
  /** Bytes after `at` read but not sent yet: the start of a line whose end has not been stored. */
  let pending: Buffer = Buffer.alloc(0);
  let lastCheck = Date.now();
  let lastNudge = 0;
  try {
    while (!closed) {
      let sealed: { size: number; partial: boolean } | undefined;
      try {
        const view = await store.view(ref);
        sealed = view.sealed;
        for await (const buf of store.read(ref, at + pending.length, view.size)) {
          pending = pending.length === 0 ? buf : Buffer.concat([pending, buf]);
          const cut = sendable(pending);
          if (cut > 0) {
            if (!(await emit(res, undefined, String(at + cut), JSON.stringify(pending.subarray(0, cut).toString('utf8'))))) return;
            at += cut;
            pending = pending.subarray(cut);
          }
        }
        // The sealed log may end without a newline: its last line goes too.
        if (sealed && pending.length > 0 && at + pending.length >= sealed.size) {
          if (!(await emit(res, undefined, String(at + pending.length), JSON.stringify(pending.toString('utf8'))))) return;
          at += pending.length;
          pending = Buffer.alloc(0);
        }
      } catch (err) {
        if (!isLogUnavailable(err)) throw err;
        await emit(res, 'unavailable', undefined, JSON.stringify({ reason: 'log temporarily unavailable' }));
      }
      if (sealed && at >= sealed.size) {
        await emit(res, 'end', String(at), JSON.stringify({ size: sealed.size, complete: !sealed.partial }));
        break;
      }
      const nudgeMs = options.nudgeMs ?? 250;
      if (options.nudge && Date.now() - lastNudge >= nudgeMs) {
        lastNudge = Date.now();
        options.nudge().catch(() => undefined); // best effort: the sync job's own polls go on regardless
      }
      if (Date.now() - lastCheck > 5_000) {
        lastCheck = Date.now();
        if (await options.stepAbandoned()) {
          await emit(res, 'end', String(at), JSON.stringify({ size: at, complete: false }));
          break;
        }
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, options.nudge ? Math.min(options.pollMs ?? 1_000, nudgeMsOf(options)) : options.pollMs ?? 1_000);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
    }
  } finally {
    clearInterval(heartbeat);
    unwatch?.();
    if (!res.writableEnded) res.end();
  }
}

function nudgeMsOf(options: FollowOptions): number {
  return options.nudgeMs ?? 250;
}

/** How many bytes of `pending` make whole lines (or, for an overlong line, whole characters). */
function sendable(pending: Buffer): number {
  const newline = pending.lastIndexOf(0x0a);
  if (newline >= 0) return newline + 1;
  if (pending.length < MAX_EVENT_BYTES) return 0;
  let cut = MAX_EVENT_BYTES;
  while (cut > 0 && (pending[cut] & 0xc0) === 0x80) cut--; // not inside a UTF-8 sequence
  return cut;
}

/** Writes one event with backpressure; false when the client went away. */
function emit(res: Response, type: string | undefined, id: string | undefined, data: string): Promise<boolean> {
  return writeDrained(res, `${type ? `event: ${type}\n` : ''}${id !== undefined ? `id: ${id}\n` : ''}data: ${data}\n\n`);
}
