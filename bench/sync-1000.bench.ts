// 1,000 running executions tracked at once: status lag of the sync loop (issue 5, benchmark 2; scenario L5).
// Run: node -r @swc-node/register bench/sync-1000.bench.ts
//   SIZE=1000 NODES=10 PIPELINES=1 STAGE1_SECONDS=max(120, 1.2×SIZE) STAGE2_SECONDS=20 SYNC_MAX_POLL_MS=10000 (defaults), any manager knob.
// Printed numbers, not assertions. One pipeline whose first stage sleeps STAGE1_SECONDS and whose second
// stage sleeps STAGE2_SECONDS; SIZE runs are started (the project's concurrency set to SIZE) and all of them
// run at once. Lag is the time between a transition in the Jenkins double (its own stage and build times,
// read back over its API afterwards) and the first watch event in which the execution shows it:
//   stage 1 done → status.stages[0].phase Succeeded;   build finished → status.phase Succeeded.
// The manager runs in a child process, so its RSS is its own (sampled from /proc every second).
import { cpus } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { FakeNode } from '@keelson/servers';
import { KeelsonStack } from '../test/support/keelson-stack';
import { diffSnapshots, snapshot, total } from './support/apiserver-writes';
import { createSetting, describeKnobs, envInt, ExecutionWatch, managerKnobs, runBenchmark, TERMINAL, triggerRun, withStack } from './support/bench-stack';
import { cpuSecondsOf, replaceWithChildManager, rssOf, type ChildManager } from './support/child-manager';
import { JenkinsProbe } from './support/jenkins-probe';
import { histogramQuantile, managerMetrics } from './support/manager-metrics';
import { mapPool } from './support/pool';
import { note, summaryBlock, table } from './support/report';
import { ms, summarize } from './support/stats';

const SIZE = envInt('SIZE', 1000);
const NODES = envInt('NODES', 10);
// Long enough for every run to be created and running before the first leaves stage 1 (~0.7 s per run here).
const STAGE1_SECONDS = envInt('STAGE1_SECONDS', Math.max(120, Math.ceil(SIZE * 1.2)));
const STAGE2_SECONDS = envInt('STAGE2_SECONDS', 20);
const TRIGGER_CONCURRENCY = envInt('TRIGGER_CONCURRENCY', 16);
const PIPELINES = Math.max(1, envInt('PIPELINES', 1));
const KNOBS = managerKnobs({ SYNC_BASE_POLL_MS: '1000', SYNC_MAX_POLL_MS: '10000', RESYNC_SECONDS: '30' });
const POLL_MS = Number(KNOBS.SYNC_MAX_POLL_MS);
const GOAL_PERIODS = 2;

const CONFIG = `
stages:
- name: long
  steps:
  - runScriptConfig: {image: alpine:3.20, shellScript: sleep ${STAGE1_SECONDS}}
- name: short
  steps:
  - runScriptConfig: {image: alpine:3.20, shellScript: sleep ${STAGE2_SECONDS}}
`;

interface Seen {
  stage1DoneAt?: number;
  finishedAt?: number;
  phase?: string;
}

interface Result {
  stageLag: number[];
  finishLag: number[];
  missing: number;
  failed: Array<[string, string]>;
  peakRunning: number;
  peakStage1: number;
  rampSeconds: number;
  createSeconds: number;
  rss: { idle: number; peak: number; allRunning: number; end: number };
  benchRss: { idle: number; peak: number };
  jenkinsRequests: number;
  trackedSeconds: number;
  /** Event-loop delay of this process (the double and the watch): it delays the times both sides record. */
  loopDelay: { p99: number; max: number };
  /** CPU seconds per second of the tracked window: the manager, and this process. */
  cpu: { manager: number; bench: number };
  /** The sync loop's own lateness of polls (keelson_sync_lag_seconds) and status writes in the window. */
  syncLateness: { p50: string; p99: string; polls: number };
  crWrites: number;
  crStored: number;
}

