// Throughput of the sync loop with 1 and 2 worker replicas on one Redis, 1,000 executions running (issue 13 §3).
// Run: node -r @swc-node/register bench/sync-workers.bench.ts
//   SIZE=1000 NODES=10 PIPELINES=10 WINDOW_SECONDS=90 SETTLE_SECONDS=30 TRIGGER_CONCURRENCY=16 (defaults), any manager knob.
// Printed numbers, not assertions. The manager runs as the chart's split Deployments would, each pod a process with
// managerReplicaEnv: one `api,controllers` process (the leader: it admits the runs and feeds the sync queue) and
// worker processes with ROLES=workers only. SIZE runs of a pipeline whose first stage outlasts the whole
// measurement are started through the API with one worker; once all of them run, the same executions are measured
// in three windows: 1 worker, 2 workers, and 1 worker again (the second stopped gracefully), so a drift over time
// shows. Per window: sync runs per second (keelson_sync_runs_total of every worker), how late the polls ran
// (keelson_sync_lag_seconds, merged over the workers), CPU of each process (/proc), the machine's load average.
// With every execution at its longest poll delay the demand is SIZE / SYNC_MAX_POLL_MS polls per second: a loop
// that keeps up runs that many and its polls are not late.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FakeNode } from '@keelson/servers';
import type { KeelsonStack } from '../test/support/keelson-stack';
import { run } from '../test/support/fault-checks';
import type { ManagerProcess } from '../test/support/manager-process';
import { ManagerReplicas } from '../test/support/manager-replicas';
import { createSetting, describeKnobs, envInt, ExecutionWatch, managerKnobs, runBenchmark, TERMINAL, withStack } from './support/bench-stack';
import { cpuSecondsOf, rssOf } from './support/child-manager';
import { histogramQuantile, metricSum } from './support/manager-metrics';
import { mapPool } from './support/pool';
import { note, summaryBlock, table } from './support/report';

const SIZE = envInt('SIZE', 1000);
const NODES = envInt('NODES', 10);
const PIPELINES = Math.max(1, envInt('PIPELINES', 10));
const WINDOW_SECONDS = envInt('WINDOW_SECONDS', 90);
const SETTLE_SECONDS = envInt('SETTLE_SECONDS', 30);
const TRIGGER_CONCURRENCY = envInt('TRIGGER_CONCURRENCY', 16);
// The ramp (about 1 s a run here), then three windows with their settling, then a margin.
const STAGE1_SECONDS = envInt('STAGE1_SECONDS', Math.ceil(SIZE * 1.2) + 3 * (WINDOW_SECONDS + SETTLE_SECONDS) + 180);
const KNOBS = managerKnobs({ SYNC_BASE_POLL_MS: '1000', SYNC_MAX_POLL_MS: '10000', RESYNC_SECONDS: '30' });
const MAX_POLL_MS = Number(KNOBS.SYNC_MAX_POLL_MS);
const SYNC_WORKERS = Number(KNOBS.SYNC_WORKERS ?? '20');

const CONFIG = `
stages:
- name: long
  steps:
  - runScriptConfig: {image: alpine:3.20, shellScript: sleep ${STAGE1_SECONDS}}
- name: short
  steps:
  - runScriptConfig: {image: alpine:3.20, shellScript: sleep 5}
`;

interface Window {
  label: string;
  workers: string[];
  seconds: number;
  runs: Map<string, number>;
  lag: { p50: string; p90: string; p99: string };
  cpu: Map<string, number>;
  rss: Map<string, number>;
  load: [number, number];
  /** Executions that were not in stage 1 (Running) at the end of the window: the set measured changed. */
  leftStage1: number;
  stalled: number;
  /** CPU (of one core) of what every worker waits on: this process (the Jenkins double, the watch), the apiserver, etcd. */
  shared: { bench: number; apiserver: number; etcd: number };
  /** Event-loop delay p99 of this process, in ms: the Jenkins double answers no faster. */
  benchLoopP99: number;
  jenkinsPerSecond: number;
}

type Samples = Map<string, number>;

