// The console's UX targets T1–T13 (console.md §6.3) measured in Debian's Chromium (playwright-core) against a real
// kube-apiserver, a real MinIO holding the logs as the archiver stores them, and the manager serving the API and the
// built console. Printed figures, not assertions: a target missed is printed as missed.
// Run: npm run build:console && node -r @swc-node/register bench/console.bench.ts
//   RUNS=10000 (executions of one pipeline, T9)  BIG_MB=50 (T1)  LINES=100000 (T5–T8)  SAMPLES=5  LIVE_SAMPLES=20
//   STATUS_SAMPLES=20  WHEEL_PX=2000  CONSOLE_DIR=dist/console (e.g. another branch's build, for T10)  ONLY=T1,T10
// The manager runs in this process with ROLES=api (no controllers: what the bench writes is what the console reads);
// T3's restart closes it and starts a new one on the same port.
import AxeBuilder from '@axe-core/playwright';
import { Core, Keelson } from '@keelson/kube';
import { MinioLogStore, type StepLogRef } from '@keelson/logs';
import { MinioServer } from '@keelson/servers';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium, type Browser, type BrowserContext, type CDPSession, type Page } from 'playwright-core';
import { ResourceApiStack } from '../test/support/resource-api-stack';
import { envInt, runBenchmark } from './support/bench-stack';
import { mapPool } from './support/pool';
import { note, summaryBlock, table } from './support/report';
import { percentile, summarize } from './support/stats';

const ROOT = resolve(__dirname, '..');
const CONSOLE_DIR = resolve(ROOT, process.env.CONSOLE_DIR ?? 'dist/console');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const RUNS = envInt('RUNS', 10_000);
const BIG_MB = envInt('BIG_MB', 50);
const LINES = envInt('LINES', 100_000);
const SAMPLES = envInt('SAMPLES', 5);
const LIVE_SAMPLES = envInt('LIVE_SAMPLES', 20);
const STATUS_SAMPLES = envInt('STATUS_SAMPLES', 20);
const WHEEL_PX = envInt('WHEEL_PX', 2000);
const STAGES = 30;
const STEPS_PER_STAGE = 10;
const JUMP_LINE = 99_000;
const SEARCH_LINES = [12_345, 33_333, 54_321, 77_777, 96_001, 5_005, 61_616, 88_888];

/** ONLY=T9,T10: measure these targets only (and build only their fixtures). */
const ONLY = (process.env.ONLY ?? '').split(',').map((t) => t.trim().toUpperCase()).filter(Boolean);
const want = (...targets: string[]) => ONLY.length === 0 || targets.some((t) => ONLY.includes(t));

const NS = 'demo';
const BULK_NS = 'bulk';
const QUEUE_NS = 'queue';

/** One row of the closing table. */
interface Row {
  target: string;
  budget: string;
  measured: string;
  verdict: 'pass' | 'MISS' | 'not measured' | 'info';
}
const rows: Row[] = [];
const notes: string[] = [];
function record(target: string, budget: string, measured: string, ok: boolean | undefined): void {
  rows.push({ target, budget, measured, verdict: ok === undefined ? 'info' : ok ? 'pass' : 'MISS' });
  note(`${target}: ${measured} (budget ${budget}) ${ok === undefined ? '' : ok ? 'pass' : 'MISS'}`);
}
function unmeasured(target: string, budget: string, why: string): void {
  rows.push({ target, budget, measured: why, verdict: 'not measured' });
  note(`${target}: not measured: ${why}`);
}
const median = (xs: number[]) => percentile([...xs].sort((a, b) => a - b), 50);
const p95 = (xs: number[]) => percentile([...xs].sort((a, b) => a - b), 95);
const f0 = (x: number) => (Number.isFinite(x) ? `${Math.round(x)}` : 'n/a');
const sleep = (msec: number) => new Promise((r) => setTimeout(r, msec));

// ---- fixtures -------------------------------------------------------------------------------------------------

const iso = (agoSeconds: number) => new Date(Date.now() - agoSeconds * 1000).toISOString();

/** About `mb` MiB of plain build output, cut into ≤ 1 MiB chunks that end at a newline, as the archiver writes them. */
function bigLogChunks(mb: number): Buffer[] {
  const chunks: Buffer[] = [];
  let n = 0;
  for (let c = 0; c < mb; c++) {
    const lines: string[] = [];
    let bytes = 0;
    while (bytes < 1024 * 1024 - 200) {
      n++;
      const line = `[${String(n).padStart(7, '0')}] compiling src/module-${n % 997}/file-${n % 131}.ts ... ok (${n % 83} ms)\n`;
      lines.push(line);
      bytes += line.length;
    }
    chunks.push(Buffer.from(lines.join('')));
  }
  return chunks;
}

