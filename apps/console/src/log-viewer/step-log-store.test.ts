import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { ApiClient } from '../api/client';
import { TokenStore } from '../auth/token-store';
import { BASE, server, sseBody, useMsw } from '../test/msw';
import { EventStream } from '../events/event-stream';
import { StepLogStore } from './step-log-store';

useMsw();

const LOGS = `${BASE}/api/v1/namespaces/demo/pipelineexecutions/web-3/logs`;

/** A stored log of `n` lines "line i\n", with its index every `every` lines, as docs/logs.md describes. */
function storedLog(n: number, every: number) {
  const lines = Array.from({ length: n }, (_, i) => `line ${i + 1}\n`);
  const text = lines.join('');
  const offsets: number[] = [];
  let at = 0;
  lines.forEach((l, i) => {
    if (i % every === 0) offsets.push(at);
    at += l.length;
  });
  return { text, index: { every, lines: n, size: text.length, complete: true, offsets } };
}

function api(): ApiClient {
  const tokens = new TokenStore(undefined);
  tokens.set('t');
  return new ApiClient(tokens, undefined, BASE);
}

const until = async (cond: () => boolean) => {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(cond()).toBe(true);
};

describe('StepLogStore', () => {
  it('reads the last pages first by index-aligned ranges, with exact line numbers, then any page on demand', async () => {
    const log = storedLog(2500, 1000);
    const ranges: string[] = [];
    server.use(
      http.get(`${LOGS}/index`, ({ request }) => {
        expect(new URL(request.url).searchParams.get('stage')).toBe('1');
        expect(request.headers.get('authorization')).toBe('Bearer t');
        return HttpResponse.json(log.index);
      }),
      http.get(LOGS, ({ request }) => {
        const range = request.headers.get('range')!;
        ranges.push(range);
        const [, a, b] = /bytes=(\d+)-(\d+)/.exec(range)!;
        return new HttpResponse(log.text.slice(Number(a), Number(b) + 1), { status: 206 });
      }),
    );
    const store = new StepLogStore(api(), { ns: 'demo', name: 'web-3', stage: 1, step: 0 });
    await store.open();
    expect(store.snapshot()).toMatchObject({ total: 2500, complete: true, live: false });
    expect(ranges).toEqual([`bytes=${log.index.offsets[1]}-${log.index.offsets[2] - 1}`, `bytes=${log.index.offsets[2]}-${log.text.length - 1}`]);
    expect(store.lineAt(1001)).toBe('line 1001');
    expect(store.lineAt(2500)).toBe('line 2500');
    expect(store.lineAt(999)).toBeUndefined();
    expect(store.loadedRanges()).toEqual([{ start: 1001, end: 2500 }]); // what sections are parsed from
    store.ensure(990, 1010); // a jump upwards: one more ranged read
    await until(() => store.lineAt(999) !== undefined);
    expect(store.lineAt(1)).toBe('line 1');
    expect(store.loadedRanges()).toEqual([{ start: 1, end: 2500 }]);
    expect(ranges).toHaveLength(3);
    store.close();
  });

  /** The tab's one event stream (a real EventStream over msw) and the connections it opened, for the log tests. */
  function tabStream() {
    const opened: Array<{ url: URL; lastEventId: string | null; signal: AbortSignal; body: ReturnType<typeof sseBody> }> = [];
    server.use(http.get(`${BASE}/api/v1/events`, ({ request }) => {
      const body = sseBody();
      opened.push({ url: new URL(request.url), lastEventId: request.headers.get('last-event-id'), signal: request.signal, body });
      return new HttpResponse(body.stream, { headers: { 'Content-Type': 'text/event-stream' } });
    }));
    const doc = Object.assign(new EventTarget(), { hidden: false });
    const stream = new EventStream({
      url: () => `${BASE}/api/v1/events`, headers: () => ({ Authorization: 'Bearer t' }), onEvent: () => undefined, onResync: () => undefined,
      doc: doc as unknown as Document, backoff: { baseMs: 5, maxMs: 5 },
    });
    const open = () => opened.filter((c) => !c.signal.aborted);
    return { opened, open, doc, stream };
  }

  const logFrame = (event: string, data: Record<string, unknown>) =>
    `event: ${event}\ndata: ${JSON.stringify({ namespace: 'demo', execution: 'web-3', stage: 0, step: 0, ...data })}\n\n`;

  it('follows a live step on the tab\'s one event stream from the last stored byte and appends the streamed lines', async () => {
    const stored = 'one\ntwo\n';
    server.use(
      http.get(`${LOGS}/index`, () => HttpResponse.json({ every: 1000, lines: 2, size: stored.length, complete: false, offsets: [0] })),
      http.get(LOGS, ({ request }) => {
        expect(request.headers.get('accept')).toBe('text/plain'); // the log itself is never a stream of its own
        return new HttpResponse(stored, { status: 206 });
      }),
    );
    const tab = tabStream();
    tab.stream.start();
    await until(() => tab.opened.length === 1);
    tab.opened[0].body.send('id: 41\nevent: SUBSCRIBED\ndata: {}\n\n');
    const store = new StepLogStore(api(), { ns: 'demo', name: 'web-3', stage: 0, step: 0 }, 2, tab.stream);
    await store.open();
    await until(() => tab.opened.length === 2 && store.snapshot().live);
    expect(tab.open()).toHaveLength(1); // the stream moved over: still one connection
    expect(Object.fromEntries(tab.opened[1].url.searchParams)).toEqual({ log: 'demo/web-3/0/0', logFrom: String(stored.length) });
    expect(tab.opened[1].lastEventId).toBe('41');
    tab.opened[1].body.send(logFrame('LOG', { offset: 20, text: 'three\n\u001b[31mfour\u001b[0m\n' }));
    await until(() => store.snapshot().total === 4);
    expect(store.lineAt(3)).toBe('three');
    expect(store.lineAt(4)).toBe('\u001b[31mfour\u001b[0m');
    expect(store.loadedRanges()).toEqual([{ start: 1, end: 4 }]); // streamed lines extend the loaded run
    tab.opened[1].body.send(logFrame('LOG_UNAVAILABLE', { reason: 'log temporarily unavailable' }));
    await until(() => store.snapshot().degraded !== undefined);
    expect(store.snapshot().degraded).toMatch(/temporarily unavailable/);
    tab.opened[1].body.send(logFrame('LOG_END', { offset: 30, size: 30, complete: true }));
    await until(() => store.snapshot().complete);
    expect(store.snapshot()).toMatchObject({ complete: true, live: false, total: 4, degraded: undefined });
    store.close();
    tab.stream.stop();
  });

  it('holds no connection while the tab is hidden and asks for the log from the bytes it has when the tab shows', async () => {
    const stored = 'one\n';
    server.use(
      http.get(`${LOGS}/index`, () => HttpResponse.json({ every: 1000, lines: 1, size: stored.length, complete: false, offsets: [0] })),
      http.get(LOGS, () => new HttpResponse(stored, { status: 206 })),
    );
    const tab = tabStream();
    const store = new StepLogStore(api(), { ns: 'demo', name: 'web-3', stage: 0, step: 0 }, 2, tab.stream);
    await store.open(); // the page may follow before the tab's stream starts
    tab.stream.start();
    await until(() => tab.opened.length === 1);
    expect(tab.opened[0].url.searchParams.get('logFrom')).toBe('4');
    tab.opened[0].body.send(`id: 5\nevent: SUBSCRIBED\ndata: {}\n\n${logFrame('LOG', { offset: 9, text: 'two\n' })}`);
    await until(() => store.snapshot().total === 2);
    tab.doc.hidden = true;
    tab.doc.dispatchEvent(new Event('visibilitychange'));
    await until(() => !store.snapshot().live);
    expect(tab.open()).toHaveLength(0);
    tab.doc.hidden = false;
    tab.doc.dispatchEvent(new Event('visibilitychange'));
    await until(() => tab.opened.length === 2);
    expect(tab.opened[1].url.searchParams.get('logFrom')).toBe('9'); // after the last line it had
    expect(tab.opened[1].lastEventId).toBe('5');
    tab.opened[1].body.send(logFrame('LOG', { offset: 15, text: 'three\n' }));
    await until(() => store.snapshot().total === 3);
    expect(store.lineAt(3)).toBe('three');
    store.close();
    tab.stream.stop();
  });

  it('says the live log is not followed when the server refuses it, and the tab\'s stream goes on', async () => {
    server.use(
      http.get(`${LOGS}/index`, () => HttpResponse.json({ every: 1000, lines: 0, size: 0, complete: false, offsets: [] })),
    );
    const tab = tabStream();
    server.use(http.get(`${BASE}/api/v1/events`, ({ request }) => (new URL(request.url).searchParams.has('log')
      ? HttpResponse.json({ type: 'x', title: 'Forbidden', status: 403, detail: 'log: you may not read the logs of pipelineexecution demo/web-3' }, { status: 403, headers: { 'Content-Type': 'application/problem+json' } })
      : undefined)));
    tab.stream.start();
    const store = new StepLogStore(api(), { ns: 'demo', name: 'web-3', stage: 0, step: 0 }, 2, tab.stream);
    await store.open();
    await until(() => store.snapshot().degraded !== undefined);
    expect(store.snapshot()).toMatchObject({ live: false, degraded: expect.stringMatching(/not followed: log: you may not read/) });
    await until(() => tab.open().length === 1 && !tab.open()[0].url.searchParams.has('log'));
    store.close();
    tab.stream.stop();
  });

  it('gives stored lines the times of the index\'s marks, and lines streamed live the time they arrived', async () => {
    const stored = 'one\ntwo\nthree\n';
    const T0 = Date.UTC(2026, 11, 3, 19, 0, 0);
    server.use(
      http.get(`${LOGS}/index`, () => HttpResponse.json({ every: 1000, lines: 3, size: stored.length, complete: false, offsets: [0], times: [[1, T0], [3, T0 + 4000]] })),
      http.get(LOGS, () => new HttpResponse(stored, { status: 206 })),
    );
    const tab = tabStream();
    tab.stream.start();
    await until(() => tab.opened.length === 1);
    const store = new StepLogStore(api(), { ns: 'demo', name: 'web-3', stage: 0, step: 0 }, 2, tab.stream);
    await store.open();
    expect([1, 2, 3].map((n) => store.timeAt(n))).toEqual([T0, T0, T0 + 4000]);
    await until(() => tab.opened.length === 2 && store.snapshot().live);
    const before = Date.now();
    tab.opened[1].body.send(logFrame('LOG', { offset: 24, text: 'four\nfive\n' }));
    await until(() => store.snapshot().total === 5);
    const after = Date.now();
    // The browser's clock when they arrived (both in one event: one time).
    expect(store.timeAt(4)).toBeGreaterThanOrEqual(before);
    expect(store.timeAt(4)).toBeLessThanOrEqual(after);
    expect(store.timeAt(5)).toBe(store.timeAt(4));
    expect(store.timeAt(3)).toBe(T0 + 4000);
    store.close();
    tab.stream.stop();
  });

  it('has no line times for an index without them (a log sealed before they were kept, or an older manager)', async () => {
    const log = storedLog(3, 1000);
    server.use(
      http.get(`${LOGS}/index`, () => HttpResponse.json(log.index)),
      http.get(LOGS, () => new HttpResponse(log.text, { status: 206 })),
    );
    const store = new StepLogStore(api(), { ns: 'demo', name: 'web-3', stage: 0, step: 0 });
    await store.open();
    expect(store.lineAt(1)).toBe('line 1');
    expect(store.timeAt(1)).toBeUndefined();
    store.close();
  });

  it('searches server-side with the step and options, and downloads the stored bytes', async () => {
    let searched: URLSearchParams | undefined;
    let downloaded: URLSearchParams | undefined;
    server.use(
      http.get(`${LOGS}/search`, ({ request }) => {
        searched = new URL(request.url).searchParams;
        return HttpResponse.json({ matches: [{ stage: 2, step: 1, line: 17, offset: 400 }, { stage: 2, step: 1, line: 99_000, offset: 9e6 }], truncated: false, timedOut: true });
      }),
      http.get(LOGS, ({ request }) => {
        downloaded = new URL(request.url).searchParams;
        return new HttpResponse('raw \u001b[31mbytes\n', { headers: { 'Content-Disposition': 'attachment; filename="x.log"' } });
      }),
    );
    const store = new StepLogStore(api(), { ns: 'demo', name: 'web-3', stage: 2, step: 1 });
    expect(await store.search('err(or)?', { ignoreCase: true, regex: true })).toEqual({ lines: [17, 99_000], truncated: false, timedOut: true });
    expect(Object.fromEntries(searched!)).toEqual({ stage: '2', step: '1', limit: '10000', ignoreCase: '1', regex: 'err(or)?' });
    await store.search('x', { ignoreCase: false, regex: false });
    expect(Object.fromEntries(searched!)).toEqual({ stage: '2', step: '1', limit: '10000', q: 'x' });
    expect(await (await store.download()).text()).toBe('raw \u001b[31mbytes\n');
    expect(Object.fromEntries(downloaded!)).toEqual({ stage: '2', step: '1', download: '1' });
  });

  it('keeps the first error (e.g. 503 log temporarily unavailable) for the page to show', async () => {
    server.use(http.get(`${LOGS}/index`, () => HttpResponse.json(
      { type: 'https://keelson.dev/problems/unavailable', title: 'Service unavailable', status: 503, detail: 'log temporarily unavailable', instance: '/x' },
      { status: 503, headers: { 'Content-Type': 'application/problem+json', 'Retry-After': '5' } },
    )));
    const store = new StepLogStore(api(), { ns: 'demo', name: 'web-3', stage: 0, step: 0 });
    await store.open();
    expect(store.ready).toBe(true);
    expect(store.error).toMatchObject({ status: 503, problem: { detail: 'log temporarily unavailable' }, retryAfterSeconds: 5 });
  });
});