async function metricsOf(replica: ManagerProcess, replicas: ManagerReplicas): Promise<Samples> {
  return replicas.metrics(replica);
}

/** Series summed over processes: histograms and counters of several workers as one. */
function merge(samples: Samples[]): Samples {
  const out = new Map<string, number>();
  for (const s of samples) for (const [k, v] of s) out.set(k, (out.get(k) ?? 0) + v);
  return out;
}

/** The pid of the process whose command line has every one of these arguments (the stack's apiserver, its etcd). */
function pidWith(...parts: string[]): number {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (parts.every((p) => args.includes(p))) return Number(entry);
    } catch {
      // gone meanwhile
    }
  }
  return NaN;
}

const jenkinsCalls = (stack: KeelsonStack) => Object.values(stack.jenkins.requests).reduce((a, b) => a + b, 0);

const sleep = (seconds: number) => new Promise((r) => setTimeout(r, seconds * 1000));

async function measureWindow(stack: KeelsonStack, label: string, workers: ManagerProcess[], control: ManagerProcess, replicas: ManagerReplicas, inStage1: () => number): Promise<Window> {
  note(`window "${label}": ${workers.length} worker(s) for ${WINDOW_SECONDS} s`);
  const procs = [control, ...workers];
  const before = await Promise.all(workers.map((w) => metricsOf(w, replicas)));
  const cpuBefore = procs.map((p) => cpuSecondsOf(p.pid));
  const stalledBefore = workers.map((w) => w.logLines('job stalled, retrying it').length);
  const loadBefore = loadavg()[0];
  const cp = stack.cluster.controlPlane;
  const shared = { bench: process.pid, apiserver: pidWith('--secure-port', new URL(cp.server).port), etcd: pidWith('--listen-client-urls', cp.etcd.url) };
  const sharedBefore = Object.fromEntries(Object.entries(shared).map(([k, pid]) => [k, cpuSecondsOf(pid)]));
  const jenkinsBefore = jenkinsCalls(stack);
  const loop = monitorEventLoopDelay({ resolution: 20 });
  loop.enable();
  const start = Date.now();
  const rssPeak = new Map(procs.map((p) => [p.name, 0]));
  const sampler = setInterval(() => procs.forEach((p) => rssPeak.set(p.name, Math.max(rssPeak.get(p.name)!, rssOf(p.pid)))), 1000);
  await sleep(WINDOW_SECONDS);
  clearInterval(sampler);
  loop.disable();
  const seconds = (Date.now() - start) / 1000;
  const sharedCpu = (k: keyof typeof shared) => (cpuSecondsOf(shared[k]) - sharedBefore[k]) / seconds;
  const after = await Promise.all(workers.map((w) => metricsOf(w, replicas)));
  const lag = (q: number) => histogramQuantile(merge(after), merge(before), 'keelson_sync_lag_seconds', q).bound;
  return {
    label, workers: workers.map((w) => w.name), seconds,
    runs: new Map(workers.map((w, i) => [w.name, metricSum(after[i], 'keelson_sync_runs_total') - metricSum(before[i], 'keelson_sync_runs_total')])),
    lag: { p50: lag(0.5), p90: lag(0.9), p99: lag(0.99) },
    cpu: new Map(procs.map((p, i) => [p.name, (cpuSecondsOf(p.pid) - cpuBefore[i]) / seconds])),
    rss: rssPeak,
    load: [loadBefore, loadavg()[0]],
    leftStage1: SIZE - inStage1(),
    stalled: workers.reduce((n, w, i) => n + w.logLines('job stalled, retrying it').length - stalledBefore[i], 0),
    shared: { bench: sharedCpu('bench'), apiserver: sharedCpu('apiserver'), etcd: sharedCpu('etcd') },
    benchLoopP99: loop.percentile(99) / 1e6,
    jenkinsPerSecond: (jenkinsCalls(stack) - jenkinsBefore) / seconds,
  };
}