async function measure(stack: KeelsonStack, cleanup: Array<() => Promise<unknown>>): Promise<Result> {
  const manager: ChildManager = await replaceWithChildManager(stack, KNOBS, `/tmp/keelson-bench-sync-manager-${process.pid}.log`, note);
  note(`manager running as pid ${manager.pid} (log ${manager.logFile})`);
  await createSetting(stack, { maxConcurrentExecutions: Math.min(1000, SIZE), historyLimit: Math.min(10000, SIZE + 10) });
  const pipelines = Array.from({ length: PIPELINES }, (_, i) => (PIPELINES === 1 ? 'load' : `load-${i}`));
  for (const p of pipelines) await stack.createPipeline(p);
  const watch = await ExecutionWatch.start(stack.kube);
  cleanup.push(() => watch.stop());

  note('warm-up run (short branch): applies the data plane and creates the Jenkins job');
  await stack.repo.branch('quick');
  await stack.repo.checkout('quick');
  await stack.repo.commit({ '.devops.yml': 'stages:\n- name: q\n  steps:\n  - runScriptConfig: {image: alpine:3.20, shellScript: echo q}\n' }, 'quick');
  await stack.repo.checkout('main');
  await watch.succeeded((await triggerRun(stack, pipelines[0], 'quick')).name, 300_000);

  // Observation: the first watch event showing each transition, and how many run at once.
  const seen = new Map<string, Seen>();
  const running = new Set<string>();
  const inStage1 = new Set<string>();
  let peakRunning = 0;
  let peakStage1 = 0;
  watch.onChange((exe, at) => {
    const name = exe.metadata.name!;
    if (!exe.spec.pipelineRef.name.startsWith('load') || exe.spec.branch !== 'main') return;
    const s = seen.get(name) ?? {};
    seen.set(name, s);
    const phase = exe.status?.phase;
    s.phase = phase;
    if (s.stage1DoneAt === undefined && exe.status?.stages?.[0]?.phase === 'Succeeded') s.stage1DoneAt = at;
    if (s.finishedAt === undefined && TERMINAL.includes(phase ?? '')) s.finishedAt = at;
    if (phase === 'Running') running.add(name);
    else running.delete(name);
    if (phase === 'Running' && exe.status?.stages?.[0]?.phase === 'Running') inStage1.add(name);
    else inStage1.delete(name);
    peakRunning = Math.max(peakRunning, running.size);
    peakStage1 = Math.max(peakStage1, inStage1.size);
  });

  const rss = { idle: manager.rss(), peak: 0, allRunning: 0, end: 0 };
  const benchRss = { idle: rssOf(process.pid), peak: 0 };
  const sampler = setInterval(() => {
    rss.peak = Math.max(rss.peak, manager.rss());
    benchRss.peak = Math.max(benchRss.peak, rssOf(process.pid));
  }, 1000);
  cleanup.push(async () => clearInterval(sampler));

  const loop = monitorEventLoopDelay({ resolution: 20 });
  loop.enable();
  cleanup.push(async () => loop.disable());
  const before = await snapshot(stack.kube);
  const jenkinsBefore = Object.values(stack.jenkins.requests).reduce((a, b) => a + b, 0);
  const metricsBefore = await managerMetrics(manager.url);
  const cpuBefore = { manager: manager.cpuSeconds(), bench: cpuSecondsOf(process.pid) };
  const start = Date.now();
  note(`starting ${SIZE} runs (${TRIGGER_CONCURRENCY} requests at a time)`);
  const names: string[] = [];
  await mapPool(Array.from({ length: SIZE }), TRIGGER_CONCURRENCY, async (_, i) => {
    names.push((await triggerRun(stack, pipelines[i % PIPELINES])).name);
    if ((i + 1) % 100 === 0) note(`${i + 1} runs created, ${running.size} running`);
  });
  const created = Date.now();
  note(`${SIZE} runs created in ${((created - start) / 1000).toFixed(0)} s; waiting until they run`);
  const progress = setInterval(() => {
    const done = [...seen.values()].filter((s) => s.finishedAt !== undefined).length;
    note(`running ${running.size} (stage 1: ${inStage1.size}), finished ${done}, manager RSS ${(manager.rss() / 2 ** 20).toFixed(0)} MiB`);
    if (inStage1.size === SIZE) rss.allRunning = Math.max(rss.allRunning, manager.rss());
  }, 10_000);
  cleanup.push(async () => clearInterval(progress));
  const rampSeconds = await (async () => {
    const deadline = Date.now() + (STAGE1_SECONDS + 60) * 1000;
    while (Date.now() < deadline) {
      if (inStage1.size >= SIZE) return (Date.now() - start) / 1000;
      if ([...seen.values()].some((s) => s.stage1DoneAt !== undefined)) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    return NaN; // not all were running at once before the first left stage 1
  })();
  rss.allRunning = Math.max(rss.allRunning, manager.rss());

  const limit = (STAGE1_SECONDS + STAGE2_SECONDS) * 1000 + (created - start) + 15 * 60_000;
  await mapPool(names, SIZE, (name) => watch.until(name, (e) => TERMINAL.includes(e.status?.phase ?? ''), limit, 'a final phase'));
  clearInterval(progress);
  const trackedSeconds = (Date.now() - start) / 1000;
  rss.end = manager.rss();
  const cpu = { manager: (manager.cpuSeconds() - cpuBefore.manager) / trackedSeconds, bench: (cpuSecondsOf(process.pid) - cpuBefore.bench) / trackedSeconds };
  const metricsAfter = await managerMetrics(manager.url);
  const lateness = (q: number) => histogramQuantile(metricsAfter, metricsBefore, 'keelson_sync_lag_seconds', q);
  const syncLateness = { p50: lateness(0.5).bound, p99: lateness(0.99).bound, polls: lateness(0.5).count };
  const after = await snapshot(stack.kube);
  const jenkinsRequests = Object.values(stack.jenkins.requests).reduce((a, b) => a + b, 0) - jenkinsBefore;
  clearInterval(sampler);
  loop.disable();
  const loopDelay = { p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 };

  note('reading the double\'s stage and build times');
  const probe = new JenkinsProbe(stack);
  const stageLag: number[] = [];
  const finishLag: number[] = [];
  const failed: Array<[string, string]> = [];
  let missing = 0;
  await mapPool(names, 16, async (name) => {
    const s = seen.get(name);
    const ref = probe.buildOf(name);
    if (!s || !ref) {
      missing++;
      return;
    }
    if (s.phase !== 'Succeeded') failed.push([name, `${s.phase}: ${watch.get(name)?.status?.reason ?? ''}`]);
    const t = await probe.times(ref.job, ref.number);
    const stage1End = t.stages.get(0)?.end;
    if (stage1End !== undefined && s.stage1DoneAt !== undefined) stageLag.push(s.stage1DoneAt - stage1End);
    const buildEnd = t.endedAt;
    if (buildEnd !== undefined && s.finishedAt !== undefined) finishLag.push(s.finishedAt - buildEnd);
  });
  const diff = diffSnapshots(after, before);
  return {
    stageLag, finishLag, missing, failed, peakRunning, peakStage1, rampSeconds, createSeconds: (created - start) / 1000, rss, benchRss, jenkinsRequests, trackedSeconds, loopDelay, cpu, syncLateness,
    crWrites: total(diff.writes, (k) => k.group === 'devops.keelson.dev'),
    crStored: [...diff.stored].filter(([k]) => k.startsWith('devops.keelson.dev|')).reduce((n, [, v]) => n + v, 0),
  };
}

const mib = (bytes: number) => (Number.isFinite(bytes) ? `${(bytes / 2 ** 20).toFixed(0)} MiB` : 'n/a');

function lagRow(label: string, values: number[]): Array<string | number> {
  const s = summarize(values);
  return [label, s.n, ms(s.p50), ms(s.p90), ms(s.p99), ms(s.max), `${(s.p50 / POLL_MS).toFixed(2)} / ${(s.p99 / POLL_MS).toFixed(2)}`];
}

runBenchmark('sync-1000', async () => {
  const perNode = Math.ceil((SIZE * 1.1) / NODES) + 10;
  const nodes: FakeNode[] = Array.from({ length: NODES }, (_, i) => ({ name: `kwok-node-${i}`, pods: String(perNode) }));
  const r = await withStack({ nodes, files: { '.devops.yml': CONFIG }, managerEnv: KNOBS }, measure);

  const stage = summarize(r.stageLag);
  const finish = summarize(r.finishLag);
  const p99Periods = Math.max(stage.p99, finish.p99) / POLL_MS;
  summaryBlock(`sync-1000: ${SIZE} executions tracked at once, status lag behind Jenkins`, [
    ['executions', `${SIZE} started; ${r.peakStage1} in stage 1 at the same time (peak), ${r.peakRunning} Running at the peak; ${r.failed.length} did not succeed, ${r.missing} without a build`],
    ['all running after', Number.isFinite(r.rampSeconds) ? `${r.rampSeconds.toFixed(0)} s (from the first run request)` : 'never: the first builds left stage 1 before the last started (raise STAGE1_SECONDS)'],
    ['poll period', `SYNC_MAX_POLL_MS = ${POLL_MS} ms`],
    '',
    table(['transition', 'n', 'p50', 'p90', 'p99', 'max', 'p50 / p99 in poll periods'], [
      lagRow('stage 1 done → stages[0] Succeeded', r.stageLag),
      lagRow('build done → phase Succeeded', r.finishLag),
    ]),
    '',
    ['goal', `p99 <= ${GOAL_PERIODS} poll periods: ${p99Periods <= GOAL_PERIODS ? 'met' : 'NOT met'} (worst p99 ${p99Periods.toFixed(2)} periods)`],
    ['manager RSS (child process)', `idle ${mib(r.rss.idle)}, with all running ${mib(r.rss.allRunning)}, peak ${mib(r.rss.peak)}, at the end ${mib(r.rss.end)}`],
    ['benchmark process', `RSS idle ${mib(r.benchRss.idle)}, peak ${mib(r.benchRss.peak)}; event-loop delay p99 ${ms(r.loopDelay.p99)}, max ${ms(r.loopDelay.max)} (Jenkins double + watch, not the manager; its delay shifts both sides' times)`],
    ['sync loop', `${r.syncLateness.polls} polls (${(r.syncLateness.polls / r.trackedSeconds).toFixed(1)}/s); a poll ran late by p50 ${r.syncLateness.p50}, p99 ${r.syncLateness.p99} (keelson_sync_lag_seconds)`],
    ['CPU', `manager ${(r.cpu.manager * 100).toFixed(0)} % of a core, benchmark process ${(r.cpu.bench * 100).toFixed(0)} %, on ${cpus().length} cores shared with the apiserver, etcd, scheduler and KWOK`],
    ['Jenkins API calls', `${r.jenkinsRequests} in ${r.trackedSeconds.toFixed(0)} s (${(r.jenkinsRequests / r.trackedSeconds).toFixed(0)}/s, ${(r.jenkinsRequests / SIZE).toFixed(1)} per execution)`],
    ['Keelson custom-resource writes', `${(r.crWrites / SIZE).toFixed(2)} requests and ${(r.crStored / SIZE).toFixed(2)} stored changes per execution (scenario L5: <= 5)`],
    ['manager settings', describeKnobs(KNOBS)],
    ['setup', `${PIPELINES} pipeline(s); stage 1: sleep ${STAGE1_SECONDS}, stage 2: sleep ${STAGE2_SECONDS}; ${NODES} KWOK nodes of ${perNode} pods; runs created ${TRIGGER_CONCURRENCY} at a time in ${r.createSeconds.toFixed(0)} s`],
    ...(r.failed.length ? ['', 'not succeeded (first 5):', ...r.failed.slice(0, 5).map(([n, why]) => `  ${n}: ${why}`)] : []),
  ]);
});
