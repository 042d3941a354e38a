import { EventEmitter } from 'node:events';
import type { Response } from 'express';
import { LogError, type MinioLogStore, type StepLogRef } from '@keelson/logs';
import { followStepLog } from './log-response-sink';

/** An express response that records what is written. */
class FakeResponse extends EventEmitter {
  statusCode = 0;
  headers: Record<string, string> = {};
  text = '';
  destroyed = false;
  writableEnded = false;
  status(code: number) {
    this.statusCode = code;
    return this;
  }
  setHeader(k: string, v: string) {
    this.headers[k] = v;
  }
  flushHeaders() {}
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
  end() {
    this.writableEnded = true;
    this.emit('close');
  }
}

const REF: StepLogRef = { namespace: 'demo', pipeline: 'web', run: 3, stage: 0, step: 0 };

describe('the logs route\'s own SSE stream (unchanged by the LogSink refactor)', () => {
  it('frames lines as JSON strings with the byte offset as id, unavailable without one, end with its offset, then ends', async () => {
    const res = new FakeResponse();
    let views = 0;
    const bytes = Buffer.from('héllo\nworld');
    const store = {
      view: async () => {
        if (++views === 2) throw new LogError('Unavailable', 'down');
        return { size: bytes.length, sealed: views >= 3 ? { size: bytes.length, partial: false } : undefined };
      },
      read: (_ref: StepLogRef, start = 0, end = bytes.length) => (async function* () {
        if (end > start) yield bytes.subarray(start, end);
      })(),
    } as unknown as MinioLogStore;
    const wake = new Set<() => void>();
    const events = { watch: (_r: StepLogRef, fn: () => void) => (wake.add(fn), () => wake.delete(fn)) };
    const done = followStepLog(res as unknown as Response, store, events as never, REF, 0, { stepAbandoned: async () => false, pollMs: 1 });
    await done;
    expect(res.headers['Content-Type']).toBe('text/event-stream; charset=utf-8');
    expect(res.text).toBe([
      'retry: 2000\n\n',
      `id: 7\ndata: ${JSON.stringify('héllo\n')}\n\n`,
      'event: unavailable\ndata: {"reason":"log temporarily unavailable"}\n\n',
      `id: 12\ndata: ${JSON.stringify('world')}\n\n`,
      'event: end\nid: 12\ndata: {"size":12,"complete":true}\n\n',
    ].join(''));
    expect(res.writableEnded).toBe(true);
    expect(wake.size).toBe(0);
  });
});