async function measure(stack: KeelsonStack, cleanup: Array<() => Promise<unknown>>): Promise<{ windows: Window[]; rampSeconds: number; createSeconds: number }> {
  const logDir = mkdtempSync(join(tmpdir(), 'keelson-bench-sync-workers-'));
  const replicas = new ManagerReplicas(stack, logDir, 'keelson-system', { ...KNOBS, LOG_LEVEL: 'warn' });
  cleanup.push(async () => {
    await replicas.stop();
    if (!process.env.KEELSON_KEEP_TEST_DIRS) rmSync(logDir, { recursive: true, force: true });
  });
  note(`starting the manager processes (logs in ${logDir})`);
  const [control, worker1] = await replicas.start([{ name: 'keelson-control', roles: ['api', 'controllers'] }, { name: 'keelson-worker-1', roles: ['workers'] }]);
  note(`control pid ${control.pid}, worker-1 pid ${worker1.pid}`);

  await createSetting(stack, { maxConcurrentExecutions: Math.min(1000, SIZE), historyLimit: Math.min(10000, SIZE + 10) });
  const pipelines = Array.from({ length: PIPELINES }, (_, i) => `load-${i}`);
  for (const p of pipelines) await stack.createPipeline(p);
  const watch = await ExecutionWatch.start(stack.kube);
  cleanup.push(() => watch.stop());

  note('warm-up run (short branch): applies the data plane and creates the Jenkins job');
  await stack.repo.branch('quick');
  await stack.repo.checkout('quick');
  await stack.repo.commit({ '.devops.yml': 'stages:\n- name: q\n  steps:\n  - runScriptConfig: {image: alpine:3.20, shellScript: echo q}\n' }, 'quick');
  await stack.repo.checkout('main');
  await watch.succeeded(await run(stack, control, pipelines[0], 'quick'), 300_000);

  const load = new Set<string>();
  const stage1 = () => watch.list().filter((e) => load.has(e.metadata.name!) && e.status?.phase === 'Running' && e.status?.stages?.[0]?.phase === 'Running').length;
  const start = Date.now();
  note(`starting ${SIZE} runs (${TRIGGER_CONCURRENCY} requests at a time) with one worker`);
  await mapPool(Array.from({ length: SIZE }), TRIGGER_CONCURRENCY, async (_, i) => {
    load.add(await run(stack, control, pipelines[i % PIPELINES], 'main'));
    if ((i + 1) % 100 === 0) note(`${i + 1} runs created, ${stage1()} in stage 1`);
  });
  const createSeconds = (Date.now() - start) / 1000;
  note(`${SIZE} runs created in ${createSeconds.toFixed(0)} s; waiting until all are in stage 1`);
  const deadline = Date.now() + 20 * 60_000;
  while (stage1() < SIZE) {
    const ended = watch.list().filter((e) => load.has(e.metadata.name!) && TERMINAL.includes(e.status?.phase ?? ''));
    if (ended.length) throw new Error(`${ended.length} runs ended before all were running, e.g. ${ended[0].metadata.name}: ${ended[0].status?.phase} ${ended[0].status?.reason ?? ''}`);
    if (Date.now() > deadline) throw new Error(`only ${stage1()} of ${SIZE} runs in stage 1 after 20 minutes`);
    await sleep(2);
  }
  const rampSeconds = (Date.now() - start) / 1000;
  note(`all ${SIZE} in stage 1 after ${rampSeconds.toFixed(0)} s; settling ${SETTLE_SECONDS} s`);
  await sleep(SETTLE_SECONDS);

  const windows: Window[] = [];
  windows.push(await measureWindow(stack, '1 worker', [worker1], control, replicas, stage1));
  const [worker2] = await replicas.start([{ name: 'keelson-worker-2', roles: ['workers'] }]);
  note(`worker-2 pid ${worker2.pid}; settling ${SETTLE_SECONDS} s`);
  await sleep(SETTLE_SECONDS);
  windows.push(await measureWindow(stack, '2 workers', [worker1, worker2], control, replicas, stage1));
  // A graceful stop: its worker finishes the jobs it holds, so none waits for its lock to expire.
  await worker2.stop(60_000);
  note(`worker-2 stopped; settling ${SETTLE_SECONDS} s`);
  await sleep(SETTLE_SECONDS);
  windows.push(await measureWindow(stack, '1 worker again', [worker1], control, replicas, stage1));
  return { windows, rampSeconds, createSeconds };
}

