import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import type { KubeObject } from '@keelson/kube';
import { EventRing, type ResourceChange } from './event-ring';
import { SseStream } from './sse-stream';
import { WatchEnd, WatchSession, type WatchSessionOptions } from './watch-session';

/** A response that records what is written, and can play a client that stops reading. */
class FakeResponse extends EventEmitter {
  statusCode = 0;
  headers: Record<string, string> = {};
  text = '';
  writableLength = 0;
  writableNeedDrain = false;
  destroyed = false;
  ended = false;
  full = false;
  setHeader(k: string, v: string) {
    this.headers[k] = v;
  }
  flushHeaders() {}
  write(chunk: string): boolean {
    this.text += chunk;
    if (this.full) {
      this.writableLength += chunk.length;
      this.writableNeedDrain = true;
      return false;
    }
    return true;
  }
  drain() {
    this.full = false;
    this.writableLength = 0;
    this.writableNeedDrain = false;
    this.emit('drain');
  }
  end() {
    this.ended = true;
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

function push(ring: EventRing, id: string, name = `p-${id}`, namespace = 'demo'): void {
  ring.push({ id, type: 'ADDED', resource: 'pipelines', namespace, name, object: { metadata: { name, namespace, resourceVersion: id } } as KubeObject });
}

const flush = () => new Promise((r) => setImmediate(r));

function session(ring: EventRing, res: FakeResponse, o: Partial<WatchSessionOptions> = {}): WatchSession {
  const s = new WatchSession({
    ring, stream: new SseStream(res as unknown as ServerResponse), select: (c) => c.type, authorize: () => true, recheck: async () => undefined,
    present: (c: ResourceChange) => c.object, subscribed: { resources: ['pipelines'] }, heartbeatMs: 15_000, maxPending: 3, maxBufferedBytes: 1 << 20, ...o,
  });
  s.start();
  return s;
}

describe('WatchSession', () => {
  let ring: EventRing;
  beforeEach(() => {
    ring = new EventRing(100);
    ring.reset('10');
  });
  afterEach(() => jest.useRealTimers());

  it('opens with SUBSCRIBED at the current id, then sends each change with its id', async () => {
    const res = new FakeResponse();
    session(ring, res);
    push(ring, '11');
    await flush();
    expect(res.headers['Content-Type']).toBe('text/event-stream; charset=utf-8');
    expect(res.frames()).toEqual([
      { id: '10', event: 'SUBSCRIBED', data: { resources: ['pipelines'], resourceVersion: '10' } },
      { id: '11', event: 'ADDED', data: { metadata: { name: 'p-11', namespace: 'demo', resourceVersion: '11' } } },
    ]);
    res.end();
  });

  it('replays what came after the resume point before anything new', async () => {
    push(ring, '11');
    push(ring, '12');
    const res = new FakeResponse();
    session(ring, res, { resumeFrom: '11' });
    push(ring, '13');
    await flush();
    expect(res.frames().map((f) => f.id)).toEqual(['11', '12', '13']);
    res.end();
  });

  it('answers a resume point it cannot reach with ERROR 410 and ends', () => {
    const res = new FakeResponse();
    const ended: string[] = [];
    session(ring, res, { resumeFrom: '3', onEnd: (r) => ended.push(r) });
    expect(res.frames()).toEqual([{ event: 'ERROR', data: expect.objectContaining({ code: 410, reason: 'Expired' }) }]);
    expect(res.ended).toBe(true);
    expect(ended).toEqual(['Expired']);
  });

  it('sends only what the caller may see, in order, when the decision takes a while', async () => {
    const res = new FakeResponse();
    session(ring, res, { authorize: (c) => (c.namespace === 'demo' ? true : new Promise((r) => setTimeout(() => r(false), 5))) });
    push(ring, '11', 'a', 'other');
    push(ring, '12', 'b', 'demo');
    await new Promise((r) => setTimeout(r, 20));
    expect(res.frames().map((f) => f.id)).toEqual(['10', '12']);
    res.end();
  });

  it('waits for a full socket, and disconnects a client that falls more than maxPending changes behind', async () => {
    const res = new FakeResponse();
    const ended: string[] = [];
    const s = session(ring, res, { onEnd: (r) => ended.push(r) });
    res.full = true;
    push(ring, '11');
    await flush();
    for (const id of ['12', '13', '14']) push(ring, id);
    expect(res.destroyed).toBe(false);
    push(ring, '15');
    expect(res.destroyed).toBe(true);
    expect(ended).toEqual(['more than 3 changes waiting']);
    void s;
  });

  it('goes on once the socket drains', async () => {
    const res = new FakeResponse();
    session(ring, res);
    res.full = true;
    push(ring, '11');
    push(ring, '12');
    await flush();
    expect(res.frames().map((f) => f.id)).toEqual(['10', '11']);
    res.drain();
    await flush();
    expect(res.frames().map((f) => f.id)).toEqual(['10', '11', '12']);
    res.end();
  });

  it('sends a heartbeat comment, a bookmark past changes it did not show, and unsubscribes when the client goes', async () => {
    jest.useFakeTimers();
    const res = new FakeResponse();
    session(ring, res, { select: () => undefined });
    push(ring, '11');
    await jest.advanceTimersByTimeAsync(15_000);
    expect(res.text).toContain(': heartbeat\n\n');
    expect(res.frames().map((f) => [f.event, f.id])).toEqual([['SUBSCRIBED', '10'], ['BOOKMARK', '11']]);
    await jest.advanceTimersByTimeAsync(15_000);
    expect(res.frames()).toHaveLength(2);
    res.emit('close');
    push(ring, '12');
    await jest.advanceTimersByTimeAsync(30_000);
    expect(res.text.match(/heartbeat/g)).toHaveLength(2);
  });

  it('ends with the reason when the re-check at a heartbeat fails', async () => {
    jest.useFakeTimers();
    const res = new FakeResponse();
    session(ring, res, { recheck: async () => { throw new WatchEnd(403, 'Forbidden', 'no longer'); } });
    await jest.advanceTimersByTimeAsync(15_000);
    expect(res.frames().at(-1)).toEqual({ event: 'ERROR', data: expect.objectContaining({ code: 403, reason: 'Forbidden', message: 'no longer' }) });
    expect(res.ended).toBe(true);
  });
});
