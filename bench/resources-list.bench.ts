// Benchmarks P4 and list latency (issue 12 §5): the manager's resident memory with 10,000 executions in the
// cluster, its informers synced and list pages served (goal < 256 MB), and the latency of a 50-item page of
// executions out of 10,000 (p99), from the newest-first index; beside it, the same pages through the apiserver
// (the path a manager takes for a namespace its informers do not watch).
// Run: node -r @swc-node/register bench/resources-list.bench.ts   (SIZE=10000 PIPELINES=20 REQUESTS=400 CONCURRENCY=4 MANAGER=swc|dist)
// Printed numbers, not assertions. A real kube-apiserver with etcd, a private Redis and the manager in its own
// process serving only the API (ROLES=api: no controller acts on the executions), with real authentication.
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Core, Keelson, KubeClient, type ObjectOf } from '@keelson/kube';
import { ControlPlane, RedisServer } from '@keelson/servers';
import { envInt, runBenchmark } from './support/bench-stack';
import { spawnManagerProcess, type ChildManager } from './support/child-manager';
import { mapPool } from './support/pool';
import { note, summaryBlock, table } from './support/report';
import { summarize, type Summary } from './support/stats';

const SIZE = envInt('SIZE', 10_000);
const PIPELINES = envInt('PIPELINES', 20);
const REQUESTS = envInt('REQUESTS', 400);
const CONCURRENCY = envInt('CONCURRENCY', 4);
/** MANAGER=dist runs the built manager (`npm run build` first), as production does; else through @swc-node/register. */
const COMPILED = process.env.MANAGER === 'dist';
const PHASES = ['Succeeded', 'Succeeded', 'Succeeded', 'Failed', 'Aborted', 'Running', 'Queued'];

type Execution = ObjectOf<typeof Keelson.PipelineExecution>;

/** An execution the size of a real one: a three-stage config snapshot, stage and step status, a timeline. */
function execution(i: number): Execution {
  const pipeline = `app-${i % PIPELINES}`;
  const run = Math.floor(i / PIPELINES) + 1;
  const stages = ['build', 'test', 'deploy'].map((name) => ({
    name, steps: [
      { runScriptConfig: { image: 'golang:1.22', shellScript: `go build ./...\ngo vet ./...\necho stage ${name} of run ${run}` }, env: { CGO_ENABLED: '0', GOFLAGS: '-mod=mod' } },
      { runScriptConfig: { image: 'alpine:3.20', shellScript: 'apk add --no-cache make && make lint' } },
    ],
  }));
  return {
    apiVersion: 'devops.keelson.dev/v1alpha1', kind: 'PipelineExecution',
    metadata: { name: `${pipeline}-${run}`, namespace: 'demo', labels: { 'keelson.dev/pipeline': pipeline } },
    spec: {
      pipelineRef: { name: pipeline }, run, fork: false, stop: false, branch: i % 5 ? 'main' : 'release',
      commit: (i + 1).toString(16).padStart(40, '0'), ref: 'refs/heads/main', repositoryUrl: `https://git.example.com/acme/${pipeline}.git`,
      trigger: { event: i % 3 ? 'push' : 'manual', ...(i % 3 ? { deliveryId: `d-${i}` } : { user: 'alice' }) },
      author: { name: 'A. Developer', email: 'dev@example.com' }, title: `Change number ${i}`, message: `Change number ${i}\n\nWith a body that explains it.`,
      configPath: '.devops.yml', config: { stages },
    },
  } as unknown as Execution;
}

