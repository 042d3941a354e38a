// The web console in a real browser (Debian's Chromium driven by playwright-core) against a started manager on
// a real kube-apiserver: sign in with a token, see the pipelines page and a run page, light and dark, with no CSP
// violation and no serious or critical axe-core finding. Screenshots go to test/artifacts/console/ (gitignored).
// Needs the console built (`npm run build:console`; `npm run build` does it) and /usr/bin/chromium.
import AxeBuilder from '@axe-core/playwright';
import { Keelson } from '@keelson/kube';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ResourceApiStack } from '../support/resource-api-stack';

const ROOT = resolve(__dirname, '../..');
const CONSOLE_DIR = join(ROOT, 'dist/console');
const ARTIFACTS = join(ROOT, 'test/artifacts/console');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

describe('the web console in Chromium', () => {
  let stack: ResourceApiStack;
  let browser: Browser;
  let page: Page;
  const cspViolations: string[] = [];
  const eventStreams: string[] = [];

  beforeAll(async () => {
    if (!existsSync(join(CONSOLE_DIR, 'index.html'))) throw new Error(`the console is not built in ${CONSOLE_DIR}: run "npm run build:console"`);
    if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH)`);
    mkdirSync(ARTIFACTS, { recursive: true });
    stack = await ResourceApiStack.start(['demo'], { CONSOLE_DIR });
    await stack.createPipeline('demo', 'web');
    const now = Date.now();
    const iso = (ago: number) => new Date(now - ago * 1000).toISOString();
    await stack.createExecution('demo', 'web', 1, { phase: 'Succeeded', startTime: iso(600), completionTime: iso(540), title: 'Add the health check' });
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
  });

  async function expectAccessible(name: string): Promise<void> {
    const result = await new AxeBuilder({ page }).analyze();
    const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
    expect({ page: name, violations: bad }).toEqual({ page: name, violations: [] });
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
  });

  it('kept one event stream for the tab and met its CSP', () => {
    expect(new Set(eventStreams).size).toBe(1);
    expect(eventStreams.length).toBeLessThanOrEqual(2);
    expect(cspViolations).toEqual([]);
  });
});
