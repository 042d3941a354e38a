// The web console in a real browser (Debian's Chromium driven by playwright-core) against a started manager on
// a real kube-apiserver: sign in with a token, see the pipelines page and a run page, light and dark, with no CSP
// violation and no serious or critical axe-core finding. Screenshots go to test/artifacts/console/ (gitignored).
// A finished step's log (3,000 lines, ANSI colours, a progress line) is sealed in a real MinIO, as the archiver
// stores it, and read back through the API by the log viewer.
// Needs the console built (`npm run build:console`; `npm run build` does it) and /usr/bin/chromium.
import AxeBuilder from '@axe-core/playwright';
import { Core, Keelson } from '@keelson/kube';
import { MinioLogStore } from '@keelson/logs';
import { MinioServer } from '@keelson/servers';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ResourceApiStack } from '../support/resource-api-stack';

const ROOT = resolve(__dirname, '../..');
const CONSOLE_DIR = join(ROOT, 'dist/console');
const ARTIFACTS = join(ROOT, 'test/artifacts/console');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** 3,000 lines: line 2501 in red, line 2999 a \r progress bar, the last the failure. */
const LOG_TEXT = Array.from({ length: 3000 }, (_, i) => {
  const n = i + 1;
  if (n === 2501) return '\u001b[1;31mERROR\u001b[0m something broke\n';
  if (n === 2999) return 'Downloading 10%\rDownloading 60%\rDownloading 100%\n';
  if (n === 3000) return 'make: *** [all] Error 2\n';
  return `step ${n} of 3000: \u001b[32mok\u001b[0m\n`;
}).join('');

