// The web console in a real browser (Debian's Chromium driven by playwright-core) against the whole stack that
// really runs pipelines (KeelsonStack: a KWOK cluster, the Jenkins double building in it, a real MinIO for step
// logs, approvals through Jenkins inputs, signed webhooks): the flows of issue 14 §6, each its own test, by role
// and accessible name. Then a tour of every page (the PAGES table: one row per page), light and dark, with a
// screenshot in test/artifacts/console/ (gitignored) and no serious or critical axe-core finding; at most one
// event stream per tab and none while the tab is hidden (T4); no CSP violation anywhere.
// Needs the console built (`npm run build:console`; `npm run build` does it) and /usr/bin/chromium.
import AxeBuilder from '@axe-core/playwright';
import { Core, Keelson } from '@keelson/kube';
import { GitHttpServer, waitFor } from '@keelson/servers';
import { createHmac, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type CDPSession, type Locator, type Page } from 'playwright-core';
import { KeelsonStack } from '../support/keelson-stack';

const ROOT = resolve(__dirname, '../..');
const CONSOLE_DIR = join(ROOT, 'dist/console');
const ARTIFACTS = join(ROOT, 'test/artifacts/console');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const NS = 'demo';
const PL = 'web';

/** A step's shell script as a YAML literal block (the Jenkins double: `echo` prints, `sleep N` waits, `exit N` fails). */
const script = (...lines: string[]) => `|\n${lines.map((l) => `        ${l}`).join('\n')}`;
const stage = (name: string, steps: string) => `- name: ${name}\n  steps:\n${steps}`;
const shStep = (name: string, ...lines: string[]) => `  - name: ${name}\n    runScriptConfig:\n      image: alpine:3.20\n      shellScript: ${script(...lines)}\n`;

/** main: a run long enough to be seen Running, then Succeeded. */
const MAIN_YML = `stages:\n${stage('build', shStep('compile', 'echo compiling', 'sleep 8', 'echo compiled'))}${stage('test', shStep('unit', 'echo unit tests'))}`;
/** failing: the error near the top of a 1,200-line log that opens at its tail, so "Next error" has to jump. */
const FAILING_YML = `stages:\n${stage('build', shStep('compile', 'echo compiled'))}${stage('test', shStep('unit',
  'echo running 3 suites', 'echo ERROR: 2 of 40 tests failed in parser.spec', ...Array.from({ length: 600 }, (_, i) => `echo case ${i + 1} ok`), 'exit 2'))}`;
/** gated: an approval step only admin may answer, between two stages. */
const GATED_YML = `stages:\n${stage('build', shStep('compile', 'echo built'))}${stage('release', '  - name: ship\n    approval: {message: Ship it?, users: [admin]}\n')}${stage('deploy', shStep('rollout', 'echo deployed'))}`;
/** slow: runs until stopped. */
const SLOW_YML = `stages:\n${stage('build', shStep('forever', 'echo started', 'sleep 600'))}`;

/** What the tour and the flows know about the runs they made. */
interface Runs {
  failed: string;
  /** Its run number, shown as `#n`. */
  failedNumber: number;
  failedStage: number;
  failedStep: number;
}

interface PageRow {
  name: string;
  path: (runs: Runs) => string;
  /** What shows the page is there and loaded. */
  ready: (page: Page, runs: Runs) => Locator;
  /** Opened in a fresh, signed-out tab (the login page). */
  signedOut?: boolean;
}

const runPath = (run: string) => `/p/${NS}/pipelines/${PL}/runs/${run}`;