const mib = (bytes: number) => (Number.isFinite(bytes) ? `${(bytes / 2 ** 20).toFixed(0)} MiB` : 'n/a');
const pctCore = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? 'n/a' : `${(v * 100).toFixed(0)} %`);

runBenchmark('sync-workers', async () => {
  const perNode = Math.ceil((SIZE * 1.1) / NODES) + 10;
  const nodes: FakeNode[] = Array.from({ length: NODES }, (_, i) => ({ name: `kwok-node-${i}`, pods: String(perNode) }));
  const r = await withStack({ nodes, files: { '.devops.yml': CONFIG }, managerEnv: KNOBS, manager: false }, measure);
  const demand = SIZE / (MAX_POLL_MS / 1000);
  const rows = r.windows.map((w) => {
    const total = [...w.runs.values()].reduce((a, b) => a + b, 0);
    return [
      w.label, `${(total / w.seconds).toFixed(1)}`, [...w.runs].map(([n, v]) => `${n.replace('keelson-', '')} ${(v / w.seconds).toFixed(1)}`).join(', '),
      w.lag.p50, w.lag.p90, w.lag.p99,
      [...w.cpu].map(([n, v]) => `${n.replace('keelson-', '')} ${pctCore(v)}`).join(', '),
      `${w.load[0].toFixed(1)} → ${w.load[1].toFixed(1)}`,
    ];
  });
  summaryBlock(`sync-workers: sync loop throughput with 1 and 2 worker replicas, ${SIZE} executions running`, [
    ['executions', `${SIZE} in stage 1 through every window (${r.windows.map((w) => w.leftStage1).join('/')} were not, per window); all running after ${r.rampSeconds.toFixed(0)} s, created in ${r.createSeconds.toFixed(0)} s`],
    ['demand', `${demand.toFixed(0)} polls/s once every execution waits its longest poll delay (SYNC_MAX_POLL_MS = ${MAX_POLL_MS} ms); ${SYNC_WORKERS} sync jobs at once per worker process`],
    '',
    table(['window', 'polls/s', 'per worker', 'late p50', 'late p90', 'late p99', 'CPU (of one core)', 'load avg (1 min)'], rows),
    '',
    'what every worker waits on, per window (CPU of one core; the double answers Jenkins calls on this process\'s event loop):',
    table(['window', 'time per poll', 'Jenkins calls/s', 'benchmark process', 'its loop delay p99', 'apiserver', 'etcd'], r.windows.map((w) => {
      const polls = [...w.runs.values()].reduce((a, b) => a + b, 0) / w.seconds;
      return [w.label, `${((w.workers.length * SYNC_WORKERS) / polls).toFixed(2)} s`, w.jenkinsPerSecond.toFixed(1), pctCore(w.shared.bench), `${w.benchLoopP99.toFixed(0)} ms`, pctCore(w.shared.apiserver), pctCore(w.shared.etcd)];
    })),
    '(time per poll: the worker slots (processes × SYNC_WORKERS), all busy while polls run late, over the polls per second)',
    '',
    ['stalled jobs taken over', r.windows.map((w) => `${w.label}: ${w.stalled}`).join(', ')],
    ['RSS peak', r.windows.map((w) => `${w.label}: ${[...w.rss].map(([n, v]) => `${n.replace('keelson-', '')} ${mib(v)}`).join(', ')}`).join('; ')],
    ['processes', 'keelson-control: ROLES=api,controllers (leader); keelson-worker-N: ROLES=workers; each with managerReplicaEnv (the chart\'s settings), through @swc-node/register'],
    ['manager settings', describeKnobs(KNOBS)],
    ['setup', `${PIPELINES} pipeline(s); stage 1: sleep ${STAGE1_SECONDS}; windows of ${WINDOW_SECONDS} s after ${SETTLE_SECONDS} s settling; ${NODES} KWOK nodes of ${perNode} pods; ${cpus().length} cores shared with the apiserver, etcd, KWOK, the Jenkins double and other work`],
  ]);
});
