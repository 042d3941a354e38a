import { execFile, spawn, ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, processesOwnedBy, repoRoot, serverBinDir, waitFor } from '@keelson/servers';
import { KubeClient, Keelson, Core } from '@keelson/kube';
import { imagePushCommands } from '../../apps/local/src/sample-pipeline';

const execFileAsync = promisify(execFile);

// Runs the built local mode (`npm start` after set-up) as a user would, in a temporary KEELSON_HOME.
const home = mkdtempSync(join(tmpdir(), 'keelson-home-'));
const stateDir = join(home, 'local');
const main = join(repoRoot(), 'dist', 'apps', 'local', 'src', 'main.js');
let child: ChildProcess;
let output = '';
let port: number;

beforeAll(async () => {
  if (!existsSync(main)) throw new Error(`${main} is missing: run "npm run build" first (npm test does)`);
  port = await freePort();
  child = spawn(process.execPath, [main], {
    env: { ...process.env, KEELSON_HOME: home, KEELSON_SERVERS_BIN: serverBinDir(), PORT: String(port), REDIS_URL: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  await waitFor('the local-mode banner', () => output.includes('Press Ctrl-C'), {
    timeoutMs: 180_000, onTimeout: () => output,
  });
});
afterAll(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  rmSync(home, { recursive: true, force: true });
});

describe('local mode', () => {
  it('prints where everything listens and writes the kubeconfig at the fixed place', () => {
    expect(output).toContain(`manager      http://127.0.0.1:${port}`);
    expect(output).toContain(`kubeconfig   ${join(stateDir, 'kubeconfig')}`);
    const endpoints = JSON.parse(readFileSync(join(stateDir, 'endpoints.json'), 'utf8'));
    expect(endpoints.kubeconfig).toBe(join(stateDir, 'kubeconfig'));
    expect(endpoints.redis).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/);
    expect(endpoints.redis).not.toBe('redis://127.0.0.1:6379');
  });

  it('serves a ready manager on the chosen port', async () => {
    await waitFor('/readyz', async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200, { timeoutMs: 30_000 });
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
  });

  it('serves the web console at / with its CSP, and says so in the banner', async () => {
    expect(output).toContain(`console      http://127.0.0.1:${port}/`);
    const page = await fetch(`http://127.0.0.1:${port}/p/demo/pipelines`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await page.text()).toContain('<div id="root">');
  });

  it('gives plain kubectl three Ready simulated nodes and the CRDs', async () => {
    const kube = new KubeClient({ kubeconfigPath: join(stateDir, 'kubeconfig') });
    const nodes = await kube.resource(Core.Node).list();
    expect(nodes.items.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))).toHaveLength(3);
    expect((await kube.resource(Keelson.Pipeline).list()).items.map((p) => `${p.metadata.namespace}/${p.metadata.name}`)).toEqual(['demo/sample']);
  });

  it('runs the sample pipeline as the README shows: the admin token of the kubeconfig, then kubectl get -w', async () => {
    const kubeconfig = join(stateDir, 'kubeconfig');
    const token = (await execFileAsync(join(serverBinDir(), 'kubectl'), ['--kubeconfig', kubeconfig, 'config', 'view', '--raw', '-o', 'jsonpath={.users[0].user.token}'])).stdout;
    const res = await fetch(`http://127.0.0.1:${port}/api/v1/namespaces/demo/pipelines/sample/run`, {
      method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ branch: 'main' }),
    });
    expect(res.status).toBe(201);
    const name = ((await res.json()) as { metadata: { name: string } }).metadata.name;
    const kube = new KubeClient({ kubeconfigPath: kubeconfig });
    let phase: string | undefined;
    await waitFor('the sample run to finish', async () => {
      phase = (await kube.resource(Keelson.PipelineExecution).get('demo', name)).status?.phase;
      return phase === 'Succeeded' || phase === 'Failed' || phase === 'Aborted';
    }, { timeoutMs: 120_000 });
    expect(phase).toBe('Succeeded');
    const table = (await execFileAsync(join(serverBinDir(), 'kubectl'), ['--kubeconfig', kubeconfig, 'get', 'pipelineexecutions', '-n', 'demo'])).stdout;
    expect(table).toMatch(new RegExp(`^${name}\\s+sample\\s+1\\s+Succeeded\\s+main`, 'm'));
    // Its step logs went to the local MinIO and read back through the API.
    await waitFor('the sample run\'s logs to be sealed', async () => (await kube.resource(Keelson.PipelineExecution).get('demo', name)).status?.log?.state === 'Complete', { timeoutMs: 60_000 });
    const log = await fetch(`http://127.0.0.1:${port}/api/v1/namespaces/demo/pipelineexecutions/${name}/logs?stage=0&step=0`, { headers: { authorization: `Bearer ${token}` } });
    expect(log.status).toBe(200);
    expect(await log.text()).toContain('compiling');
  });

  it('runs the sample pipeline when an image is pushed into the local registry with the banner\'s curl commands', async () => {
    const endpoints = JSON.parse(readFileSync(join(stateDir, 'endpoints.json'), 'utf8'));
    expect(output).toContain(`registry     ${endpoints.registry}`);
    const commands = imagePushCommands(endpoints.registry, endpoints.sample.image);
    for (const line of commands) expect(output).toContain(line);
    await execFileAsync('bash', ['-euo', 'pipefail', '-c', commands.join('\n')]);
    const kube = new KubeClient({ kubeconfigPath: join(stateDir, 'kubeconfig') });
    const imageRuns = async () => (await kube.resource(Keelson.PipelineExecution).list('demo')).items.filter((e) => e.spec.trigger?.event === 'image');
    let phase: string | undefined;
    await waitFor('the image run to finish', async () => {
      phase = (await imageRuns())[0]?.status?.phase;
      return phase === 'Succeeded' || phase === 'Failed' || phase === 'Aborted';
    }, { timeoutMs: 120_000 });
    expect(phase).toBe('Succeeded');
    const [run] = await imageRuns();
    expect(run.spec).toMatchObject({ branch: 'main', title: 'image sample/app:v1 pushed' });
    expect(run.spec.commit).toMatch(/^[0-9a-f]{40}$/);
    // The same push again starts nothing.
    await execFileAsync('bash', ['-euo', 'pipefail', '-c', commands.join('\n')]);
    await new Promise((r) => setTimeout(r, 2000));
    expect(await imageRuns()).toHaveLength(1);
  });

  it('stops every server it started on Ctrl-C', async () => {
    const owner = `keelson-local:${stateDir}`;
    const servers = processesOwnedBy(owner);
    expect(servers.length).toBeGreaterThanOrEqual(8); // etcd, apiserver, scheduler, controller-manager, kwok, redis, minio, registry
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(processesOwnedBy(owner)).toEqual([]);
  });
});
