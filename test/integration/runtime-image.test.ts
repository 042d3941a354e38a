// The manager image's runtime stage, rebuilt outside a container by scripts/runtime-image.sh (the files the
// Dockerfile's runtime COPY lines name, production dependencies only) and started as the image starts it
// (`node dist/apps/manager/src/main.js` from its WORKDIR) with the chart's environment, against a real apiserver
// and a private Redis: it must serve health and metrics, take the Lease, reload its runtime config, keep its
// debug endpoints to those RBAC lets in, stop on SIGTERM, and refuse a bad configuration naming every variable.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync, existsSync, openSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Core, KubeClient } from '@keelson/kube';
import { ControlPlane, RedisServer, freePort, repoRoot, waitFor } from '@keelson/servers';
import { MANAGER_ENTRY } from '../../scripts/dockerfile';
import { dashboardMetricNames, exportedMetricNames } from '../../scripts/dashboard-metrics';

jest.setTimeout(300_000);

const root = repoRoot();
let work: string;
let image: string;
let cp: ControlPlane;
let redis: RedisServer;
let manager: ChildProcess | undefined;
let url: string;
let logFile: string;
const CANARY = 'canary-0f3c9d-not-for-reports';

/** kubelet's layout of a mounted ConfigMap: config.json -> ..data/config.json, ..data -> a timestamped dir. */
function writeConfigMap(dir: string, data: Record<string, string>): void {
  const stamp = join(dir, `..${Date.now()}-${Math.random().toString(36).slice(2)}`);
  mkdirSync(stamp);
  writeFileSync(join(stamp, 'config.json'), JSON.stringify(data));
  symlinkSync(stamp.slice(dir.length + 1), join(dir, '..data_tmp'));
  renameSync(join(dir, '..data_tmp'), join(dir, '..data'));
  if (!existsSync(join(dir, 'config.json'))) symlinkSync('..data/config.json', join(dir, 'config.json'));
}

const log = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');
const logLines = (msg: string) => log().split('\n').filter((l) => l.includes(`"msg":"${msg}"`)).map((l) => JSON.parse(l) as Record<string, unknown>);
const metrics = async () => (await fetch(`${url}/metrics`)).text();

beforeAll(async () => {
  if (!existsSync(join(root, MANAGER_ENTRY))) throw new Error(`${MANAGER_ENTRY} is not built: run npm run build first`);
  work = mkdtempSync(join(tmpdir(), 'keelson-runtime-image-'));
  // Outside the repository, so nothing resolves from its node_modules (which hold the dev dependencies).
  image = join(work, 'app');
  const built = spawnSync('bash', [join(root, 'scripts', 'runtime-image.sh'), image], { encoding: 'utf8', timeout: 240_000 });
  if (built.status !== 0) throw new Error(`scripts/runtime-image.sh failed:\n${built.stderr}`);
  [cp, redis] = await Promise.all([ControlPlane.start(), RedisServer.start()]);
  const admin = new KubeClient({ kubeconfigPath: cp.adminKubeconfig });
  await admin.resource(Core.Namespace).create({ metadata: { name: 'keelson-system' } });
  // "Whoever the operator grants": a user allowed the report, not the heap snapshot.
  await admin.resource(Core.ClusterRole).create({ metadata: { name: 'keelson-debug-report' }, rules: [{ nonResourceURLs: ['/debug/keelson/report'], verbs: ['get'] }] });
  await admin.resource(Core.ClusterRoleBinding).create({
    metadata: { name: 'alice-debug-report' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'keelson-debug-report' },
    subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'alice' }],
  });
  mkdirSync(join(work, 'runtime'));
  writeConfigMap(join(work, 'runtime'), {});
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  logFile = join(work, 'manager.log');
  const out = openSync(logFile, 'a');
  manager = spawn(process.execPath, [MANAGER_ENTRY], {
    cwd: image, stdio: ['ignore', out, out],
    env: {
      PATH: process.env.PATH, HOME: work, TMPDIR: work, NODE_ENV: 'production', KEELSON_VERSION: '9.8.7-test', KEELSON_SERVER_OWNER: process.env.KEELSON_SERVER_OWNER,
      // The chart's environment (one Deployment, every role).
      API_AUTH: 'kubernetes', ROLES: 'api,webhooks,controllers,workers', POD_NAME: 'keelson-0', POD_NAMESPACE: 'keelson-system',
      LEADER_ELECTION_NAMESPACE: 'keelson-system', REDIS_URL: redis.url, REDIS_PREFIX: `runtime-image-${process.pid}`,
      KUBECONFIG: cp.managerKubeconfig, HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'info', LOG_ARCHIVING: 'false',
      RUNTIME_CONFIG_FILE: join(work, 'runtime', 'config.json'), RUNTIME_CONFIG_POLL_MS: '300', KEELSON_REPORT_CANARY: CANARY,
    },
  });
  await waitFor('/readyz 200', async () => (await fetch(`${url}/readyz`).then((r) => r.status).catch(() => 0)) === 200, {
    timeoutMs: 120_000, onTimeout: () => log().slice(-3000),
  });
});

