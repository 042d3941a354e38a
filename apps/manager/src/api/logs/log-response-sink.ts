// The logs route's own Server-Sent Events stream of a followed step (GET …/logs with Accept: text/event-stream):
// each event's data a JSON string of whole lines (SSE cannot carry a bare CR), its id the byte offset just after
// them, so Last-Event-ID resumes exactly there; `event: unavailable` while the store does not answer; a comment
// line every 15 s keeps proxies from closing the stream; `event: end` once nothing more will come.
import type { Response } from 'express';
import type { MinioLogStore, StepLogRef } from '@keelson/logs';
import type { LogEvents } from '../../logs/log-events';
import { followLog, type FollowOptions, type LogSink } from './log-follower';
import { writeDrained } from './log-text';

export async function followStepLog(res: Response, store: MinioLogStore, events: LogEvents | undefined, ref: StepLogRef, start: number, options: FollowOptions & { heartbeatMs?: number }): Promise<void> {
  res.status(200);
  res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
  res.setHeader('Cache-Control', 'no-cache, no-store, no-transform');
  res.setHeader('Connection', 'keep-alive');
  res.setHeader('X-Accel-Buffering', 'no');
  res.flushHeaders();
  res.socket?.setNoDelay(true);
  res.write('retry: 2000\n\n');
  const sink = responseSink(res);
  const heartbeat = setInterval(() => {
    if (!sink.closed) res.write(': keep-alive\n\n');
  }, options.heartbeatMs ?? 15_000);
  try {
    await followLog(sink, store, events, ref, start, options);
  } finally {
    clearInterval(heartbeat);
    if (!res.writableEnded) res.end();
  }
}

function responseSink(res: Response): LogSink {
  let closed = false;
  const handlers: Array<() => void> = [];
  res.on('close', () => {
    closed = true;
    for (const h of handlers.splice(0)) h();
  });
  const emit = (type: string | undefined, id: string | undefined, data: string) =>
    writeDrained(res, `${type ? `event: ${type}\n` : ''}${id !== undefined ? `id: ${id}\n` : ''}data: ${data}\n\n`);
  return {
    get closed() {
      return closed || res.destroyed;
    },
    onClose: (handler) => (closed ? handler() : void handlers.push(handler)),
    text: (text, offset) => emit(undefined, String(offset), JSON.stringify(text)),
    unavailable: () => emit('unavailable', undefined, JSON.stringify({ reason: 'log temporarily unavailable' })),
    end: async (offset, size, complete) => void (await emit('end', String(offset), JSON.stringify({ size, complete }))),
  };
}
