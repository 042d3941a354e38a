// Reads a delivery's bytes ourselves, so the signature is checked on exactly what was sent, before anything
// parses it, and a sender cannot hold the server: a body over the cap is cut at the cap (413), a sender that
// stalls or trickles is cut at the deadline (408), and compressed bodies are refused (a zip bomb is small).
import type { IncomingMessage } from 'node:http';
import { HookError } from './hook-error';

export interface RawBodyLimits {
  maxBytes: number;
  /** The whole body must have arrived by then: a slowloris sending a byte a second never finishes. */
  deadlineMs: number;
}

/** 1 MiB: GitHub caps payloads at 25 MB but drops larger pushes' commits; providers' push bodies are far smaller. */
export const DEFAULT_BODY_LIMITS: RawBodyLimits = { maxBytes: 1024 * 1024, deadlineMs: 10_000 };

export function readRawBody(req: IncomingMessage, limits: RawBodyLimits = DEFAULT_BODY_LIMITS): Promise<Buffer> {
  const encoding = (req.headers['content-encoding'] ?? 'identity').toString().trim().toLowerCase();
  if (encoding !== 'identity' && encoding !== '') return Promise.reject(new HookError(415, `Content-Encoding ${JSON.stringify(encoding.slice(0, 50))} is not accepted; send the body uncompressed`));
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limits.maxBytes) {
    return Promise.reject(new HookError(413, `the body is ${declared} bytes; at most ${limits.maxBytes} are accepted`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (err: HookError | undefined, body?: Buffer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.off('data', onData).off('end', onEnd).off('error', onError).off('aborted', onAborted);
      if (err) {
        // Stop reading: the answer goes out and the connection closes instead of draining an attacker's stream.
        req.pause();
        reject(err);
      } else resolve(body!);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limits.maxBytes) finish(new HookError(413, `the body is over ${limits.maxBytes} bytes`));
      else chunks.push(chunk);
    };
    const onEnd = () => finish(undefined, Buffer.concat(chunks, size));
    const onError = () => finish(new HookError(400, 'the body could not be read'));
    const onAborted = () => finish(new HookError(400, 'the sender closed the connection before the body ended'));
    const timer = setTimeout(() => finish(new HookError(408, `the body did not arrive within ${limits.deadlineMs} ms`)), limits.deadlineMs);
    req.on('data', onData).on('end', onEnd).on('error', onError).on('aborted', onAborted);
  });
}