/** `count` ANSI-coloured lines, every tenth a long one (wider than the viewer: it scrolls sideways, `white-space: pre`). */
function ansiLogChunks(count: number): Buffer[] {
  const chunks: Buffer[] = [];
  let lines: string[] = [];
  let bytes = 0;
  for (let n = 1; n <= count; n++) {
    let line: string;
    if (SEARCH_LINES.includes(n)) line = `\u001b[1;33mneedle-${n}\u001b[0m found here`;
    else if (n % 10 === 0) line = `\u001b[36m${'long '.repeat(60)}\u001b[0m line ${n} \u001b[2m${'x'.repeat(200)}\u001b[0m`;
    else if (n % 7 === 0) line = `\u001b[1;31mwarning\u001b[0m line ${n}: \u001b[32mstill ok\u001b[0m`;
    else line = `line ${n} of ${count}: \u001b[32mok\u001b[0m \u001b[34m${n % 1000}\u001b[0m`;
    lines.push(`${line}\n`);
    bytes += line.length + 1;
    if (bytes > 1024 * 1024 - 1024 || n === count) {
      chunks.push(Buffer.from(lines.join('')));
      lines = [];
      bytes = 0;
    }
  }
  return chunks;
}

function steps300(phase: string): unknown[] {
  return Array.from({ length: STAGES }, (_, s) => ({
    name: `stage-${s + 1}`, phase, startTime: iso(900), completionTime: iso(100),
    steps: Array.from({ length: STEPS_PER_STAGE }, (__, t) => ({ name: `s${s + 1}-step-${t + 1}`, phase, startTime: iso(900), completionTime: iso(100) })),
  }));
}

/** The running run T3 changes: one stage, two steps, the second's phase flipped back and forth. */
function liveStatus(lintPhase: string): Record<string, unknown> {
  return {
    phase: 'Running', queuedTime: iso(100), startTime: iso(90),
    stages: [{ name: 'test', phase: 'Running', startTime: iso(60), steps: [
      { name: 'unit', phase: 'Running', startTime: iso(60) },
      { name: 'lint', phase: lintPhase, ...(lintPhase !== 'Pending' && { startTime: iso(30) }) },
    ] }],
  };
}

// ---- in-page probes (run by page.evaluate: no eval, the console's CSP stays strict) ---------------------------

/** Waits (rAF by rAF) until `selector` matches a row whose text is loaded and contains `text`; answers Date.now()
 *  and performance.now() at the frame after, when it is painted; -1 on timeout. */
async function waitRow(page: Page, selector: string, text = '', timeoutMs = 30_000): Promise<{ wall: number; perf: number }> {
  return page.evaluate(({ selector, text, timeoutMs }) => new Promise<{ wall: number; perf: number }>((done) => {
    const doc = (globalThis as any).document;
    const raf = (globalThis as any).requestAnimationFrame as (cb: () => void) => void;
    const end = Date.now() + timeoutMs;
    const tick = () => {
      const el = [...doc.querySelectorAll(selector)].find((e: any) => !e.querySelector('[aria-busy="true"]') && e.textContent.includes(text));
      if (el) return raf(() => done({ wall: Date.now(), perf: performance.now() }));
      if (Date.now() > end) return done({ wall: -1, perf: -1 });
      raf(tick);
    };
    tick();
  }), { selector, text, timeoutMs });
}

/** A button whose text names `name` and contains `text` (the run page's step buttons). */
async function waitButtonText(page: Page, name: string, text: string, timeoutMs = 30_000): Promise<number> {
  return page.evaluate(({ name, text, timeoutMs }) => new Promise<number>((done) => {
    const doc = (globalThis as any).document;
    const raf = (globalThis as any).requestAnimationFrame as (cb: () => void) => void;
    const end = Date.now() + timeoutMs;
    const tick = () => {
      const el = [...doc.querySelectorAll('button')].find((b: any) => b.textContent.includes(name));
      if (el && el.textContent.includes(text)) return raf(() => done(Date.now()));
      if (Date.now() > end) return done(-1);
      raf(tick);
    };
    tick();
  }), { name, text, timeoutMs });
}

const PERF_OBSERVERS = `
globalThis.__perf = { lcp: [], longtasks: [] };
try { new PerformanceObserver((l) => { for (const e of l.getEntries()) globalThis.__perf.lcp.push(e.startTime); }).observe({ type: 'largest-contentful-paint', buffered: true }); } catch {}
try { new PerformanceObserver((l) => { for (const e of l.getEntries()) globalThis.__perf.longtasks.push([e.startTime, e.duration]); }).observe({ type: 'longtask', buffered: true }); } catch {}
`;

async function lcpOf(page: Page): Promise<number> {
  await sleep(500); // LCP entries come with the next frames
  const lcp = await page.evaluate(() => (globalThis as any).__perf.lcp as number[]);
  return lcp.length ? lcp[lcp.length - 1] : NaN;
}

/** Long-lived requests (Accept: text/event-stream) seen by the DevTools protocol, and how many are open now. */
class StreamCounter {
  private readonly open = new Map<string, { url: string; loaderId: string }>();
  opened = 0;
  constructor(cdp: CDPSession) {
    cdp.on('Network.requestWillBeSent', (e: any) => {
      const accept = Object.entries(e.request.headers ?? {}).find(([k]) => k.toLowerCase() === 'accept')?.[1] as string | undefined;
      if (accept?.includes('text/event-stream') || e.type === 'EventSource') {
        this.open.set(e.requestId, { url: e.request.url, loaderId: e.loaderId });
        this.opened++;
      }
    });
    // A new document's requests replace the old one's (the protocol reports no end for a request of a document
    // that was navigated away).
    cdp.on('Page.frameNavigated', (e: any) => {
      if (e.frame.parentId) return;
      for (const [id, { loaderId }] of this.open) if (loaderId !== e.frame.loaderId) this.open.delete(id);
    });
    const closed = (e: any) => this.open.delete(e.requestId);
    cdp.on('Network.loadingFinished', closed);
    cdp.on('Network.loadingFailed', closed);
  }