describe('the web console in Chromium', () => {
  let stack: ResourceApiStack;
  let minio: MinioServer;
  let minioDir: string;
  let browser: Browser;
  let page: Page;
  const cspViolations: string[] = [];
  const eventStreams: string[] = [];

  beforeAll(async () => {
    if (!existsSync(join(CONSOLE_DIR, 'index.html'))) throw new Error(`the console is not built in ${CONSOLE_DIR}: run "npm run build:console"`);
    if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH)`);
    mkdirSync(ARTIFACTS, { recursive: true });
    minioDir = mkdtempSync(join(tmpdir(), 'keelson-console-minio-'));
    minio = await MinioServer.start(minioDir);
    stack = await ResourceApiStack.start(['demo', 'demo-pipeline'], { CONSOLE_DIR, DATA_PLANE_MINIO_URL: minio.endpoint });
    // The project's data plane credentials, as provisioning keeps them (local mode does the same).
    await stack.admin.resource(Core.Secret).create({
      metadata: { name: 'minio-root', namespace: 'demo-pipeline' }, type: 'Opaque', stringData: { username: minio.accessKey, password: minio.secretKey },
    } as never);
    await stack.createPipeline('demo', 'web');
    const now = Date.now();
    const iso = (ago: number) => new Date(now - ago * 1000).toISOString();
    const first = await stack.createExecution('demo', 'web', 1, { phase: 'Succeeded', startTime: iso(600), completionTime: iso(540), title: 'Add the health check' });
    await stack.asManager.resource(Keelson.PipelineExecution).patchStatus('demo', 'web-1', {
      phase: 'Failed', startTime: iso(600), completionTime: iso(540),
      stages: [{ name: 'build', phase: 'Failed', startTime: iso(600), completionTime: iso(540), steps: [{ name: 'make', phase: 'Failed', startTime: iso(600), completionTime: iso(540), message: 'exit code 2' }] }],
    } as never);
    const store = new MinioLogStore({ url: minio.endpoint, accessKey: minio.accessKey, secretKey: minio.secretKey });
    await store.ensureBucket();
    const ref = { namespace: 'demo', pipeline: 'web', run: 1, stage: 0, step: 0 };
    await store.putChunk(ref, first.metadata.uid!, 0, Buffer.from(LOG_TEXT));
    await store.seal(ref, first.metadata.uid!);
    await stack.createExecution('demo', 'web', 2, { phase: 'Running', startTime: iso(90), title: 'Speed up the build' });
    await stack.asManager.resource(Keelson.PipelineExecution).patchStatus('demo', 'web-2', {
      phase: 'Running', queuedTime: iso(100), startTime: iso(90),
      stages: [
        { name: 'build', phase: 'Succeeded', startTime: iso(90), completionTime: iso(60), steps: [{ name: 'compile', phase: 'Succeeded', startTime: iso(90), completionTime: iso(60) }] },
        { name: 'test', phase: 'Running', startTime: iso(60), steps: [{ name: 'unit', phase: 'Succeeded', startTime: iso(60), completionTime: iso(30) }, { name: 'lint', phase: 'Pending' }] },
      ],
    } as never);
    await stack.asManager.resource(Keelson.Pipeline).patchStatus('demo', 'web', { nextRun: 3, lastExecution: { name: 'web-2', run: 2, phase: 'Running', startTime: iso(90) } } as never);

    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    // Where each violation comes from (file, line, sample), reported by the page itself.
    await page.addInitScript({
      content: "document.addEventListener('securitypolicyviolation', (e) => console.log(`CSP violation: ${e.violatedDirective} at ${e.sourceFile}:${e.lineNumber}:${e.columnNumber} sample=${e.sample}`));",
    });
    page.on('console', (msg) => {
      if (/Content[- ]Security[- ]Policy|CSP violation/i.test(msg.text())) cspViolations.push(`${msg.text()} (${page.url()})`);
    });
    page.on('request', (req) => {
      if (req.url().includes('/api/v1/events')) eventStreams.push(req.url());
    });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    await minio?.stop();
    if (minioDir) rmSync(minioDir, { recursive: true, force: true });
  });

  async function expectAccessible(name: string): Promise<void> {
    const result = await new AxeBuilder({ page }).analyze();
    const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}; ${v.nodes[0]?.failureSummary ?? ''}`);
    expect({ page: name, violations: bad }).toEqual({ page: name, violations: [] });
  }

  /** The CSS module's hashed name of the highlight class, read from a highlighted row's own class list. */
  async function highlightClass(): Promise<string> {
    const names = await page.evaluate(() => {
      const sheet = [...(globalThis as any).document.styleSheets].flatMap((s: any) => [...s.cssRules]).map((r: any) => r.selectorText ?? '');
      return sheet.filter((t: string) => /highlight/.test(t));
    });
    const match = /\.([\w-]*highlight[\w-]*)/.exec(names.join(' '));
    if (!match) throw new Error('no highlight class in the console\'s CSS');
    return match[1];
  }

  /** caret: 'initial', or Playwright injects a <style> to hide the caret, which the CSP (rightly) blocks. */
  async function shot(file: string): Promise<void> {
    await page.screenshot({ path: join(ARTIFACTS, file), fullPage: true, caret: 'initial' });
  }

  async function setTheme(theme: 'light' | 'dark'): Promise<void> {
    for (let i = 0; i < 3 && (await page.locator('html').getAttribute('data-theme')) !== theme; i++) {
      await page.getByRole('button', { name: /theme/i }).click();
    }
    expect(await page.locator('html').getAttribute('data-theme')).toBe(theme);
  }

  it('signs in with a token and shows the pipelines page, light and dark', async () => {
    await page.goto(`${stack.manager.url}/p/demo/pipelines`);
    await page.getByLabel('Bearer token').waitFor();
    expect(new URL(page.url()).pathname).toBe('/login');
    await setTheme('light');
    await shot('login-light.png');
    await expectAccessible('login (light)');
    await page.getByLabel('Bearer token').fill(stack.adminToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Pipelines' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/p/demo/pipelines');
    const row = page.getByRole('row', { name: /web/ });
    await row.getByText('Running').waitFor();
    await page.getByText('Live', { exact: true }).waitFor();
    await shot('pipelines-light.png');
    await expectAccessible('pipelines (light)');
    await setTheme('dark');
    await shot('pipelines-dark.png');
    await expectAccessible('pipelines (dark)');
  });

  it('opens the pipeline and its running run with the stage strip', async () => {
    await page.getByRole('link', { name: 'web', exact: true }).click();
    await page.getByRole('link', { name: '#2' }).waitFor();
    await page.getByRole('link', { name: '#1' }).waitFor();
    await shot('pipeline-dark.png');
    await expectAccessible('pipeline (dark)');
    await page.getByRole('link', { name: '#2' }).click();
    await page.getByRole('heading', { name: 'web #2' }).waitFor();
    await page.getByRole('button', { name: /lint/ }).getByText('Pending').waitFor();
    await shot('run-dark.png');
    await expectAccessible('run (dark)');
    await setTheme('light');
    await shot('run-light.png');
    await expectAccessible('run (light)');
    // Sign-in and four pages by client-side navigation: one event stream for the tab.
    expect(eventStreams).toHaveLength(1);
  });

  it('opens a finished step\'s log at a line link, virtualised, with ANSI colours as classes', async () => {
    await page.goto(`${stack.manager.url}/p/demo/pipelines/web/runs/web-1/stages/0/steps/0#L2500-L2502`);
    await page.getByRole('heading', { name: 'build › make' }).waitFor();
    await page.getByText('3,000 lines').waitFor();
    const marked = page.locator('[data-line].' + (await highlightClass()));
    await marked.first().waitFor();
    expect(await marked.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-line')))).toEqual(['2500', '2501', '2502']);
    expect(await page.locator('[data-line="2500"]').innerText()).toContain('step 2500 of 3000');
    const mounted = await page.locator('[data-line]').count();
    expect(mounted).toBeGreaterThan(10);
    expect(mounted).toBeLessThanOrEqual(120);
    // Line 2501 is red ERROR text: a span with the themed class, not HTML from the log.
    expect(await page.locator('[data-line="2501"] span span').first().getAttribute('class')).toMatch(/fg-red/);
    await shot('step-log-light.png');
    await expectAccessible('step log (light)');
    await setTheme('dark');
    await shot('step-log-dark.png');
    await expectAccessible('step log (dark)');
  });

  it('opens the failed run on its failing step with the log at its end', async () => {
    await page.goto(`${stack.manager.url}/p/demo/pipelines/web/runs/web-1`);
    await page.getByRole('heading', { name: 'web #1' }).waitFor();
    await page.locator('[data-line="3000"]').waitFor();
    expect(await page.locator('[data-line="3000"]').innerText()).toContain('make: *** [all] Error 2');
    // The progress line shows its last state only.
    expect(await page.locator('[data-line="2999"]').innerText()).toContain('Downloading 100%');
    expect(await page.locator('[data-line="2999"]').innerText()).not.toContain('10%');
    await shot('run-failed-dark.png');
    await expectAccessible('failed run (dark)');
    // Next error: the server searches the stored log; the first error line from the view, then round to the top.
    await page.getByRole('button', { name: 'Next error' }).click();
    await page.locator('[aria-current="true"][data-line="3000"]').waitFor();
    await page.getByRole('button', { name: 'Next error' }).click();
    await page.locator('[aria-current="true"][data-line="2501"]').waitFor();
    expect(await page.locator('[data-line="2501"]').innerText()).toContain('ERROR something broke');
  });

  it('met its CSP on every page', () => {
    expect(cspViolations).toEqual([]);
  });
});
