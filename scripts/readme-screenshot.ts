// The README's first screenshot, taken from `npm start`'s local mode as a user sees it: the sample pipeline is run
// through the API, and Debian's Chromium opens its run page once it has finished, signed in with the admin's token.
// Usage, with `npm start` running in another terminal:
//   node -r @swc-node/register scripts/readme-screenshot.ts [http://127.0.0.1:8080] [docs/images/console-run.png]
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const base = process.argv[2] ?? 'http://127.0.0.1:8080';
const out = process.argv[3] ?? 'docs/images/console-run.png';
const home = process.env.KEELSON_HOME ?? join(homedir(), '.cache/keelson');

/** The admin's bearer token from local mode's kubeconfig (a static token, on the `token:` line). */
function adminToken(): string {
  const kubeconfig = readFileSync(join(home, 'local/kubeconfig'), 'utf8');
  const token = /^\s*token:\s*(\S+)\s*$/m.exec(kubeconfig)?.[1];
  if (!token) throw new Error(`no token in ${join(home, 'local/kubeconfig')}: is local mode (npm start) running?`);
  return token;
}

async function api<T>(token: string, path: string, init: RequestInit = {}): Promise<T> {
  const res = await fetch(`${base}${path}`, { ...init, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' } });
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

async function main(): Promise<void> {
  const token = adminToken();
  const run = await api<{ metadata: { name: string } }>(token, '/api/v1/namespaces/demo/pipelines/sample/run', { method: 'POST', body: JSON.stringify({ branch: 'main' }) });
  const name = run.metadata.name;
  for (let i = 0; ; i++) {
    const exe = await api<{ status?: { phase?: string } }>(token, `/api/v1/namespaces/demo/pipelineexecutions/${name}`);
    if (['Succeeded', 'Failed', 'Aborted'].includes(exe.status?.phase ?? '')) break;
    if (i > 300) throw new Error(`${name} did not finish in 5 minutes (phase ${exe.status?.phase})`);
    await new Promise((r) => setTimeout(r, 1000));
  }
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1100 }, colorScheme: 'light' });
    await page.goto(`${base}/login`);
    await page.getByLabel(/token/i).fill(token);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.goto(`${base}/p/demo/pipelines/sample/runs/${name}`);
    await page.getByRole('region', { name: /^Log of / }).getByText(/\S/).first().waitFor({ timeout: 30_000 });
    await page.waitForTimeout(500); // the log's rows settle
    await page.screenshot({ path: out });
    console.log(`${out}: run page of ${name}`);
  } finally {
    await browser.close();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