  get now(): string[] {
    return [...this.open.values()].map(({ url }) => new URL(url).pathname.replace(/^\/api\/v1/, '').replace(/\/namespaces\/[^/]+\/pipelineexecutions\/[^/]+/, '/…/<run>'));
  }
}

// ---- the benchmark --------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  if (!existsSync(join(CONSOLE_DIR, 'index.html'))) throw new Error(`the console is not built in ${CONSOLE_DIR}: run "npm run build:console"`);
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH)`);
  const minioDir = mkdtempSync(join(tmpdir(), 'keelson-console-bench-minio-'));
  let minio: MinioServer | undefined;
  let stack: ResourceApiStack | undefined;
  let browser: Browser | undefined;
  const stopAll = async () => {
    await browser?.close().catch(() => undefined);
    await stack?.stop().catch(() => undefined);
    await minio?.stop().catch(() => undefined);
    rmSync(minioDir, { recursive: true, force: true });
  };
  const onSignal = () => void stopAll().finally(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const loads: string[] = [];
  const load = (when: string) => loads.push(`${when} ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  load('start');
  try {
    note('starting MinIO, a kube-apiserver, Redis and the manager (ROLES=api)');
    minio = await MinioServer.start(minioDir);
    const env = { CONSOLE_DIR, DATA_PLANE_MINIO_URL: minio.endpoint };
    stack = await ResourceApiStack.start([NS, `${NS}-pipeline`, BULK_NS, QUEUE_NS], env);
    const s = stack;
    await s.admin.resource(Core.Secret).create({
      metadata: { name: 'minio-root', namespace: `${NS}-pipeline` }, type: 'Opaque', stringData: { username: minio.accessKey, password: minio.secretKey },
    } as never);
    const executions = s.asManager.resource(Keelson.PipelineExecution);
    const store = new MinioLogStore({ url: minio.endpoint, accessKey: minio.accessKey, secretKey: minio.secretKey });
    await store.ensureBucket();

    // --- fixtures ---
    await s.createPipeline(NS, 'web');
    const big = await s.createExecution(NS, 'web', 1, { phase: 'Succeeded', startTime: iso(900), completionTime: iso(800), title: 'A 50 MB log' });
    await executions.patchStatus(NS, 'web-1', { phase: 'Succeeded', startTime: iso(900), completionTime: iso(800), stages: [{ name: 'build', phase: 'Succeeded', startTime: iso(900), completionTime: iso(800), steps: [{ name: 'compile', phase: 'Succeeded', startTime: iso(900), completionTime: iso(800) }] }] } as never);
    let t0 = Date.now();
    const bigRef: StepLogRef = { namespace: NS, pipeline: 'web', run: 1, stage: 0, step: 0 };
    let offset = 0;
    for (const chunk of want('T1') ? bigLogChunks(BIG_MB) : [Buffer.from('a small log\n')]) {
      await store.putChunk(bigRef, big.metadata.uid!, offset, chunk);
      offset += chunk.length;
    }
    const bigSealed = await store.seal(bigRef, big.metadata.uid!);
    note(`T1 fixture: ${(offset / 1024 / 1024).toFixed(1)} MiB, ${bigSealed.lines} lines, stored and sealed in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

    const ansi = await s.createExecution(NS, 'web', 2, { phase: 'Succeeded', startTime: iso(700), completionTime: iso(600), title: 'A 100,000-line log' });
    await executions.patchStatus(NS, 'web-2', { phase: 'Succeeded', startTime: iso(700), completionTime: iso(600), stages: [{ name: 'test', phase: 'Succeeded', startTime: iso(700), completionTime: iso(600), steps: [{ name: 'unit', phase: 'Succeeded', startTime: iso(700), completionTime: iso(600) }] }] } as never);
    t0 = Date.now();
    const ansiRef: StepLogRef = { namespace: NS, pipeline: 'web', run: 2, stage: 0, step: 0 };
    offset = 0;
    for (const chunk of ansiLogChunks(want('T5', 'T6', 'T7', 'T8', 'T12') ? LINES : 10)) {
      await store.putChunk(ansiRef, ansi.metadata.uid!, offset, chunk);
      offset += chunk.length;
    }
    const ansiSealed = await store.seal(ansiRef, ansi.metadata.uid!);
    note(`T5–T8 fixture: ${ansiSealed.lines} ANSI lines (10 % long), ${(offset / 1024 / 1024).toFixed(1)} MiB, sealed in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

    const live = await s.createExecution(NS, 'web', 3, { phase: 'Running', startTime: iso(90), title: 'A live step' });
    await executions.patchStatus(NS, 'web-3', liveStatus('Pending') as never);
    const liveRef: StepLogRef = { namespace: NS, pipeline: 'web', run: 3, stage: 0, step: 0 };
    let liveSize = 0;
    let liveLines = 0;
    const appendLive = async (text: string) => {
      const buf = Buffer.from(text);
      await store.putChunk(liveRef, live.metadata.uid!, liveSize, buf);
      liveSize += buf.length;
      liveLines += text.split('\n').length - 1;
    };
    await appendLive(Array.from({ length: 50 }, (_, i) => `warm-up line ${i + 1}\n`).join(''));

    await s.createExecution(NS, 'web', 4, { phase: 'Succeeded', startTime: iso(900), completionTime: iso(100), title: '300 steps' });
    await executions.patchStatus(NS, 'web-4', { phase: 'Succeeded', startTime: iso(900), completionTime: iso(100), stages: steps300('Succeeded') } as never);
    await s.asManager.resource(Keelson.Pipeline).patchStatus(NS, 'web', { nextRun: 5, lastExecution: { name: 'web-3', run: 3, phase: 'Running', startTime: iso(90) } } as never);

    // T13: three runs hold the project's three slots (the default limit), a fourth waits; checked at the end (> 10 s).
    await s.createPipeline(QUEUE_NS, 'hold');
    for (let run = 1; run <= 3; run++) {
      await s.createExecution(QUEUE_NS, 'hold', run, { phase: 'Running', startTime: iso(60) });
      await executions.patchStatus(QUEUE_NS, `hold-${run}`, { phase: 'Running', startTime: iso(60), stages: [{ name: 'build', phase: 'Running', startTime: iso(60), steps: [{ name: 'make', phase: 'Running', startTime: iso(60) }] }] } as never);
    }
    await s.createExecution(QUEUE_NS, 'hold', 4, { phase: 'Queued' });
    const queuedAt = Date.now();

    // T9: RUNS finished executions of one pipeline, created concurrently.
    await s.createPipeline(BULK_NS, 'many');
    t0 = Date.now();
    let made = 0;
    const runCount = want('T9') ? RUNS : 1;
    await mapPool(Array.from({ length: runCount }, (_, i) => i + 1), 16, async (run) => {
      await s.createExecution(BULK_NS, 'many', run, { phase: run % 9 === 0 ? 'Failed' : 'Succeeded', startTime: iso(RUNS * 60 - run * 60), completionTime: iso(RUNS * 60 - run * 60 - 45), branch: run % 3 ? 'main' : `feature-${run % 17}` });
      if (++made % 2000 === 0) note(`${made} of ${RUNS} runs created`);
    });
    const bulkSeconds = (Date.now() - t0) / 1000;
    await s.asManager.resource(Keelson.Pipeline).patchStatus(BULK_NS, 'many', { nextRun: runCount + 1, lastExecution: { name: `many-${runCount}`, run: runCount, phase: 'Succeeded', startTime: iso(60) } } as never);
    note(`T9 fixture: ${runCount} executions (create + status, 16 at a time) in ${bulkSeconds.toFixed(1)} s (${(runCount / bulkSeconds).toFixed(0)}/s)`);
    if (want('T9')) notes.push(`fixtures: ${runCount} executions created in ${bulkSeconds.toFixed(0)} s (${(runCount / bulkSeconds).toFixed(0)}/s, create + status patch, 16 in flight)`);
    load('fixtures built');

    // --- the browser ---
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--enable-precise-memory-info'] });
    const base = () => s.manager.url;
    /** A fresh context (cold cache) signed in: the token in sessionStorage, where the login page puts it. */
    const newTab = async (context?: BrowserContext): Promise<{ page: Page; cdp: CDPSession; context: BrowserContext }> => {
      const ctx = context ?? await browser!.newContext({ viewport: { width: 1280, height: 800 } });
      if (!context) {
        await ctx.addInitScript({ content: `try { sessionStorage.setItem('keelson.token', ${JSON.stringify(s.adminToken)}); } catch {}\n${PERF_OBSERVERS}` });
      }
      const page = await ctx.newPage();
      const cdp = await ctx.newCDPSession(page);
      await cdp.send('Network.enable');
      await cdp.send('Page.enable');
      return { page, cdp, context: ctx };
    };
    const stepLogUrl = (run: string, hash = '') => `${base()}/p/${NS}/pipelines/web/runs/${run}/stages/0/steps/0${hash}`;

    // T11: cold load of a run page: its scripts (gzip of the built files) and LCP.
    if (want('T11')) {
      const lcps: number[] = [];
      let jsGzip = 0;
      let jsRaw = 0;
      let files: string[] = [];
      for (let i = 0; i < SAMPLES; i++) {
        const { page, context } = await newTab();
        const scripts = new Set<string>();
        page.on('response', (r) => {
          if (r.request().resourceType() === 'script') scripts.add(new URL(r.url()).pathname);
        });
        await page.goto(`${base()}/p/${NS}/pipelines/web/runs/web-4`, { waitUntil: 'load' });
        await page.getByRole('heading', { name: 'web #4' }).waitFor();
        lcps.push(await lcpOf(page));
        if (i === 0) {
          files = [...scripts];
          for (const f of files) {
            const bytes = readFileSync(join(CONSOLE_DIR, f));
            jsRaw += bytes.length;
            jsGzip += gzipSync(bytes, { level: 9 }).length;
          }
        }
        await context.close();
      }
      record('T11 run page JS (gzip -9 of the scripts it loads)', '≤ 250 KB', `${(jsGzip / 1024).toFixed(1)} KB gzip (${(jsRaw / 1024).toFixed(0)} KB raw, ${files.length} file${files.length === 1 ? '' : 's'})`, jsGzip <= 250 * 1024);
      record('T11 LCP cold, run page, loopback', '< 1.5 s', `median ${f0(median(lcps))} ms of ${lcps.length} (${lcps.map(f0).join(', ')})`, median(lcps) < 1500);
    }

    // T1: open the 50 MB log: navigation → first line painted.
    if (want('T1')) {
      const times: number[] = [];
      const { page, context } = await newTab();
      for (let i = 0; i < SAMPLES; i++) {
        await page.goto('about:blank');
        await page.goto(stepLogUrl('web-1'), { waitUntil: 'commit' });
        const at = await waitRow(page, '[data-line]');
        times.push(at.perf);
      }
      const lastLine = await page.locator(`[data-line="${bigSealed.lines}"]`).count();
      await context.close();
      record(`T1 first line painted, ${BIG_MB} MB log (${bigSealed.lines.toLocaleString('en')} lines)`, '< 1000 ms', `median ${f0(median(times))} ms of ${times.length} (${times.map(f0).join(', ')}); opens at its end: ${lastLine ? 'yes' : 'no'}`, median(times) > 0 && median(times) < 1000);
    }

    // T8: navigate to #L99000 → the line highlighted (and its text loaded).
    if (want('T8')) {
      const times: number[] = [];
      const { page, context } = await newTab();
      for (let i = 0; i < SAMPLES; i++) {
        await page.goto('about:blank');
        await page.goto(stepLogUrl('web-2', `#L${JUMP_LINE}`), { waitUntil: 'commit' });
        const at = await waitRow(page, `[data-line="${JUMP_LINE}"][class*="highlight"]`, String(JUMP_LINE));
        times.push(at.perf);
      }
      await context.close();
      record(`T8 navigate to #L${JUMP_LINE} → line highlighted`, '< 1500 ms', `median ${f0(median(times))} ms of ${times.length} (${times.map(f0).join(', ')})`, median(times) > 0 && median(times) < 1500);
    }

    // T5, T6, T7 on the 100,000-line log in one tab.
    if (want('T5', 'T6', 'T7')) {
      const { page, cdp, context } = await newTab();
      await page.goto(stepLogUrl('web-2'));
      await waitRow(page, `[data-line="${LINES}"]`);
      // T7: search, Enter → the matching line marked as current.
      const searchTimes: number[] = [];
      const input = page.getByLabel('Search the log');
      for (const line of SEARCH_LINES.slice(0, SAMPLES)) {
        await input.fill(`needle-${line}`);
        const wait = waitRow(page, `[aria-current="true"][data-line="${line}"]`, `needle-${line}`);
        const sent = Date.now();
        await input.press('Enter');
        const at = await wait;
        searchTimes.push(at.wall < 0 ? NaN : at.wall - sent);
      }
      record(`T7 search ${LINES.toLocaleString('en')} lines: Enter → match shown`, '< 300 ms', `median ${f0(median(searchTimes))} ms of ${searchTimes.length} (${searchTimes.map(f0).join(', ')}); server-side search, no collapsible sections in the viewer`, median(searchTimes) < 300);
      await input.fill('');
      await input.press('Escape');

      // T5: to the top, then wheel to the bottom while frames and long tasks are recorded.
      const scroller = page.getByTestId('log-scroll');
      await scroller.evaluate((el: any) => { el.scrollTop = 0; });
      await waitRow(page, '[data-line="1"]');
      await sleep(500);
      const box = (await scroller.boundingBox())!;
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await page.evaluate(() => {
        const g = globalThis as any;
        g.__frames = [];
        g.__mountedMax = 0;
        g.__recording = true;
        g.__scrollStart = performance.now();
        let last = performance.now();
        const tick = (t: number) => {
          g.__frames.push(t - last);
          last = t;
          g.__mountedMax = Math.max(g.__mountedMax, g.document.querySelectorAll('[data-line]').length);
          if (g.__recording) g.requestAnimationFrame(tick);
        };
        g.requestAnimationFrame(tick);
      });
      const wheelStart = Date.now();
      let wheels = 0;
      for (;;) {
        await page.mouse.wheel(0, WHEEL_PX);
        wheels++;
        if (wheels % 50 === 0) {
          const done = await scroller.evaluate((el: any) => el.scrollTop + el.clientHeight >= el.scrollHeight - 2);
          if (done || Date.now() - wheelStart > 180_000) break;
        }
      }
      await sleep(300);
      const scroll = await page.evaluate(() => {
        const g = globalThis as any;
        g.__recording = false;
        const longtasks = (g.__perf.longtasks as Array<[number, number]>).filter(([start]) => start >= g.__scrollStart).map(([, d]) => d);
        const el = g.document.querySelector('[data-testid="log-scroll"]');
        return { frames: (g.__frames as number[]).slice(1), longtasks, mountedMax: g.__mountedMax as number, atBottom: el.scrollTop + el.clientHeight >= el.scrollHeight - 2 };
      });
      const wheelSeconds = (Date.now() - wheelStart) / 1000;
      const frameMedian = median(scroll.frames);
      const fps = 1000 / frameMedian;
      const slowFrames = scroll.frames.filter((d) => d > 50).length;
      const longOver100 = scroll.longtasks.filter((d) => d > 100);
      record('T5 scroll top→bottom, median fps', '≥ 55 fps', `${fps.toFixed(1)} fps (median frame ${frameMedian.toFixed(1)} ms, p95 ${p95(scroll.frames).toFixed(1)} ms, ${slowFrames} of ${scroll.frames.length} frames > 50 ms); ${wheels} wheel events of ${WHEEL_PX} px in ${wheelSeconds.toFixed(1)} s, reached the end: ${scroll.atBottom ? 'yes' : 'no'}`, fps >= 55 && scroll.atBottom);
      record('T5 long tasks > 100 ms while scrolling', '0', `${longOver100.length} (of ${scroll.longtasks.length} long tasks > 50 ms; longest ${f0(Math.max(0, ...scroll.longtasks))} ms)`, longOver100.length === 0);

      // T6: rows mounted (during the scroll and now) and the JS heap.
      const mountedNow = await page.locator('[data-line]').count();
      const before = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number; totalSize: number };
      await cdp.send('HeapProfiler.collectGarbage');
      const after = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number; totalSize: number };
      const perfMemory = await page.evaluate(() => (performance as any).memory?.usedJSHeapSize as number | undefined);
      record(`T6 mounted log rows, ${LINES.toLocaleString('en')} lines`, '≤ 500', `${mountedNow} now, ${scroll.mountedMax} at most during the scroll`, Math.max(mountedNow, scroll.mountedMax) <= 500);
      const mib = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MiB`;
      record(`T6 JS heap after reading all ${LINES.toLocaleString('en')} lines`, '≤ 150 MB', `${mib(before.usedSize)} used (${mib(after.usedSize)} after a GC; performance.memory ${perfMemory ? mib(perfMemory) : 'n/a'})`, before.usedSize <= 150 * 1024 * 1024);
      await context.close();
    }

    // T2 and T4 on the live step's page; T3 on its run page.
    if (want('T2', 'T3', 'T4')) {
      const { page, cdp, context } = await newTab();
      const streams = new StreamCounter(cdp);
      await page.goto(`${base()}/p/${NS}/pipelines`);
      await page.getByRole('heading', { name: 'Pipelines' }).waitFor();
      await sleep(1000);
      const onList = streams.now;
      await page.getByRole('link', { name: 'web', exact: true }).click();
      await page.getByRole('link', { name: '#3' }).waitFor();
      await page.getByRole('link', { name: '#3' }).click();
      await page.getByRole('heading', { name: 'web #3' }).waitFor();
      await sleep(1000);
      const onRun = streams.now;
      await page.goto(stepLogUrl('web-3'));
      await waitRow(page, `[data-line="${liveLines}"]`);
      await sleep(1000);
      const onLiveLog = streams.now;

      // T2: a line stored as the archiver stores it (a chunk in MinIO) → painted in the viewer.
      const lat: number[] = [];
      for (let i = 0; i < LIVE_SAMPLES; i++) {
        const text = `live-${i} \u001b[32mok\u001b[0m`;
        const line = liveLines + 1;
        const wait = waitRow(page, `[data-line="${line}"]`, `live-${i}`, 20_000);
        const written = Date.now();
        await appendLive(`${text}\n`);
        const at = await wait;
        lat.push(at.wall < 0 ? NaN : at.wall - written);
        await sleep(200 + Math.floor(Math.random() * 600));
      }
      const ls = summarize(lat.filter(Number.isFinite));
      record('T2 live line: chunk stored → painted, p95', '< 2000 ms', `p95 ${f0(p95(lat))} ms, p50 ${f0(ls.p50)}, max ${f0(ls.max)} of ${lat.length} (${lat.filter((x) => !Number.isFinite(x)).length} not shown in 20 s)`, p95(lat) < 2000 && lat.every(Number.isFinite));
      notes.push('T2: with ROLES=api no archiver runs in the manager, so the log follower learns of a chunk by its 1 s store poll (the archiver\'s wake-up is what an all-roles manager uses); Jenkins → MinIO is log-tail.bench.ts (P7)');

      // T4: hidden tab → no stream.
      const hiddenByBrowser = await (async () => {
        const other = await context.newPage();
        await other.bringToFront();
        await sleep(1500);
        const hidden = await page.evaluate(() => (globalThis as any).document.hidden as boolean);
        if (hidden) return { hidden, other };
        await other.close();
        return { hidden, other: undefined };
      })();
      if (!hiddenByBrowser.hidden) {
        // Headless Chromium keeps every tab visible: the page is told it is hidden, as a browser does.
        await page.evaluate(() => {
          const doc = (globalThis as any).document;
          Object.defineProperty(doc, 'hidden', { configurable: true, get: () => true });
          Object.defineProperty(doc, 'visibilityState', { configurable: true, get: () => 'hidden' });
          doc.dispatchEvent(new Event('visibilitychange'));
        });
      }
      await sleep(1500);
      const whileHidden = streams.now;
      if (hiddenByBrowser.other) {
        await page.bringToFront();
        await hiddenByBrowser.other.close();
      } else {
        await page.evaluate(() => {
          const doc = (globalThis as any).document;
          delete doc.hidden;
          delete doc.visibilityState;
          doc.dispatchEvent(new Event('visibilitychange'));
        });
      }
      await sleep(1500);
      const shownAgain = streams.now;
      const fmt = (xs: string[]) => `${xs.length}${xs.length ? ` (${xs.join(', ')})` : ''}`;
      record('T4 long-lived connections per tab (pipelines, run page)', '≤ 1', `pipelines ${fmt(onList)}; run page ${fmt(onRun)}`, onList.length <= 1 && onRun.length <= 1);
      record('T4 … on a live step\'s log page', '≤ 1', `${fmt(onLiveLog)}`, onLiveLog.length <= 1);
      record('T4 … while the tab is hidden', '0', `${fmt(whileHidden)} (${hiddenByBrowser.hidden ? 'another tab in front' : 'document.hidden forced: headless keeps tabs visible'}); shown again: ${fmt(shownAgain)}`, whileHidden.length === 0);

      // T3: the run's status patched with the manager's client → the step's text changes, no reload.
      await page.goto(`${base()}/p/${NS}/pipelines/web/runs/web-3`);
      await page.getByRole('heading', { name: 'web #3' }).waitFor();
      await waitButtonText(page, 'lint', 'Pending');
      await sleep(1000);
      const statusLat: number[] = [];
      let phase = 'Pending';
      for (let i = 0; i < STATUS_SAMPLES; i++) {
        phase = phase === 'Pending' ? 'Running' : 'Pending';
        const wait = waitButtonText(page, 'lint', phase, 20_000);
        const sent = Date.now();
        await executions.patchStatus(NS, 'web-3', liveStatus(phase) as never);
        const at = await wait;
        statusLat.push(at < 0 ? NaN : at - sent);
        await sleep(200 + Math.floor(Math.random() * 600));
      }
      record('T3 status patch → DOM, p95', '< 2000 ms', `p95 ${f0(p95(statusLat))} ms, p50 ${f0(median(statusLat))}, max ${f0(Math.max(...statusLat))} of ${statusLat.length}`, p95(statusLat) < 2000 && statusLat.every(Number.isFinite));

      // T3 recovery: close the manager, change the status while it is down, start a new one on the same port.
      const port = new URL(s.manager.url).port;
      const killedAt = Date.now();
      const old = s.managers.shift()!;
      // As a killed process would: every connection dropped now (an open stream would hold a graceful close).
      const closing = old.close();
      (old.app.getHttpServer() as import('node:http').Server).closeAllConnections();
      await closing;
      phase = phase === 'Pending' ? 'Running' : 'Pending';
      const wait = waitButtonText(page, 'lint', phase, 60_000);
      await executions.patchStatus(NS, 'web-3', liveStatus(phase) as never);
      await sleep(1000);
      const restartAt = Date.now();
      await s.startManager({ ...env, PORT: port });
      const readyAt = Date.now();
      const seen = await wait;
      // From the new manager's start: it serves (and the console reconnects) before its /readyz answers.
      const recovery = seen < 0 ? NaN : seen - restartAt;
      record('T3 recovery after a manager restart (start → change shown)', '< 5000 ms', `${f0(recovery)} ms after the new manager started (down ${((restartAt - killedAt) / 1000).toFixed(1)} s; its /readyz after ${readyAt - restartAt} ms; the change was made while it was down)`, recovery < 5000);
      notes.push('T3 restart: the manager runs in this process (ResourceApiStack): it is closed with every connection dropped at once, and a new one started on the same port; not a process kill');
      await context.close();
    }

    // T9: the run list of RUNS runs: the API's first page, then the pipeline page.
    if (want('T9')) {
      const apiTimes: number[] = [];
      let payload = 0;
      const firstPage = `${base()}/api/v1/namespaces/${BULK_NS}/pipelineexecutions?limit=25&pipeline=many`;
      for (let i = 0; i < SAMPLES; i++) {
        const started = performance.now();
        const res = await fetch(firstPage, { headers: { authorization: `Bearer ${s.adminToken}` } });
        const body = await res.arrayBuffer();
        apiTimes.push(performance.now() - started);
        payload = body.byteLength;
        if (!res.ok) throw new Error(`${firstPage}: ${res.status}`);
      }
      record(`T9 run list of ${RUNS.toLocaleString('en')}: first page API (25 runs)`, '< 300 ms', `median ${f0(median(apiTimes))} ms of ${apiTimes.length} (${apiTimes.map(f0).join(', ')})`, median(apiTimes) < 300);
      record('T9 … its payload', '≤ 50 KB', `${(payload / 1024).toFixed(1)} KB`, payload <= 50 * 1024);
      const ready: number[] = [];
      const lcps: number[] = [];
      for (let i = 0; i < SAMPLES; i++) {
        const { page, context } = await newTab();
        await page.goto(`${base()}/p/${BULK_NS}/pipelines/many`, { waitUntil: 'commit' });
        const at = await waitRow(page, 'a', `#${RUNS}`);
        ready.push(at.perf);
        lcps.push(await lcpOf(page));
        await context.close();
      }
      record('T9 … pipeline page: newest run shown (cold)', '< 1000 ms', `median ${f0(median(ready))} ms; LCP median ${f0(median(lcps))} ms (${SAMPLES} cold loads)`, median(ready) < 1000);
    }

    // T10: the graph's layout time, if this build has a graph.
    if (want('T10')) {
      const { page, context } = await newTab();
      await page.goto(`${base()}/p/${NS}/pipelines/web/runs/web-4`);
      await page.getByRole('heading', { name: 'web #4' }).waitFor();
      let layout: number[] = [];
      for (let i = 0; i < 60 && layout.length === 0; i++) {
        layout = await page.evaluate(() => performance.getEntriesByName('keelson:graph-layout').map((e) => e.duration));
        if (!layout.length) await sleep(250);
      }
      if (layout.length) record(`T10 graph of ${STAGES * STEPS_PER_STAGE} steps: layout`, '< 200 ms', `${layout.map(f0).join(', ')} ms (performance.measure keelson:graph-layout)`, Math.max(...layout) < 200);
      else unmeasured(`T10 graph of ${STAGES * STEPS_PER_STAGE} steps: layout`, '< 200 ms', 'no graph on this build (no keelson:graph-layout measure)');
      await context.close();
    }

    // T13: the queued run (created at the start) on the queue page with its reason.
    if (want('T13')) {
      const wait = 11_000 - (Date.now() - queuedAt);
      if (wait > 0) await sleep(wait);
      const { page, context } = await newTab();
      await page.goto(`${base()}/p/${QUEUE_NS}/queue`);
      await page.getByRole('heading', { name: 'Queue' }).waitFor();
      const row = page.getByRole('row', { name: /hold #4/ });
      await row.waitFor({ timeout: 10_000 }).catch(() => undefined);
      const text = (await row.count()) ? (await row.innerText()).replace(/\s+/g, ' ') : '';
      const waited = Math.round((Date.now() - queuedAt) / 1000);
      const reason = /concurrency limit/i.test(text);
      record('T13 run queued > 10 s shows a reason', 'non-empty reason', text ? `after ${waited} s: "${text.slice(0, 140)}"` : 'no row for the queued run', reason);
      notes.push('T13: one scenario (the project\'s concurrency limit held by three running runs); the F-scenarios of perf-reliability.md are the e2e tests\' part');
      await context.close();
    }

    // T12: axe on every page this stack reaches, light and dark.
    if (want('T12')) {
      const pages: Array<[string, string]> = [
        ['home', '/'], ['pipelines', `/p/${NS}/pipelines`], ['pipeline (10,000 runs)', `/p/${BULK_NS}/pipelines/many`],
        ['run (running)', `/p/${NS}/pipelines/web/runs/web-3`], ['run (300 steps)', `/p/${NS}/pipelines/web/runs/web-4`],
        ['step log (100k lines)', `/p/${NS}/pipelines/web/runs/web-2/stages/0/steps/0`], ['queue', `/p/${QUEUE_NS}/queue`],
        ['approvals', '/approvals'], ['not found', '/no/such/page'],
      ];
      const findings: string[] = [];
      let checked = 0;
      for (const scheme of ['light', 'dark'] as const) {
        const { page, context } = await newTab();
        await page.emulateMedia({ colorScheme: scheme });
        for (const [name, path] of pages) {
          await page.goto(`${base()}${path}`);
          await page.locator('h1').first().waitFor({ timeout: 15_000 }).catch(() => undefined);
          await sleep(500);
          const theme = await page.locator('html').getAttribute('data-theme');
          const result = await new AxeBuilder({ page }).analyze();
          checked++;
          for (const v of result.violations.filter((x) => x.impact === 'serious' || x.impact === 'critical')) {
            findings.push(`${name} (${theme ?? scheme}): ${v.id} ${v.impact} ×${v.nodes.length}`);
          }
        }
        await context.close();
      }
      record('T12 axe serious/critical', '0', `${findings.length} on ${checked} page views (${pages.length} pages × light, dark${findings.length ? `): ${findings.join('; ')}` : ')'}; login is checked by test/e2e/console-browser.test.ts`, findings.length === 0);
    }
    load('end');
  } finally {
    await stopAll();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }

  summaryBlock('console UX targets (console.md §6.3)', [
    table(['target', 'budget', 'measured', 'verdict'], rows.map((r) => [r.target, r.budget, r.measured, r.verdict])),
    '',
    ['settings', `${ONLY.length ? `ONLY=${ONLY.join(',')} ` : ''}RUNS=${RUNS} BIG_MB=${BIG_MB} LINES=${LINES} SAMPLES=${SAMPLES} LIVE_SAMPLES=${LIVE_SAMPLES} STATUS_SAMPLES=${STATUS_SAMPLES} WHEEL_PX=${WHEEL_PX}`],
    ['console', CONSOLE_DIR.startsWith(ROOT) ? CONSOLE_DIR.slice(ROOT.length + 1) : CONSOLE_DIR],
    ['browser', `${CHROMIUM} headless, 1280×800, playwright-core`],
    ['load average', loads.join('; ')],
    ...notes.map((n) => `- ${n}`),
  ]);
}

runBenchmark('console', main);
