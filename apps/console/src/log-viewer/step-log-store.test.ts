import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { ApiClient } from '../api/client';
import { TokenStore } from '../auth/token-store';
import { BASE, server, sseBody, useMsw } from '../test/msw';
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

  it('follows a live step from the last stored byte and appends the streamed lines', async () => {
    const stored = 'one\ntwo\n';
    const live = sseBody();
    let lastEventId: string | null = null;
    server.use(
      http.get(`${LOGS}/index`, () => HttpResponse.json({ every: 1000, lines: 2, size: stored.length, complete: false, offsets: [0] })),
      http.get(LOGS, ({ request }) => {
        if (request.headers.get('accept') === 'text/event-stream') {
          lastEventId = request.headers.get('last-event-id');
          return new HttpResponse(live.stream, { headers: { 'Content-Type': 'text/event-stream' } });
        }
        return new HttpResponse(stored, { status: 206 });
      }),
    );
    const store = new StepLogStore(api(), { ns: 'demo', name: 'web-3', stage: 0, step: 0 });
    await store.open();
    await until(() => store.snapshot().live && lastEventId !== null);
    expect(lastEventId).toBe(String(stored.length));
    live.send(`id: 20\ndata: ${JSON.stringify('three\n\u001b[31mfour\u001b[0m\n')}\n\n`);
    await until(() => store.snapshot().total === 4);
    expect(store.lineAt(3)).toBe('three');
    expect(store.lineAt(4)).toBe('\u001b[31mfour\u001b[0m');
    expect(store.loadedRanges()).toEqual([{ start: 1, end: 4 }]); // streamed lines extend the loaded run
    live.send('event: unavailable\ndata: {}\n\n');
    await until(() => store.snapshot().degraded !== undefined);
    expect(store.snapshot().degraded).toMatch(/temporarily unavailable/);
    live.send('event: end\ndata: {"size":30,"complete":true}\n\n');
    live.end();
    await until(() => !store.snapshot().live);
    expect(store.snapshot()).toMatchObject({ complete: true, total: 4, degraded: undefined });
    store.close();
  });

  it('closes the live stream while the tab is hidden and resumes it with Last-Event-ID when the tab shows', async () => {
    const stored = 'one\n';
    const streams = [sseBody(), sseBody()];
    const opened: Array<{ lastEventId: string | null; signal: AbortSignal }> = [];
    server.use(
      http.get(`${LOGS}/index`, () => HttpResponse.json({ every: 1000, lines: 1, size: stored.length, complete: false, offsets: [0] })),
      http.get(LOGS, ({ request }) => {
        if (request.headers.get('accept') !== 'text/event-stream') return new HttpResponse(stored, { status: 206 });
        opened.push({ lastEventId: request.headers.get('last-event-id'), signal: request.signal });
        return new HttpResponse(streams[opened.length - 1].stream, { headers: { 'Content-Type': 'text/event-stream' } });
      }),
    );
    const doc = Object.assign(new EventTarget(), { hidden: false });
    const store = new StepLogStore(api(), { ns: 'demo', name: 'web-3', stage: 0, step: 0 }, 2, doc);
    await store.open();
    await until(() => opened.length === 1);
    streams[0].send(`id: 9\ndata: ${JSON.stringify('two\n')}\n\n`);
    await until(() => store.snapshot().total === 2);
    doc.hidden = true;
    doc.dispatchEvent(new Event('visibilitychange'));
    await until(() => !store.snapshot().live); // the hidden tab's stream is closed: nothing more is read from it
    try { streams[0].send(`id: 12\ndata: ${JSON.stringify('late\n')}\n\n`); } catch { /* already cancelled */ }
    await new Promise((r) => setTimeout(r, 50));
    expect(store.snapshot().total).toBe(2);
    expect(opened).toHaveLength(1); // and none is opened while hidden
    doc.hidden = false;
    doc.dispatchEvent(new Event('visibilitychange'));
    await until(() => opened.length === 2);
    expect(opened[1].lastEventId).toBe('9'); // resumed after the last line it had
    streams[1].send(`id: 15\ndata: ${JSON.stringify('three\n')}\n\n`);
    await until(() => store.snapshot().total === 3);
    expect(store.lineAt(3)).toBe('three');
    store.close();
  });

  it('gives stored lines the times of the index\'s marks, and lines streamed live the time they arrived', async () => {
    const stored = 'one\ntwo\nthree\n';
    const T0 = Date.UTC(2026, 11, 3, 19, 0, 0);
    const live = sseBody();
    server.use(
      http.get(`${LOGS}/index`, () => HttpResponse.json({ every: 1000, lines: 3, size: stored.length, complete: false, offsets: [0], times: [[1, T0], [3, T0 + 4000]] })),
      http.get(LOGS, ({ request }) => (request.headers.get('accept') === 'text/event-stream'
        ? new HttpResponse(live.stream, { headers: { 'Content-Type': 'text/event-stream' } })
        : new HttpResponse(stored, { status: 206 }))),
    );
    const store = new StepLogStore(api(), { ns: 'demo', name: 'web-3', stage: 0, step: 0 });
    await store.open();
    expect([1, 2, 3].map((n) => store.timeAt(n))).toEqual([T0, T0, T0 + 4000]);
    await until(() => store.snapshot().live);
    const before = Date.now();
    live.send(`id: 20\ndata: ${JSON.stringify('four\nfive\n')}\n\n`);
    await until(() => store.snapshot().total === 5);
    const after = Date.now();
    // The browser's clock when they arrived (both in one event: one time).
    expect(store.timeAt(4)).toBeGreaterThanOrEqual(before);
    expect(store.timeAt(4)).toBeLessThanOrEqual(after);
    expect(store.timeAt(5)).toBe(store.timeAt(4));
    expect(store.timeAt(3)).toBe(T0 + 4000);
    store.close();
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