/** Every page of the console: add a page by adding a row (docs/console.md "How to add a page"). */
const PAGES: PageRow[] = [
  { name: 'login', path: () => '/login', ready: (p) => p.getByRole('heading', { name: /Sign in to Keelson/ }), signedOut: true },
  { name: 'home', path: () => '/', ready: (p) => p.getByRole('heading', { name: 'Projects', level: 1 }) },
  { name: 'approvals', path: () => '/approvals', ready: (p) => p.getByRole('heading', { name: 'Approvals', level: 1 }) },
  { name: 'pipelines', path: () => `/p/${NS}/pipelines`, ready: (p) => p.getByRole('row', { name: new RegExp(PL) }) },
  { name: 'pipeline', path: () => `/p/${NS}/pipelines/${PL}`, ready: (p, r) => p.getByRole('link', { name: `#${r.failedNumber}`, exact: true }) },
  { name: 'run', path: (r) => runPath(r.failed), ready: (p, r) => p.getByRole('heading', { name: `${PL} #${r.failedNumber}` }) },
  { name: 'step-log', path: (r) => `${runPath(r.failed)}/stages/${r.failedStage}/steps/${r.failedStep}`, ready: (p) => p.getByRole('heading', { name: 'test › unit' }) },
  { name: 'run-config', path: (r) => `${runPath(r.failed)}/config`, ready: (p) => p.getByRole('heading', { name: /\.devops\.yml/ }) },
  { name: 'queue', path: () => `/p/${NS}/queue`, ready: (p) => p.getByRole('heading', { name: 'Queue', level: 1 }) },
  { name: 'deliveries', path: () => `/p/${NS}/pipelines/${PL}/deliveries`, ready: (p) => p.getByRole('heading', { name: /deliveries/i, level: 1 }) },
  { name: 'repositories', path: () => `/p/${NS}/repositories`, ready: (p) => p.getByRole('heading', { name: /repositories/i, level: 1 }) },
  { name: 'providers', path: () => `/p/${NS}/settings/providers`, ready: (p) => p.getByRole('heading', { name: /providers/i, level: 1 }) },
  { name: 'settings', path: () => '/settings', ready: (p) => p.getByRole('heading', { name: /settings/i, level: 1 }) },
];

const THEMES = ['light', 'dark'] as const;

/** The tab's long-lived connections as the DevTools protocol reports them (T4): /api/v1/events, and any other
 *  event stream (a step log once had one of its own). */
class EventStreamWatch {
  private open = new Map<string, { at: number; url: string; lastEventId?: string }>();
  max = 0;
  started: { at: number; url: string; lastEventId?: string }[] = [];

  static async attach(cdp: CDPSession): Promise<EventStreamWatch> {
    const watch = new EventStreamWatch();
    cdp.on('Network.requestWillBeSent', (e) => {
      // A new document ends the old one's connections, for which the protocol reports no loadingFailed.
      if (e.type === 'Document') watch.open.clear();
      const headers = Object.fromEntries(Object.entries(e.request.headers).map(([k, v]) => [k.toLowerCase(), String(v)]));
      const stream = new URL(e.request.url).pathname.startsWith('/api/v1/events') || (headers.accept ?? '').includes('text/event-stream');
      if (!stream) return;
      const started = { at: Date.now(), url: e.request.url, lastEventId: headers['last-event-id'] };
      watch.open.set(e.requestId, started);
      watch.started.push(started);
      watch.max = Math.max(watch.max, watch.open.size);
    });
    const done = (e: { requestId: string }) => watch.open.delete(e.requestId);
    cdp.on('Network.loadingFinished', done);
    cdp.on('Network.loadingFailed', done);
    await cdp.send('Network.enable');
    return watch;
  }

  get count(): number {
    return this.open.size;
  }
}