afterAll(async () => {
  if (manager && manager.exitCode === null && manager.signalCode === null) {
    manager.kill('SIGKILL');
    await new Promise((r) => manager!.once('exit', r));
  }
  await redis?.stop();
  await cp?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the runtime stage, started as the image starts it', () => {
  it('runs from production dependencies only', () => {
    // The lock file marks what only the dev dependencies need ("dev": true); none of it may be installed.
    const lock = JSON.parse(readFileSync(join(image, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
    const devOnly = Object.entries(lock.packages).filter(([path, p]) => p.dev && path.startsWith('node_modules/')).map(([path]) => path);
    expect(devOnly).toEqual(expect.arrayContaining(['node_modules/jest', 'node_modules/typescript', 'node_modules/@swc/core']));
    expect(devOnly.filter((path) => existsSync(join(image, path)))).toEqual([]);
    expect(existsSync(join(image, 'node_modules', '@nestjs', 'core'))).toBe(true);
  });

  it('is live and ready, and reports the version the image was built with', async () => {
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${url}/version`)).json()).toMatchObject({ name: 'keelson-manager', version: '9.8.7-test' });
  });

  it('takes the Lease and exports the controllers\', the queues\' and the process\'s metrics', async () => {
    await waitFor('leader', async () => /^keelson_leader_election_is_leader\{lease="keelson-controllers"\} 1$/m.test(await metrics()), { timeoutMs: 60_000 });
    // Registered when the leader starts its controllers.
    await waitFor('controller metrics', async () => /^# TYPE controller_runtime_reconcile_total counter$/m.test(await metrics()), { timeoutMs: 30_000 });
    const text = await metrics();
    expect(text).toMatch(/^keelson_informer_synced\{resource="pipelineexecutions"\} 1$/m);
    expect(text).toMatch(/^process_resident_memory_bytes \d+/m);
    expect(text).toMatch(/^keelson_config_value\{variable="SYNC_WORKERS"\} 20$/m);
  });

  it('exports every metric the Grafana dashboard queries', async () => {
    const dashboard = JSON.parse(readFileSync(join(root, 'charts', 'keelson', 'dashboards', 'keelson.json'), 'utf8'));
    const exported = exportedMetricNames(await metrics());
    const queried = dashboardMetricNames(dashboard);
    expect(queried.length).toBeGreaterThan(15);
    expect(queried.filter((name) => !exported.has(name))).toEqual([]);
  });

  it('applies a new runtime config when kubelet swaps the ConfigMap, refusing by name what needs a restart', async () => {
    expect(logLines('runtime config in force')).toEqual([]); // info: the debug line is not written
    writeConfigMap(join(work, 'runtime'), { LOG_LEVEL: 'debug', SYNC_WORKERS: '40', REPORT_WORKERS: '7', PORT: '1' });
    await waitFor('SYNC_WORKERS 40', async () => /^keelson_config_value\{variable="SYNC_WORKERS"\} 40$/m.test(await metrics()), { timeoutMs: 10_000 });
    const text = await metrics();
    expect(text).toMatch(/^keelson_config_value\{variable="REPORT_WORKERS"\} 7$/m);
    expect(text).toMatch(/^keelson_config_log_level\{level="debug"\} 1$/m);
    expect(text).toMatch(/^keelson_config_reloads_total\{result="refused"\} 1$/m);
    expect(logLines('runtime config variable refused')).toEqual([expect.objectContaining({ variable: 'PORT', problem: expect.stringContaining('not reloadable: it needs a restart') })]);
    // The new level reached a child logger made at boot.
    await waitFor('a debug line', () => logLines('runtime config in force').length > 0, { timeoutMs: 5_000 });
    expect(logLines('runtime config in force')[0]).toMatchObject({ level: 20, component: 'runtime-config', values: expect.objectContaining({ syncWorkers: 40 }) });
    expect((await fetch(`${url}/healthz`)).status).toBe(200); // PORT=1 was not applied
  });

  it('keeps the value in force when the new one is invalid, naming the variable', async () => {
    writeConfigMap(join(work, 'runtime'), { LOG_LEVEL: 'debug', SYNC_WORKERS: 'lots' });
    await waitFor('the refusal', () => logLines('runtime config variable refused').some((l) => l.variable === 'SYNC_WORKERS'), { timeoutMs: 10_000 });
    const refusal = logLines('runtime config variable refused').find((l) => l.variable === 'SYNC_WORKERS')!;
    expect(refusal.problem).toBe('expected a whole number from 1 to 1000 (got "lots"); keeping 40');
    const text = await metrics();
    expect(text).toMatch(/^keelson_config_value\{variable="SYNC_WORKERS"\} 40$/m);
    // REPORT_WORKERS left the file: back to its environment value.
    expect(text).toMatch(/^keelson_config_value\{variable="REPORT_WORKERS"\} 5$/m);
  });

  it('reads the file again on SIGHUP, and keeps running', async () => {
    const before = Number(/^keelson_config_reloads_total\{result="refused"\} (\d+)$/m.exec(await metrics())![1]);
    manager!.kill('SIGHUP');
    await waitFor('a reload on SIGHUP', async () => Number(/^keelson_config_reloads_total\{result="refused"\} (\d+)$/m.exec(await metrics())![1]) === before + 1, { timeoutMs: 5_000 });
    expect(logLines('runtime config applied').at(-1)).toMatchObject({ trigger: 'signal' });
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
  });

  it('answers its diagnostic report to whom RBAC grants it, without the environment', async () => {
    const report = await fetch(`${url}/api/v1/debug/report`, { headers: { authorization: `Bearer ${cp.admin.token}` } });
    expect(report.status).toBe(200);
    const body = await report.text();
    expect(JSON.parse(body)).toMatchObject({ header: expect.objectContaining({ nodejsVersion: process.version }), javascriptStack: expect.any(Object) });
    for (const secret of [CANARY, redis.url, cp.manager.token]) expect(body).not.toContain(secret);
    // alice holds the report's non-resource URL only.
    expect((await fetch(`${url}/api/v1/debug/report`, { headers: { authorization: `Bearer ${cp.user.token}` } })).status).toBe(200);
    const heap = await fetch(`${url}/api/v1/debug/heap-snapshot`, { method: 'POST', headers: { authorization: `Bearer ${cp.user.token}` } });
    expect(heap.status).toBe(403);
    expect(((await heap.json()) as { detail: string }).detail).toContain('may not post the non-resource URL /debug/keelson/heap-snapshot');
    expect((await fetch(`${url}/api/v1/debug/report`)).status).toBe(401);
  });

  it('streams a heap snapshot to a cluster admin', async () => {
    const res = await fetch(`${url}/api/v1/debug/heap-snapshot`, { method: 'POST', headers: { authorization: `Bearer ${cp.admin.token}` } });
    expect(res.status).toBe(200);
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(bytes.subarray(0, 12).toString()).toBe('{"snapshot":');
    expect(JSON.parse(bytes.toString())).toHaveProperty('nodes');
  });

  it('stops on SIGTERM, closing cleanly: the leader hands its Lease back', async () => {
    const admin = new KubeClient({ kubeconfigPath: cp.adminKubeconfig });
    expect((await admin.resource(Core.Lease).get('keelson-system', 'keelson-controllers')).spec?.holderIdentity).toMatch(/^keelson-0-/);
    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => manager!.once('exit', (code, signal) => resolve({ code, signal })));
    const started = Date.now();
    manager!.kill('SIGTERM');
    // Nest closes the app, then raises the signal again: the status is "ended by SIGTERM" (143 under tini).
    expect(await exited).toEqual({ code: null, signal: 'SIGTERM' });
    expect(Date.now() - started).toBeLessThan(15_000);
    expect((await admin.resource(Core.Lease).get('keelson-system', 'keelson-controllers')).spec?.holderIdentity).toBeFalsy();
    expect(log()).toContain('"msg":"controllers started"');
  });
});

describe('the runtime stage with a bad configuration', () => {
  it('exits 1 before listening, naming every bad variable', () => {
    const run = spawnSync(process.execPath, [MANAGER_ENTRY], {
      cwd: image, encoding: 'utf8', timeout: 60_000,
      env: { PATH: process.env.PATH, PORT: 'eighty', ROLES: 'api,chef', SYNC_WORKERS: '0', LOG_LEVEL: 'loud', REDIS_URL: 'http://user:hunter2@redis:6379', RUNTIME_CONFIG_POLL_MS: '5' },
    });
    expect(run.status).toBe(1);
    for (const name of ['PORT', 'REDIS_URL', 'LOG_LEVEL', 'ROLES', 'SYNC_WORKERS', 'RUNTIME_CONFIG_POLL_MS']) expect(run.stderr).toMatch(new RegExp(`^\\s+${name}: expected`, 'm'));
    expect(run.stderr).not.toContain('hunter2');
  });
});
