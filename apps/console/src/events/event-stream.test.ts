import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SseEvent } from './sse-parser';
import { EventStream, type StreamState } from './event-stream';

/** A fetch whose every call opens a stream the test writes to; it records each call's headers and signal. */
function fakeServer() {
  const calls: Array<{ headers: Record<string, string>; signal: AbortSignal; write: (s: string) => void; end: () => void }> = [];
  const fetchFn = vi.fn(async (_url: RequestInfo | URL, init?: RequestInit) => {
    let controller!: ReadableStreamDefaultController<Uint8Array>;
    const body = new ReadableStream<Uint8Array>({ start: (c) => { controller = c; } });
    const signal = init!.signal!;
    signal.addEventListener('abort', () => controller.error(new DOMException('aborted', 'AbortError')));
    calls.push({
      headers: init!.headers as Record<string, string>, signal,
      write: (s) => controller.enqueue(new TextEncoder().encode(s)), end: () => controller.close(),
    });
    return new Response(body, { status: 200, headers: { 'Content-Type': 'text/event-stream' } });
  });
  return { calls, fetchFn: fetchFn as unknown as typeof fetch };
}

function fakeDocument() {
  const listeners = new Set<() => void>();
  return {
    hidden: false,
    addEventListener: (_: string, l: () => void) => listeners.add(l),
    removeEventListener: (_: string, l: () => void) => listeners.delete(l),
    setHidden(h: boolean) {
      this.hidden = h;
      for (const l of listeners) l();
    },
  };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('EventStream', () => {
  afterEach(() => vi.useRealTimers());

  function setup() {
    const server = fakeServer();
    const doc = fakeDocument();
    const events: SseEvent[] = [];
    const states: StreamState[] = [];
    const resync = vi.fn();
    const stream = new EventStream({
      url: () => '/api/v1/events', headers: () => ({ Authorization: 'Bearer t' }), onEvent: (e) => events.push(e), onResync: resync,
      onState: (s) => states.push(s), doc: doc as unknown as Document, fetchFn: server.fetchFn, backoff: { baseMs: 10, maxMs: 40 }, random: () => 1,
    });
    return { server, doc, events, states, resync, stream };
  }

  it('opens one connection with the token, passes events on and resyncs once on a fresh start', async () => {
    const { server, events, resync, stream } = setup();
    stream.start();
    stream.start(); // idempotent: still one connection
    await tick();
    expect(server.calls).toHaveLength(1);
    expect(server.calls[0].headers).toMatchObject({ Authorization: 'Bearer t', Accept: 'text/event-stream' });
    expect(server.calls[0].headers['Last-Event-ID']).toBeUndefined();
    server.calls[0].write('id: 10\nevent: SUBSCRIBED\ndata: {}\n\nid: 11\nevent: MODIFIED\ndata: {"kind":"Pipeline"}\n\n');
    await tick();
    expect(events.map((e) => [e.event, e.id])).toEqual([['SUBSCRIBED', '10'], ['MODIFIED', '11']]);
    expect(resync).toHaveBeenCalledTimes(1);
    stream.stop();
  });

  it('closes the connection while the tab is hidden and resumes with Last-Event-ID when it shows', async () => {
    const { server, doc, states, resync, stream } = setup();
    stream.start();
    await tick();
    server.calls[0].write('id: 42\nevent: MODIFIED\ndata: {}\n\n');
    await tick();
    doc.setHidden(true);
    expect(server.calls[0].signal.aborted).toBe(true);
    expect(stream.state).toBe('paused');
    await tick();
    expect(server.calls).toHaveLength(1); // nothing open while hidden
    doc.setHidden(false);
    await tick();
    expect(server.calls).toHaveLength(2);
    expect(server.calls[1].headers['Last-Event-ID']).toBe('42');
    expect(resync).toHaveBeenCalledTimes(1); // a resume does not refetch everything
    expect(states).toContain('paused');
    expect(stream.state).toBe('open');
    stream.stop();
  });

  it('does not connect while started hidden', async () => {
    const { server, doc, stream } = setup();
    doc.hidden = true;
    stream.start();
    await tick();
    expect(server.calls).toHaveLength(0);
    expect(stream.state).toBe('paused');
    stream.stop();
  });

  it('reconnects with backoff after the server ends the stream, from the last id', async () => {
    const { server, stream } = setup();
    stream.start();
    await tick();
    server.calls[0].write('id: 5\nevent: ADDED\ndata: {}\n\n');
    server.calls[0].end();
    await tick();
    expect(stream.state).toBe('retrying');
    expect(server.calls).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 30));
    expect(server.calls).toHaveLength(2);
    expect(server.calls[1].headers['Last-Event-ID']).toBe('5');
    stream.stop();
  });

  it('after ERROR 410 (resume point expired) starts fresh at once and resyncs', async () => {
    const { server, resync, stream } = setup();
    stream.start();
    await tick();
    server.calls[0].write('id: 5\nevent: ADDED\ndata: {}\n\nevent: ERROR\ndata: {"code":410,"reason":"Expired"}\n\n');
    server.calls[0].end();
    await tick();
    await tick();
    expect(server.calls).toHaveLength(2);
    expect(server.calls[1].headers['Last-Event-ID']).toBeUndefined();
    await tick();
    expect(resync).toHaveBeenCalledTimes(2);
    stream.stop();
  });

  it('stops and reports a 401 instead of retrying', async () => {
    const onUnauthenticated = vi.fn();
    const fetchFn = vi.fn(async () => new Response(JSON.stringify({ type: 'x', title: 'Unauthenticated', status: 401, detail: 'no token' }), { status: 401, headers: { 'Content-Type': 'application/problem+json' } }));
    const stream = new EventStream({
      url: () => '/e', headers: () => ({}), onEvent: () => undefined, onResync: () => undefined, onUnauthenticated,
      doc: fakeDocument() as unknown as Document, fetchFn: fetchFn as unknown as typeof fetch, backoff: { baseMs: 1, maxMs: 1 },
    });
    stream.start();
    await new Promise((r) => setTimeout(r, 20));
    expect(onUnauthenticated).toHaveBeenCalledTimes(1);
    expect(fetchFn).toHaveBeenCalledTimes(1);
    expect(stream.state).toBe('stopped');
  });
});