describe('the web console in Chromium, on a stack that runs pipelines', () => {
  let stack: KeelsonStack;
  let git: GitHttpServer;
  let webhookSecret = '';
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let streams: EventStreamWatch;
  const cspViolations: string[] = [];
  const runs: Partial<Runs> = {};

  const url = (path: string) => `${stack.manager.url}${path}`;
  const api = (path: string, body?: unknown) => stack.api(`/api/v1/namespaces/${NS}/${path}`, body);
  const startRun = async (branch: string): Promise<string> => {
    const res = await api(`pipelines/${PL}/run`, { branch });
    if (res.status !== 201) throw new Error(`run of branch ${branch}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.metadata.name as string;
  };

  /** The run number (`#n`), once the execution controller has given one (a webhook's execution gets it after). */
  const numberOf = async (run: string): Promise<number> => {
    let n: number | undefined;
    await waitFor(`${run}'s run number`, async () => (n = (await stack.execution(run)).spec.run) !== undefined, { timeoutMs: 30_000 });
    return n!;
  };

  function watchCsp(p: Page): void {
    // Where each violation comes from (file, line, sample), reported by the page itself.
    void p.addInitScript({
      content: "document.addEventListener('securitypolicyviolation', (e) => console.log(`CSP violation: ${e.violatedDirective} at ${e.sourceFile}:${e.lineNumber}:${e.columnNumber} sample=${e.sample}`));",
    });
    p.on('console', (msg) => {
      if (/Content[- ]Security[- ]Policy|CSP violation/i.test(msg.text())) cspViolations.push(`${msg.text()} (${p.url()})`);
    });
  }

  beforeAll(async () => {
    if (!existsSync(join(CONSOLE_DIR, 'index.html'))) throw new Error(`the console is not built in ${CONSOLE_DIR}: run "npm run build:console"`);
    if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH)`);
    mkdirSync(ARTIFACTS, { recursive: true });
    stack = await KeelsonStack.start({ minio: true, files: { '.devops.yml': MAIN_YML, 'main.go': 'package main\n' }, managerEnv: { CONSOLE_DIR } });
    for (const [branch, yml] of [['failing', FAILING_YML], ['gated', GATED_YML], ['slow', SLOW_YML]]) {
      await stack.repo.branch(branch, 'main');
      await stack.repo.checkout(branch);
      await stack.repo.commit({ '.devops.yml': yml }, `the ${branch} pipeline`);
    }
    await stack.repo.checkout('main');
    // Over http, as a forge serves it: a push webhook names the repository by this URL.
    git = await GitHttpServer.start({ root: dirname(stack.repo.dir) });
    await stack.createSetting({ maxConcurrentExecutions: 10 });
    await stack.createPipeline(PL, NS, { repositoryUrl: git.url(basename(stack.repo.dir)) });
    let secretName = '';
    await waitFor('the pipeline\'s webhook Secret', async () => {
      secretName = (await stack.kube.resource(Keelson.Pipeline).get(NS, PL)).status?.webhook?.secretName ?? '';
      return secretName !== '';
    }, { timeoutMs: 30_000 });
    const stored = await stack.kube.resource(Core.Secret).get(NS, secretName);
    webhookSecret = Buffer.from((stored.data as Record<string, string>).secret, 'base64').toString('utf8');
    // The failed run the step-log flow and the tour read; it runs while the browser starts.
    runs.failed = await startRun('failing');
    runs.failedNumber = await numberOf(runs.failed);
    runs.failedStage = 1;
    runs.failedStep = 0;

    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    page = await context.newPage();
    watchCsp(page);
    streams = await EventStreamWatch.attach(await context.newCDPSession(page));
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await git?.stop();
    await stack?.stop();
  });

  async function expectAccessible(p: Page, name: string): Promise<void> {
    const result = await new AxeBuilder({ page: p }).analyze();
    const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}; ${v.nodes[0]?.failureSummary ?? ''}`);
    expect({ page: name, violations: bad }).toEqual({ page: name, violations: [] });
  }

  /** caret: 'initial', or Playwright injects a <style> to hide the caret, which the CSP (rightly) blocks. */
  async function shot(p: Page, file: string): Promise<void> {
    await p.screenshot({ path: join(ARTIFACTS, file), fullPage: true, caret: 'initial' });
  }

  async function setTheme(p: Page, theme: 'light' | 'dark'): Promise<void> {
    for (let i = 0; i < 3 && (await p.locator('html').getAttribute('data-theme')) !== theme; i++) {
      await p.getByRole('button', { name: /theme/i }).click();
    }
    expect(await p.locator('html').getAttribute('data-theme')).toBe(theme);
  }

  /** The CSS module's hashed name of the log viewer's highlight class, read from the console's own stylesheet. */
  async function highlightClass(): Promise<string> {
    const selectors = await page.evaluate(() => {
      const sheets = [...(globalThis as any).document.styleSheets].flatMap((s: any) => [...s.cssRules]).map((r: any) => r.selectorText ?? '');
      return sheets.filter((t: string) => /highlight/.test(t));
    });
    const match = /\.([\w-]*highlight[\w-]*)/.exec(selectors.join(' '));
    if (!match) throw new Error('no highlight class in the console\'s CSS');
    return match[1];
  }

  /** Waits for `locator`, failing with `why` rather than a bare timeout. */
  async function expectShown(locator: Locator, why: string, timeout = 30_000): Promise<void> {
    try {
      await locator.waitFor({ timeout });
    } catch (err) {
      throw new Error(`${why} (on ${page.url()}): ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
    }
  }

  /** The run page's header: the h1 and its status beside it. */
  const runHeader = () => page.getByRole('heading', { level: 1 }).locator('xpath=..');

  it('1. signs in with a token on the login page and lands on the page asked for', async () => {
    await page.goto(url(`/p/${NS}/pipelines`));
    await expectShown(page.getByLabel('Bearer token'), 'a signed-out visit to a page shows the login page');
    expect(new URL(page.url()).pathname).toBe('/login');
    await page.getByLabel('Bearer token').fill(stack.adminToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expectShown(page.getByRole('heading', { name: 'Pipelines' }), 'after signing in, the page asked for (pipelines)');
    expect(new URL(page.url()).pathname).toBe(`/p/${NS}/pipelines`);
    await expectShown(page.getByText('Live', { exact: true }), 'the Live indicator: the tab\'s event stream is open');
  });

  it('2. starts a run from the Run dialog and watches it live to Succeeded without a reload, title and favicon too', async () => {
    await page.getByRole('link', { name: PL, exact: true }).click();
    await expectShown(page.getByRole('heading', { name: PL, level: 1 }), 'the pipeline page');
    const documents: string[] = [];
    const onRequest = (r: { resourceType(): string; url(): string }) => r.resourceType() === 'document' && documents.push(r.url());
    page.on('request', onRequest);
    try {
      await page.getByRole('button', { name: 'Run', exact: true }).click();
      const dialog = page.getByRole('dialog');
      await expectShown(dialog.getByRole('heading', { name: `Run ${PL}` }), 'the Run dialog');
      await dialog.getByRole('textbox', { name: 'Branch' }).fill('main');
      await dialog.getByRole('button', { name: 'Run', exact: true }).click();
      await page.waitForURL(/\/runs\/[^/]+$/, { timeout: 30_000 });
      const run = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!);
      await expectShown(page.getByRole('heading', { name: `${PL} #${await numberOf(run)}` }), `the new run ${run}'s page`);
      await expectShown(runHeader().getByText('Running', { exact: true }), `${run} shown Running in the run header`, 90_000);
      expect(await page.title()).toMatch(/^▶ Running · web #\d+ · Keelson$/);
      expect(await page.locator('link[rel="icon"]').getAttribute('href')).toBe('/favicon-running.svg');
      await shot(page, 'run-live-light.png');
      // The run's end, told by the event stream: nothing reloads the page.
      await expectShown(runHeader().getByText('Succeeded', { exact: true }), `${run} shown Succeeded in the run header without a reload`, 120_000);
      expect((await stack.execution(run)).status?.phase).toBe('Succeeded');
      expect(await page.title()).toMatch(/^✓ Succeeded · web #\d+ · Keelson$/);
      expect(await page.locator('link[rel="icon"]').getAttribute('href')).toBe('/favicon-succeeded.svg');
      expect({ documentsLoaded: documents }).toEqual({ documentsLoaded: [] });
    } finally {
      page.off('request', onRequest);
    }
  });

  it('3. opens the failing step\'s log and jumps to the error with "Next error"', async () => {
    const failed = runs.failed!;
    await stack.waitForPhase(failed, ['Failed', 'Succeeded', 'Aborted'], 120_000);
    await page.goto(url(runPath(failed)));
    await expectShown(page.getByRole('heading', { name: `${PL} #${await numberOf(failed)}` }), `the failed run ${failed}'s page`);
    await expectShown(runHeader().getByText('Failed', { exact: true }), 'the run header says Failed');
    // A failed run opens on its failing step, its log at the tail (the last line is the failing command).
    const log = page.getByRole('region', { name: 'Log of test › unit' });
    await expectShown(log.getByText('+ exit 2'), 'the failing step\'s log, opened at its tail');
    const errorText = log.getByText('2 of 40 tests failed').first();
    expect(await errorText.isVisible()).toBe(false);
    await log.getByRole('button', { name: 'Next error' }).click();
    const current = log.locator('[aria-current="true"]');
    await expectShown(current, '"Next error" marks an error line as the current one');
    expect(await current.innerText()).toContain('ERROR: 2 of 40 tests failed in parser.spec');
    // The marked line is on screen, inside the log's scroll area.
    const inView = await current.evaluate((row) => {
      const w = globalThis as any; // the page's window (the backend's tsconfig has no DOM types)
      const scrolls = (el: any) => ['auto', 'scroll'].includes(w.getComputedStyle(el).overflowY);
      let box = row.parentElement;
      while (box && !scrolls(box)) box = box.parentElement;
      const r = row.getBoundingClientRect();
      const s = (box ?? w.document.documentElement).getBoundingClientRect();
      return r.height > 0 && r.top >= s.top - 1 && r.bottom <= s.bottom + 1 && r.bottom <= w.innerHeight;
    });
    expect({ errorLineInView: inView }).toEqual({ errorLineInView: true });
    await shot(page, 'run-next-error-light.png');
  });

  it('3b. opens the failing step\'s log full screen at a #L line link, highlighted, with a bounded number of rows mounted', async () => {
    await page.goto(url(`${runPath(runs.failed!)}/stages/${runs.failedStage}/steps/${runs.failedStep}#L3-L4`));
    await expectShown(page.getByRole('heading', { name: 'test › unit' }), 'the full-screen step log');
    await expectShown(page.getByText(/^1,2\d\d lines/), 'the log\'s line count (about 1,200)');
    const marked = page.locator(`[data-line].${await highlightClass()}`);
    await expectShown(marked.first(), 'the linked lines highlighted');
    expect(await marked.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-line')))).toEqual(['3', '4']);
    expect(await page.locator('[data-line="4"]').innerText()).toContain('ERROR: 2 of 40 tests failed in parser.spec');
    const mounted = await page.locator('[data-line]').count();
    expect(mounted).toBeGreaterThan(10);
    expect(mounted).toBeLessThanOrEqual(120);
  });

  it('4. approves a gate in the approvals inbox, and the run goes on to Succeeded', async () => {
    const gated = await startRun('gated');
    await waitFor(`${gated} waiting at its gate`, async () => (await stack.execution(gated)).status?.stages?.[1]?.steps[0]?.phase === 'Waiting', { timeoutMs: 120_000 });
    await page.getByRole('link', { name: 'Approvals' }).first().click();
    await expectShown(page.getByRole('heading', { name: 'Approvals', level: 1 }), 'the approvals inbox');
    const row = page.getByRole('row', { name: new RegExp(`${PL} #${await numberOf(gated)}\\b`) });
    await expectShown(row, `${gated}'s gate in the inbox`);
    await row.getByRole('textbox', { name: 'Comment' }).fill('looks good');
    await row.getByRole('button', { name: 'Approve' }).click();
    try {
      await page.getByText('No approval is waiting').waitFor({ timeout: 60_000 });
    } catch {
      const shown = await row.innerText().catch(() => '(row gone)');
      throw new Error(`the answered gate stayed in the inbox; the row says: ${shown}; the step: ${JSON.stringify((await stack.execution(gated)).status?.stages?.[1]?.steps[0])}`);
    }
    const done = await stack.waitForPhase(gated, ['Succeeded', 'Failed', 'Aborted'], 120_000);
    expect(done.status?.phase).toBe('Succeeded');
    expect(done.status?.stages?.[1]?.steps[0]?.approval).toMatchObject({ decision: 'Approved', user: 'admin' });
  });

  it('5. stops a run with a reason from the run page, and shows the reason', async () => {
    const slow = await startRun('slow');
    await stack.waitForPhase(slow, ['Running'], 120_000);
    await page.goto(url(runPath(slow)));
    await expectShown(runHeader().getByText('Running', { exact: true }), `${slow} shown Running`);
    await page.getByRole('button', { name: 'Stop', exact: true }).click();
    await expectShown(page.getByRole('textbox', { name: 'Reason' }), 'the Stop dialog asks for a reason (textbox "Reason")', 10_000);
    await page.getByRole('textbox', { name: 'Reason' }).fill('wrong branch, stopping by hand');
    await page.getByRole('button', { name: 'Stop run' }).click();
    await expectShown(runHeader().getByText('Stopped', { exact: true }), `${slow} shown Stopped without a reload`, 120_000);
    expect((await stack.execution(slow)).status?.phase).toBe('Aborted');
    await expectShown(page.getByText('wrong branch, stopping by hand'), 'the stop reason shown on the run page');
  });

  it('6. follows a signed push webhook\'s delivery to the run it made', async () => {
    const sha = stack.repo.initialCommit;
    const repoUrl = git.url(basename(stack.repo.dir));
    const body = JSON.stringify({
      ref: 'refs/heads/main', after: sha,
      repository: { id: 1, full_name: 'demo/app', clone_url: repoUrl, html_url: repoUrl.replace(/\.git$/, '') },
      head_commit: { id: sha, message: 'Ship it', author: { name: 'Dev', email: 'dev@example.com' } },
    });
    const res = await fetch(url(`/hooks/pipelines/${NS}/${PL}`), {
      method: 'POST', body,
      headers: {
        'content-type': 'application/json', 'x-github-event': 'push', 'x-github-delivery': randomUUID(),
        'x-hub-signature-256': `sha256=${createHmac('sha256', webhookSecret).update(body).digest('hex')}`,
      },
    });
    const answer = await res.json() as { executions?: string[] };
    expect(res.status).toBe(201);
    const made = answer.executions![0];
    const number = await numberOf(made);
    await page.goto(url(`/p/${NS}/pipelines/${PL}/deliveries`));
    await expectShown(page.getByRole('link', { name: made, exact: true }), `the deliveries page lists the accepted delivery with a link named "${made}"`);
    await page.getByRole('link', { name: made, exact: true }).click();
    await expectShown(page.getByRole('heading', { name: `${PL} #${number}` }), `the delivery's link lands on ${made}'s run page`);
    expect(new URL(page.url()).pathname).toBe(runPath(made));
  });

  describe('every page, light and dark: a screenshot and no serious or critical axe-core finding', () => {
    for (const row of PAGES) {
      it(row.name, async () => {
        const target = row.signedOut ? await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage() : page;
        if (target !== page) watchCsp(target);
        try {
          await target.goto(url(row.path(runs as Runs)));
          const ready = row.ready(target, runs as Runs);
          try {
            await ready.waitFor({ timeout: 20_000 });
          } catch {
            const h1 = await target.getByRole('heading', { level: 1 }).first().innerText({ timeout: 1000 }).catch(() => '(none)');
            throw new Error(`page "${row.name}" at ${row.path(runs as Runs)} did not show what it waits for; its h1 is "${h1}" (a page not built on this branch shows "Not found")`);
          }
          for (const theme of THEMES) {
            await setTheme(target, theme);
            await shot(target, `${row.name}-${theme}.png`);
            await expectAccessible(target, `${row.name} (${theme})`);
          }
        } finally {
          if (target !== page) await target.context().close();
        }
      });
    }
  });

  it('T4: keeps at most one event stream open in the tab, a live step\'s log on it too, none while it is hidden, and resumes with Last-Event-ID', async () => {
    // Through every flow and page above: never two at once.
    expect({ mostOpenAtOnce: streams.max }).toEqual({ mostOpenAtOnce: 1 });
    await page.goto(url('/'));
    await expectShown(page.getByText('Live', { exact: true }), 'the Live indicator');
    await waitFor('one open event stream', async () => streams.count === 1, { timeoutMs: 10_000 });
    // Something happens, so the stream has an event id to resume from; its first step's log is followed live, on
    // the same stream (main's compile step sleeps 8 s between its two lines).
    const live = await startRun('main');
    await stack.waitForPhase(live, ['Running'], 120_000);
    await page.goto(url(`${runPath(live)}/stages/0/steps/0`));
    await expectShown(page.getByText('compiling', { exact: true }), `${live}'s live step shows its first line`, 60_000);
    await waitFor('one stream, carrying the live step\'s log', async () => streams.count === 1 && Boolean(streams.started.at(-1)?.url.includes('log=')), {
      timeoutMs: 10_000, onTimeout: () => `${streams.count} open; last started ${streams.started.at(-1)?.url}`,
    });
    // Headless Chromium 156 keeps every tab "visible" (another page in front, a minimised window,
    // Emulation.setFocusEmulationEnabled, Page.setWebLifecycleState: all tried), so the page is told it is hidden
    // the way the browser tells it: document.hidden, visibilityState and a visibilitychange event.
    const setHidden = (hidden: boolean) => page.evaluate((h) => {
      const doc = (globalThis as any).document;
      Object.defineProperty(doc, 'hidden', { configurable: true, get: () => h });
      Object.defineProperty(doc, 'visibilityState', { configurable: true, get: () => (h ? 'hidden' : 'visible') });
      doc.dispatchEvent(new Event('visibilitychange'));
    }, hidden);
    const before = streams.started.length;
    await setHidden(true);
    await waitFor('no event stream while the tab is hidden', async () => streams.count === 0, { timeoutMs: 10_000, onTimeout: () => `${streams.count} open` });
    await expectShown(page.getByText('Paused', { exact: true }), 'the Live indicator says Paused while hidden');
    await new Promise((r) => setTimeout(r, 3000));
    expect({ openWhileHidden: streams.count, startedWhileHidden: streams.started.length - before }).toEqual({ openWhileHidden: 0, startedWhileHidden: 0 });
    await setHidden(false);
    await waitFor('the event stream again once the tab shows', async () => streams.count === 1, { timeoutMs: 10_000 });
    await expectShown(page.getByText('Live', { exact: true }), 'the Live indicator says Live again');
    expect(streams.started.at(-1)?.lastEventId).toBeTruthy();
    expect(streams.started.at(-1)?.url).toMatch(/[?&]logFrom=[1-9]/); // the log resumes from the bytes it has
    await expectShown(page.getByText('compiled', { exact: true }), `${live}'s later line, after the tab showed again`, 60_000);
    expect({ mostOpenAtOnce: streams.max }).toEqual({ mostOpenAtOnce: 1 });
  });

  it('met its CSP on every page', () => {
    expect(cspViolations).toEqual([]);
  });
});
