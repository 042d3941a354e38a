// console.md T5 (scroll a 100,000-line log top to bottom: ≥ 55 fps, no long task > 100 ms) for the step log viewer
// alone: bench/log-viewer/ mounts the console's LogViewer on the real StepLogStore, whose API answers from memory
// after DELAY_MS, in Chromium; the wheel scrolls as console.bench.ts does while pages of 1000 lines load.
// Run: node -r @swc-node/register bench/log-viewer-scroll.bench.ts   (LINES=100000 WHEEL_PX=2000 DELAY_MS=20 RUNS=2)
// Needs /usr/bin/chromium (CHROMIUM_PATH). Printed numbers, not assertions.

import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { chromium } from 'playwright-core';
import { repoRoot } from '@keelson/servers';
import { note, summaryBlock, table } from './support/report';

const LINES = Number(process.env.LINES ?? 100_000);
const WHEEL_PX = Number(process.env.WHEEL_PX ?? 2000);
const DELAY_MS = Number(process.env.DELAY_MS ?? 20);
const RUNS = Number(process.env.RUNS ?? 2);
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number } }>;
  samples: number[];
  timeDeltas: number[];
}

const WATCHED = ['rowToLine', 'RowModel', 'sync', 'push', 'lineMarkers', 'loadedRanges', 'splitLines'];

/** The functions that took the most main-thread time (self time), and the total time the profile saw busy. */
function hottest(profile: CpuProfile, top = 8): string[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  let busy = 0;
  profile.samples.forEach((id, i) => {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const name = functionName || `(anonymous ${url.split('/').pop()}:${lineNumber + 1})`;
    const us = profile.timeDeltas[i] ?? 0;
    self.set(name, (self.get(name) ?? 0) + us);
    if (name !== '(idle)') busy += us;
  });
  const ranked = [...self].filter(([n]) => n !== '(idle)' && n !== '(program)').sort((a, b) => b[1] - a[1]);
  const ms = ([n, us]: [string, number]) => `${n} ${(us / 1000).toFixed(0)}`;
  // What a page load runs: the row model (and the virtualiser keying rows through it) and the section parse.
  const pageLoad = ranked.filter(([n]) => WATCHED.some((w) => n.startsWith(w)));
  return [`busy ${(busy / 1000).toFixed(0)}`, ...ranked.slice(0, top).map(ms), `| page-load functions: ${pageLoad.map(ms).join(', ') || 'none sampled'}`];
}

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };

async function main() {
  const out = mkdtempSync(join(tmpdir(), 'keelson-viewer-bench-'));
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    try {
      const body = readFileSync(join(out, path === '/' ? 'index.html' : path));
      res.writeHead(200, { 'Content-Type': TYPES[extname(path) || '.html'] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  try {
    note('building the harness (vite)');
    execFileSync(join(repoRoot(), 'node_modules', '.bin', 'vite'), ['build', '--config', join(__dirname, 'log-viewer', 'vite.config.mts'), '--outDir', out], { stdio: 'inherit' });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const rows: Array<Array<string | number>> = [];
    const hot: string[][] = [];
    for (let run = 1; run <= RUNS; run++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      await page.addInitScript({ content: 'globalThis.__longtasks = []; new PerformanceObserver((l) => { for (const e of l.getEntries()) globalThis.__longtasks.push([e.startTime, e.duration]); }).observe({ type: "longtask", buffered: true });' });
      await page.goto(`http://127.0.0.1:${port}/?lines=${LINES}&delay=${DELAY_MS}`);
      await page.waitForSelector(`[data-line="${LINES}"]`);
      const scroller = page.getByTestId('log-scroll');
      await scroller.evaluate((el: any) => { el.scrollTop = 0; });
      await page.waitForSelector('[data-line="1"]');
      await page.waitForTimeout(500);
      const box = (await scroller.boundingBox())!;
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      const loadsBefore = await page.evaluate(() => (globalThis as any).__viewer.pageLoads as number);
      const cdp = await context.newCDPSession(page);
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
      await cdp.send('Profiler.start');
      await page.evaluate(() => {
        const g = globalThis as any;
        g.__frames = [];
        g.__recording = true;
        g.__scrollStart = performance.now();
        // DOM churn, which the machine's load does not change: elements and text nodes added under the log.
        g.__added = 0;
        new g.MutationObserver((records: Array<{ addedNodes: { length: number } }>) => {
          for (const r of records) g.__added += r.addedNodes.length;
        }).observe(g.document.querySelector('[data-testid="log-scroll"]'), { childList: true, subtree: true });
        let last = performance.now();
        const tick = (t: number) => {
          g.__frames.push(t - last);
          last = t;
          if (g.__recording) g.requestAnimationFrame(tick);
        };
        g.requestAnimationFrame(tick);
      });
      const started = Date.now();
      let wheels = 0;
      for (;;) {
        await page.mouse.wheel(0, WHEEL_PX);
        wheels++;
        if (wheels % 50 === 0 && await scroller.evaluate((el: any) => el.scrollTop + el.clientHeight >= el.scrollHeight - 2)) break;
        if (Date.now() - started > 180_000) break;
      }
      await page.waitForTimeout(300);
      const r = await page.evaluate(() => {
        const g = globalThis as any;
        g.__recording = false;
        return {
          frames: (g.__frames as number[]).slice(1),
          longtasks: (g.__longtasks as Array<[number, number]>).filter(([s]) => s >= g.__scrollStart).map(([, d]) => d),
          // Long tasks during which (or within 5 ms before which) a page's text reached the store.
          withPageLoad: (g.__longtasks as Array<[number, number]>).filter(([s, d]) => s >= g.__scrollStart
            && (g.__viewer.loadedAt as number[]).some((t) => t >= s - 5 && t <= s + d)).length,
          pageLoads: g.__viewer.pageLoads as number,
          added: g.__added as number,
        };
      });
      const { profile } = await cdp.send('Profiler.stop') as { profile: CpuProfile };
      const seconds = (Date.now() - started) / 1000;
      hot.push(hottest(profile));
      const frames = [...r.frames].sort((a, b) => a - b);
      const median = frames[Math.floor(frames.length / 2)];
      const over100 = r.longtasks.filter((d) => d > 100);
      rows.push([run, (1000 / median).toFixed(1), frames.filter((f) => f > 50).length, r.longtasks.length, over100.length,
        Math.max(0, ...r.longtasks).toFixed(0), r.withPageLoad, r.pageLoads - loadsBefore, wheels, (r.added / wheels).toFixed(0), seconds.toFixed(1)]);
      note(`run ${run}: ${rows.at(-1)!.join(' ')}`);
      await context.close();
    }
    summaryBlock(`log-viewer-scroll: T5 on the viewer alone, ${LINES.toLocaleString('en')} lines, wheel ${WHEEL_PX} px, API delay ${DELAY_MS} ms`, [
      table(['run', 'median fps', 'frames > 50 ms', 'long tasks > 50 ms', '> 100 ms', 'longest ms', 'of them with a page load', 'pages loaded', 'wheel events', 'nodes added per wheel', 'seconds'], rows),
      '',
      'main thread CPU while scrolling, by function (self time, ms; sampled), per run:',
      ...hot.map((h, i) => `  run ${i + 1}: ${h.join(', ')}`),
    ]);
  } finally {
    await browser.close();
    server.close();
    rmSync(out, { recursive: true, force: true });
  }
}

void main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