function status(i: number): Record<string, unknown> {
  const t = (s: number) => new Date(Date.UTC(2030, 0, 1) + i * 60_000 + s * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const phase = PHASES[i % PHASES.length];
  return {
    phase, queuedTime: t(0), startTime: t(5), ...(['Succeeded', 'Failed', 'Aborted'].includes(phase) && { completionTime: t(95) }),
    build: { job: `demo-app-${i}`, number: 1 }, node: `node-${i % 10}`, warmNode: i % 4 !== 0,
    stages: ['build', 'test', 'deploy'].map((name, s) => ({
      name, phase: 'Succeeded', startTime: t(5 + s * 30), completionTime: t(35 + s * 30),
      steps: [{ name: 'step-1', phase: 'Succeeded', startTime: t(5 + s * 30), completionTime: t(20 + s * 30) }, { name: 'step-2', phase: 'Succeeded' }],
    })),
    timeline: ['Created', 'Admitted', 'DataPlaneReady', 'JenkinsQueued', 'BuildStarted', 'PodScheduled', 'Running'].map((type, k) => ({ type, time: t(k), message: `${type} after ${k} s` })),
  };
}

interface Measured {
  label: string;
  latency: Summary;
  bytes: number;
}

async function measure(label: string, manager: ChildManager, token: string, paths: () => string, sampleRss: () => void): Promise<Measured> {
  // Warm-up: the first calls of a route compile its code and fill the review cache.
  for (let i = 0; i < 20; i++) await fetch(`${manager.url}${paths()}`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.arrayBuffer());
  const times: number[] = [];
  let bytes = 0;
  await mapPool(Array.from({ length: REQUESTS }, (_, i) => i), CONCURRENCY, async () => {
    const path = paths();
    const t0 = performance.now();
    const res = await fetch(`${manager.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
    const body = await res.arrayBuffer();
    times.push(performance.now() - t0);
    if (res.status !== 200) throw new Error(`${path} answered ${res.status}: ${Buffer.from(body).toString().slice(0, 300)}`);
    bytes = Math.max(bytes, body.byteLength);
    sampleRss();
  });
  return { label, latency: summarize(times), bytes };
}

/** The manager's V8 heap in use, from its /metrics (prom-client's default process metrics). */
async function heapUsed(manager: ChildManager): Promise<number> {
  const text = await (await fetch(`${manager.url}/metrics`)).text();
  return Number(/^nodejs_heap_size_used_bytes (\S+)/m.exec(text)?.[1] ?? NaN);
}

const f1 = (v: number) => `${v.toFixed(1)}`;
const mib = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MiB`;

runBenchmark('resources-list', async () => {
  const cp = await ControlPlane.start();
  const redis = await RedisServer.start();
  const managers: ChildManager[] = [];
  try {
    const admin = new KubeClient({ kubeconfigPath: cp.adminKubeconfig });
    const asManager = new KubeClient({ kubeconfigPath: cp.managerKubeconfig });
    for (const name of ['demo', 'keelson-system']) await admin.resource(Core.Namespace).create({ metadata: { name } });
    for (let p = 0; p < PIPELINES; p++) {
      await admin.resource(Keelson.Pipeline).create({
        apiVersion: 'devops.keelson.dev/v1alpha1', kind: 'Pipeline', metadata: { name: `app-${p}`, namespace: 'demo' },
        spec: { repositoryUrl: `https://git.example.com/acme/app-${p}.git`, configPath: '.devops.yml', suspend: false },
      });
    }
    // The same manager with nothing to cache: its fixed cost (Nest, the libraries, the TypeScript loader).
    const env = { KUBECONFIG: cp.managerKubeconfig, ROLES: 'api', REDIS_URL: redis.url, REDIS_PREFIX: 'bench-list' };
    const empty = await spawnManagerProcess(env, join(tmpdir(), `resources-list-manager-empty-${process.pid}.log`), { compiled: COMPILED });
    await new Promise((r) => setTimeout(r, 2000));
    await fetch(`${empty.url}/api/v1/namespaces/demo/pipelineexecutions?limit=50`, { headers: { authorization: `Bearer ${cp.admin.token}` } }).then((r) => r.arrayBuffer());
    const rssEmpty = empty.rss();
    const heapEmpty = await heapUsed(empty);
    await empty.close();
    note(`manager with no executions: RSS ${mib(rssEmpty)}`);

    note(`creating ${SIZE} executions (object and status, as the manager)`);
    const t0 = Date.now();
    const executions = asManager.resource(Keelson.PipelineExecution);
    let done = 0;
    await mapPool(Array.from({ length: SIZE }, (_, i) => i), 16, async (i) => {
      const made = await executions.create(execution(i));
      await executions.patchStatus('demo', made.metadata.name!, status(i));
      if (++done % 1000 === 0) note(`${done} created`);
    });
    const sample = JSON.stringify(await executions.get('demo', 'app-0-1'));
    note(`created in ${((Date.now() - t0) / 1000).toFixed(0)} s; one execution is ${sample.length} bytes of JSON`);

    const started = Date.now();
    const manager = await spawnManagerProcess(env, join(tmpdir(), `resources-list-manager-${process.pid}.log`), { compiled: COMPILED });
    managers.push(manager);
    const readyMs = Date.now() - started;
    await new Promise((r) => setTimeout(r, 2000));
    const rssSynced = manager.rss();
    const heapSynced = await heapUsed(manager);
    let peak = rssSynced;
    const sampleRss = () => {
      peak = Math.max(peak, manager.rss());
    };
    note(`manager ready (informers synced) in ${(readyMs / 1000).toFixed(1)} s, RSS ${mib(rssSynced)}`);

    const token = cp.admin.token;
    // Cursors of deep pages, collected once by walking the whole list (200 pages of 50).
    const cursors: string[] = [];
    let cont: string | undefined;
    const walkStart = performance.now();
    do {
      const res = await fetch(`${manager.url}/api/v1/namespaces/demo/pipelineexecutions?limit=50${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`, { headers: { authorization: `Bearer ${token}` } });
      const body = (await res.json()) as { items: unknown[]; metadata: { continue?: string } };
      cont = body.metadata.continue;
      if (cont) cursors.push(cont);
      sampleRss();
    } while (cont);
    const walkMs = performance.now() - walkStart;
    note(`walked ${cursors.length + 1} pages of 50 in ${(walkMs / 1000).toFixed(1)} s`);

    const pick = <T>(xs: T[]) => xs[Math.floor(Math.random() * xs.length)];
    const base = '/api/v1/namespaces/demo/pipelineexecutions?limit=50';
    const results: Measured[] = [];
    results.push(await measure('first page', manager, token, () => base, sampleRss));
    results.push(await measure('random deep page (continue)', manager, token, () => `${base}&continue=${encodeURIComponent(pick(cursors))}`, sampleRss));
    results.push(await measure('one pipeline', manager, token, () => `${base}&pipeline=app-${Math.floor(Math.random() * PIPELINES)}`, sampleRss));
    results.push(await measure('phase=Running,Queued', manager, token, () => `${base}&phase=Running,Queued`, sampleRss));
    results.push(await measure('across namespaces', manager, token, () => '/api/v1/pipelineexecutions?limit=50', sampleRss));
    results.push(await measure('pipelines with last execution', manager, token, () => '/api/v1/namespaces/demo/pipelines?limit=50', sampleRss));
    const rssServed = manager.rss();
    const heapServed = await heapUsed(manager);
    await manager.close();
    managers.splice(0);

    // The same pages through the apiserver: a manager whose informers watch another namespace.
    note('the same pages through the apiserver (a manager watching another namespace)');
    const viaApi = await spawnManagerProcess({ ...env, WATCH_NAMESPACE: 'elsewhere' }, join(tmpdir(), `resources-list-manager-api-${process.pid}.log`), { compiled: COMPILED });
    managers.push(viaApi);
    const apiResults: Measured[] = [];
    const noop = () => undefined;
    apiResults.push(await measure('first page (apiserver)', viaApi, token, () => base, noop));
    apiResults.push(await measure('phase=Running,Queued (apiserver, filtered per page)', viaApi, token, () => `${base}&phase=Running,Queued`, noop));

    const rows = [...results, ...apiResults].map((r) => [r.label, f1(r.latency.p50), f1(r.latency.p90), f1(r.latency.p99), f1(r.latency.max), `${(r.bytes / 1024).toFixed(0)} KiB`]);
    summaryBlock('resources-list (P4, list latency)', [
      ['settings', `SIZE=${SIZE} PIPELINES=${PIPELINES} REQUESTS=${REQUESTS} CONCURRENCY=${CONCURRENCY} MANAGER=${COMPILED ? 'dist' : 'swc'} ROLES=api, admin token (TokenReview and SubjectAccessReview, cached 10 s)`],
      ['execution size', `${sample.length} bytes of JSON each`],
      ['manager ready', `${(readyMs / 1000).toFixed(1)} s (informers synced)`],
      ['P4 RSS', `${mib(rssSynced)} synced, ${mib(rssServed)} after ${results.length * REQUESTS} pages served, ${mib(peak)} peak (goal < 256 MB)`],
      ['  of which fixed', `${mib(rssEmpty)}: the same manager with no executions`],
      ['V8 heap in use', `${mib(heapEmpty)} with no executions, ${mib(heapSynced)} synced, ${mib(heapServed)} after the pages`],
      ['load average', `${loadavg().map((l) => l.toFixed(1)).join(' ')} at the end (2 cores)`],
      ['full walk', `${cursors.length + 1} pages of 50 in ${(walkMs / 1000).toFixed(1)} s`],
      '',
      table(['50-item page', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'largest'], rows),
    ]);
  } finally {
    for (const m of managers) await m.close().catch(() => undefined);
    await redis.stop().catch(() => undefined);
    await cp.stop();
  }
});
