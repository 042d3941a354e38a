import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SseEvent } from './sse-parser';
import { EventStream, type StreamState } from './event-stream';

/** A fetch whose every call opens a stream the test writes to; it records each call's headers and signal. */
function fakeServer() {
  const calls: Array<{ url: string; headers: Record<string, string>; signal: AbortSignal; write: (s: string) => void; end: () => void }> = [];
  const fetchFn = vi.fn(async (url: RequestInfo | URL, init?: RequestInit) => {
    let controller!: ReadableStreamDefaultController<Uint8Array>;
    const body = new ReadableStream<Uint8Array>({ start: (c) => { controller = c; } });
    const signal = init!.signal!;
    signal.addEventListener('abort', () => controller.error(new DOMException('aborted', 'AbortError')));
    calls.push({
      url: String(url), headers: init!.headers as Record<string, string>, signal,
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
/** A replaced connection is let go a task before the next opens: a few ticks. */
const settle = async () => { for (let i = 0; i < 3; i++) await tick(); };

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

describe('EventStream carrying a followed step log', () => {
  afterEach(() => vi.useRealTimers());
  const STEP = { ns: 'demo', name: 'web-3', stage: 1, step: 0 };
  const frame = (event: string, data: Record<string, unknown>, step = STEP) =>
    `event: ${event}\ndata: ${JSON.stringify({ namespace: step.ns, execution: step.name, stage: step.stage, step: step.step, ...data })}\n\n`;

  function setup() {
    const server = fakeServer();
    const doc = fakeDocument();
    const events: SseEvent[] = [];
    const resync = vi.fn();
    const stream = new EventStream({
      url: () => '/api/v1/events', headers: () => ({}), onEvent: (e) => events.push(e), onResync: resync,
      doc: doc as unknown as Document, fetchFn: server.fetchFn, backoff: { baseMs: 10, maxMs: 40 }, random: () => 1,
    });
    const log = { text: [] as Array<[string, number]>, unavailable: 0, ends: [] as unknown[], refused: [] as unknown[], states: [] as StreamState[] };
    const handler = {
      onText: (text: string, offset: number) => void log.text.push([text, offset]),
      onUnavailable: () => void log.unavailable++,
      onEnd: (end: unknown) => void log.ends.push(end),
      onRefused: (err: unknown) => void log.refused.push(err),
      onStreamState: (s: StreamState) => void log.states.push(s),
    };
    return { server, doc, events, resync, stream, log, handler };
  }

  it('reconnects the one stream with the log in its URL, resuming the resources by Last-Event-ID', async () => {
    const { server, events, resync, stream, log, handler } = setup();
    stream.start();
    await tick();
    server.calls[0].write('id: 7\nevent: SUBSCRIBED\ndata: {}\n\n');
    await tick();
    stream.followLog(STEP, 120, handler);
    await settle();
    expect(server.calls).toHaveLength(2);
    expect(server.calls[0].signal.aborted).toBe(true); // never two at once
    expect(server.calls[1].url).toBe('/api/v1/events?log=demo%2Fweb-3%2F1%2F0&logFrom=120');
    expect(server.calls[1].headers['Last-Event-ID']).toBe('7');
    server.calls[1].write(`${frame('LOG', { offset: 130, text: 'a\nb\n' })}id: 8\nevent: MODIFIED\ndata: {}\n\n${frame('LOG_UNAVAILABLE', {})}`);
    await tick();
    expect(log.text).toEqual([['a\nb\n', 130]]);
    expect(log.unavailable).toBe(1);
    expect(events.map((e) => e.event)).toEqual(['SUBSCRIBED', 'MODIFIED']); // log frames are not resource changes
    expect(resync).toHaveBeenCalledTimes(1);
    expect(stream.resumeId).toBe('8'); // log frames have no id: the resources' position is untouched
    expect(log.states).toContain('open');
    stream.stop();
  });

  it('asks for the log again from the bytes received after a drop and after a hidden tab, none while hidden', async () => {
    const { server, doc, stream, log, handler } = setup();
    stream.followLog(STEP, 0, handler);
    stream.start();
    await tick();
    expect(server.calls[0].url).toContain('logFrom=0');
    server.calls[0].write(`id: 3\nevent: SUBSCRIBED\ndata: {}\n\n${frame('LOG', { offset: 50, text: 'x\n' })}`);
    server.calls[0].end();
    await new Promise((r) => setTimeout(r, 30));
    expect(server.calls).toHaveLength(2);
    expect(server.calls[1].url).toContain('logFrom=50');
    server.calls[1].write(frame('LOG', { offset: 60, text: 'y\n' }));
    await tick();
    doc.setHidden(true);
    expect(log.states.at(-1)).toBe('paused');
    await tick();
    expect(server.calls).toHaveLength(2);
    doc.setHidden(false);
    await tick();
    expect(server.calls).toHaveLength(3);
    expect(server.calls[2].url).toContain('logFrom=60');
    expect(server.calls[2].headers['Last-Event-ID']).toBe('3');
    stream.stop();
  });

  it('drops frames of another step, and leaves the log out once LOG_END came', async () => {
    const { server, stream, log, handler } = setup();
    stream.start();
    stream.followLog(STEP, 0, handler);
    await settle();
    const open = server.calls.at(-1)!;
    open.write(frame('LOG', { offset: 9, text: 'other\n' }, { ...STEP, step: 1 }) + frame('LOG', { offset: 4, text: 'mine\n' }) + frame('LOG_END', { offset: 4, size: 4, complete: true }));
    await tick();
    expect(log.text).toEqual([['mine\n', 4]]);
    expect(log.ends).toEqual([{ size: 4, complete: true }]);
    open.end();
    await new Promise((r) => setTimeout(r, 30));
    expect(server.calls.at(-1)!.url).toBe('/api/v1/events');
    stream.stop();
  });

  it('switching steps within the grace is one reconnect; an unfollow alone reconnects without the log after it', async () => {
    vi.useFakeTimers();
    const { server, stream, handler } = setup();
    stream.start();
    await vi.advanceTimersByTimeAsync(0);
    const unfollowFirst = stream.followLog({ ...STEP, step: 1 }, 0, handler);
    await vi.advanceTimersByTimeAsync(0);
    expect(server.calls).toHaveLength(2);
    unfollowFirst(); // the old page unmounts…
    await vi.advanceTimersByTimeAsync(1_000);
    const unfollow = stream.followLog({ ...STEP, step: 2 }, 10, handler); // …the new one follows once it read its index
    await vi.advanceTimersByTimeAsync(5_000);
    expect(server.calls).toHaveLength(3); // one reconnect for the switch
    expect(server.calls[2].url).toContain('log=demo%2Fweb-3%2F1%2F2&logFrom=10');
    expect(server.calls[1].signal.aborted).toBe(true);
    unfollow();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(server.calls).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(3_000);
    expect(server.calls).toHaveLength(4);
    expect(server.calls[3].url).toBe('/api/v1/events');
    stream.stop();
  });

  it('opens the next connection only once the one it replaces is let go', async () => {
    const { server, stream, handler } = setup();
    stream.start();
    await tick();
    stream.followLog(STEP, 0, handler);
    expect(server.calls).toHaveLength(1); // not in the same task as the abort
    expect(server.calls[0].signal.aborted).toBe(true);
    await settle();
    expect(server.calls).toHaveLength(2);
    stream.followLog({ ...STEP, step: 1 }, 0, handler);
    stream.followLog({ ...STEP, step: 2 }, 0, handler); // switched again before the first switch opened: one fetch
    await settle();
    expect(server.calls.map((c) => c.url.match(/log=[^&]+/)?.[0])).toEqual([undefined, 'log=demo%2Fweb-3%2F1%2F0', 'log=demo%2Fweb-3%2F1%2F2']);
    stream.stop();
  });

  it('a refused log (403) is reported and the stream goes on without it at once', async () => {
    const refused = new Response(JSON.stringify({ type: 'x', title: 'Forbidden', status: 403, detail: 'log: you may not read the logs' }), { status: 403, headers: { 'Content-Type': 'application/problem+json' } });
    const server = fakeServer();
    const urls: string[] = [];
    const fetchFn = (async (url: RequestInfo | URL, init?: RequestInit) => {
      urls.push(String(url));
      return String(url).includes('log=') ? refused : server.fetchFn(url, init);
    }) as typeof fetch;
    const stream = new EventStream({ url: () => '/api/v1/events', headers: () => ({}), onEvent: () => undefined, onResync: () => undefined, doc: fakeDocument() as unknown as Document, fetchFn });
    const onRefused = vi.fn();
    stream.followLog(STEP, 0, { onText: () => undefined, onUnavailable: () => undefined, onEnd: () => undefined, onRefused });
    stream.start();
    await tick();
    await tick();
    expect(onRefused).toHaveBeenCalledWith(expect.objectContaining({ status: 403 }));
    expect(urls).toEqual(['/api/v1/events?log=demo%2Fweb-3%2F1%2F0&logFrom=0', '/api/v1/events']);
    expect(stream.state).toBe('open');
    stream.stop();
  });
});

describe('EventStream following a log while it waits out a backoff', () => {
  it('does not cut the backoff short: the retry carries the log', async () => {
    vi.useFakeTimers();
    try {
      const server = fakeServer();
      const stream = new EventStream({
        url: () => '/api/v1/events', headers: () => ({}), onEvent: () => undefined, onResync: () => undefined,
        doc: fakeDocument() as unknown as Document, fetchFn: server.fetchFn, backoff: { baseMs: 1_000, maxMs: 1_000 }, random: () => 1,
      });
      stream.start();
      await vi.advanceTimersByTimeAsync(0);
      server.calls[0].end();
      await vi.advanceTimersByTimeAsync(0);
      expect(stream.state).toBe('retrying');
      stream.followLog({ ns: 'demo', name: 'web-3', stage: 0, step: 0 }, 5, { onText: () => undefined, onUnavailable: () => undefined, onEnd: () => undefined, onRefused: () => undefined });
      await vi.advanceTimersByTimeAsync(500);
      expect(server.calls).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(600);
      expect(server.calls).toHaveLength(2);
      expect(server.calls[1].url).toContain('logFrom=5');
      stream.stop();
    } finally {
      vi.useRealTimers();
    }
  });
});
