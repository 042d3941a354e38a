import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { LogError, type MinioLogStore, type StepLogRef } from '@keelson/logs';
import type { LogEvents } from '../../logs/log-events';
import { SseStream } from '../resources/sse-stream';
import { logEventSink } from './log-event-sink';
import { followLog } from './log-follower';

/** A response that records the frames written, and can play a client that stops reading or goes. */
class FakeResponse extends EventEmitter {
  statusCode = 0;
  text = '';
  writableLength = 0;
  writableNeedDrain = false;
  destroyed = false;
  full = false;
  setHeader() {}
  flushHeaders() {}
  write(chunk: string): boolean {
    this.text += chunk;
    if (!this.full) return true;
    this.writableNeedDrain = true;
    return false;
  }
  drain() {
    this.full = false;
    this.writableNeedDrain = false;
    this.emit('drain');
  }
  end() {
    this.emit('close');
  }
  destroy() {
    this.destroyed = true;
    this.emit('close');
  }
  frames(): Array<{ id?: string; event?: string; data: any }> {
    return this.text.split('\n\n').filter((f) => f && !f.startsWith(':') && !f.startsWith('retry')).map((f) => {
      const get = (k: string) => f.split('\n').find((l) => l.startsWith(`${k}: `))?.slice(k.length + 2);
      return { id: get('id'), event: get('event'), data: JSON.parse(get('data')!) };
    });
  }
}

const REF: StepLogRef = { namespace: 'demo', pipeline: 'web', run: 3, stage: 1, step: 0 };

/** A log store holding one step's bytes, sealed or not, or not answering. */
interface FakeStore {
  bytes: Buffer;
  sealed: { size: number; partial: boolean } | undefined;
  down: boolean;
  store: MinioLogStore;
}

function fakeStore(): FakeStore {
  const s: FakeStore = {
    bytes: Buffer.alloc(0), sealed: undefined as { size: number; partial: boolean } | undefined, down: false,
    store: {
      view: async () => {
        if (s.down) throw new LogError('Unavailable', 'minio down');
        return { size: s.bytes.length, sealed: s.sealed };
      },
      read: (_ref: StepLogRef, start = 0, end = s.bytes.length) => (async function* () {
        if (end > start) yield s.bytes.subarray(start, end);
      })(),
    } as unknown as MinioLogStore,
  };
  return s;
}

/** Wake-ups as this process' archiver sends them when it stores a chunk. */
function fakeEvents() {
  const watchers = new Set<() => void>();
  return {
    events: { watch: (_ref: StepLogRef, fn: () => void) => (watchers.add(fn), () => watchers.delete(fn)) } as unknown as LogEvents,
    stored: () => { for (const w of watchers) w(); },
    get watching() { return watchers.size; },
  };
}

const flush = async () => { for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r)); };
const never = { stepAbandoned: async () => false };

describe('a followed log on the events stream', () => {
  it('sends whole lines as LOG frames without an id, each with the offset after it, and LOG_END once sealed', async () => {
    const res = new FakeResponse();
    const stream = new SseStream(res as unknown as ServerResponse);
    const s = fakeStore();
    const wake = fakeEvents();
    s.bytes = Buffer.from('one\ntwo\nthr');
    const done = followLog(logEventSink(stream, 'web-3', REF), s.store, wake.events, REF, 4, never);
    await flush();
    expect(res.frames()).toEqual([{ event: 'LOG', data: { namespace: 'demo', execution: 'web-3', stage: 1, step: 0, offset: 8, text: 'two\n' } }]);
    s.bytes = Buffer.from('one\ntwo\nthree\nfo');
    wake.stored();
    await flush();
    expect(res.frames().at(-1)).toMatchObject({ event: 'LOG', data: { offset: 14, text: 'three\n' } });
    s.bytes = Buffer.from('one\ntwo\nthree\nfour');
    s.sealed = { size: s.bytes.length, partial: false };
    wake.stored();
    await done;
    expect(res.frames().slice(-2)).toEqual([
      { event: 'LOG', data: expect.objectContaining({ offset: 18, text: 'four' }) },
      { event: 'LOG_END', data: { namespace: 'demo', execution: 'web-3', stage: 1, step: 0, offset: 18, size: 18, complete: true } },
    ]);
    expect(res.frames().every((f) => f.id === undefined)).toBe(true);
    expect(wake.watching).toBe(0);
  });

  it('says LOG_UNAVAILABLE while the store does not answer and goes on once it does', async () => {
    const res = new FakeResponse();
    const s = fakeStore();
    const wake = fakeEvents();
    s.down = true;
    const done = followLog(logEventSink(new SseStream(res as unknown as ServerResponse), 'web-3', REF), s.store, wake.events, REF, 0, never);
    await flush();
    expect(res.frames()).toEqual([{ event: 'LOG_UNAVAILABLE', data: expect.objectContaining({ reason: 'log temporarily unavailable' }) }]);
    s.down = false;
    s.bytes = Buffer.from('back\n');
    s.sealed = { size: 5, partial: true };
    wake.stored();
    await done;
    expect(res.frames().slice(1).map((f) => [f.event, f.data.text ?? f.data.complete])).toEqual([['LOG', 'back\n'], ['LOG_END', false]]);
  });

  it('waits for a full socket to drain before the next frame, and stops following when the stream ends', async () => {
    const res = new FakeResponse();
    const stream = new SseStream(res as unknown as ServerResponse);
    const s = fakeStore();
    const wake = fakeEvents();
    s.bytes = Buffer.from('a\n');
    res.full = true;
    let ended = false;
    const done = followLog(logEventSink(stream, 'web-3', REF), s.store, wake.events, REF, 0, never).then(() => (ended = true));
    await flush();
    s.bytes = Buffer.from('a\nb\n');
    wake.stored();
    await flush();
    expect(res.frames().map((f) => f.data.text)).toEqual(['a\n']); // b waits for the socket
    res.drain();
    await flush();
    expect(res.frames().map((f) => f.data.text)).toEqual(['a\n', 'b\n']);
    expect(ended).toBe(false);
    res.end(); // the client went, or the watch ended the stream
    await done;
    expect(wake.watching).toBe(0);
  });
});
