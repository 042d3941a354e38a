// Manual trigger → Jenkins build started, with a warm data plane (issue 5, benchmark 3).
// Run: node -r @swc-node/register bench/trigger-latency.bench.ts   (RUNS=30 by default)
// Printed numbers, not assertions. "Build started" is the double's own record: the build's `timestamp`
// (when it left the queue and began), read back over its API; the trigger is the moment the run request was
// sent to the manager's REST API.
import { KeelsonStack } from '../test/support/keelson-stack';
import { envInt, ExecutionWatch, runBenchmark, triggerRun, withStack } from './support/bench-stack';
import { JenkinsProbe } from './support/jenkins-probe';
import { note, summaryBlock, table } from './support/report';
import { ms, summarize } from './support/stats';

const RUNS = envInt('RUNS', 30);
const GOAL_P50_MS = 1000;

const QUICK = `
stages:
- name: build
  steps:
  - runScriptConfig: {image: alpine:3.20, shellScript: echo built}
`;

interface Sample {
  name: string;
  /** run request sent → 201 from the manager */
  api: number;
  /** run request sent → the execution's first watch event */
  created: number;
  /** run request sent → Jenkins queue item created */
  queued?: number;
  /** run request sent → build started in Jenkins */
  started: number;
}

async function measure(stack: KeelsonStack): Promise<Sample[]> {
  await stack.createPipeline('latency');
  const watch = await ExecutionWatch.start(stack.kube);
  const probe = new JenkinsProbe(stack);
  try {
    note('warm-up run: applies the data plane and creates the Jenkins job');
    const warm = await triggerRun(stack, 'latency');
    await watch.succeeded(warm.name, 240_000);

    const samples: Sample[] = [];
    for (let i = 0; i < RUNS; i++) {
      const expected = `latency-${i + 2}`; // run 1 was the warm-up
      let createdAt = 0;
      const unsubscribe = watch.onChange((exe, at) => {
        if (exe.metadata.name === expected && !createdAt) createdAt = at;
      });
      const run = await triggerRun(stack, 'latency');
      if (run.name !== expected) throw new Error(`expected ${expected}, the API created ${run.name}`);
      await watch.succeeded(run.name);
      unsubscribe();
      const ref = probe.buildOf(run.name);
      if (!ref) throw new Error(`no build in the double for ${run.name}`);
      const times = await probe.times(ref.job, ref.number, ref.queueId);
      samples.push({
        name: run.name, api: run.answeredAt - run.sentAt, created: createdAt - run.sentAt, started: times.startedAt - run.sentAt,
        queued: times.queuedAt !== undefined ? times.queuedAt - run.sentAt : undefined,
      });
      note(`${run.name}: 201 after ${run.answeredAt - run.sentAt} ms, build started after ${times.startedAt - run.sentAt} ms`);
    }
    return samples;
  } finally {
    await watch.stop();
  }
}

runBenchmark('trigger-latency', async () => {
  const samples = await withStack({ files: { '.devops.yml': QUICK } }, measure);
  const started = summarize(samples.map((s) => s.started));
  const api = summarize(samples.map((s) => s.api));
  const created = summarize(samples.map((s) => s.created));
  const queued = summarize(samples.flatMap((s) => (s.queued === undefined ? [] : [s.queued])));
  summaryBlock('trigger-latency: manual run → Jenkins build started (warm data plane)', [
    ['runs', `${samples.length} one after another, each to Succeeded before the next (1 warm-up run not counted)`],
    ['measured from', 'POST /api/v1/namespaces/demo/pipelines/latency/run sent'],
    ['measured to', 'the build\'s timestamp in the Jenkins double (build left the queue and started)'],
    '',
    table(['', 'p50', 'p90', 'max', 'min', 'mean'], [
      ['execution seen (watch)', ms(created.p50), ms(created.p90), ms(created.max), ms(created.min), ms(created.mean)],
      ['run API answered 201', ms(api.p50), ms(api.p90), ms(api.max), ms(api.min), ms(api.mean)],
      ['queue item created', ms(queued.p50), ms(queued.p90), ms(queued.max), ms(queued.min), ms(queued.mean)],
      ['build started', ms(started.p50), ms(started.p90), ms(started.max), ms(started.min), ms(started.mean)],
    ]),
    '',
    ['goal', `p50 < ${GOAL_P50_MS} ms: ${started.p50 < GOAL_P50_MS ? 'met' : 'NOT met'} (p50 ${ms(started.p50)})`],
    ['settings', 'manager in-process, SYNC_BASE_POLL_MS=200, SYNC_MAX_POLL_MS=2000, RESYNC_SECONDS=5 (KeelsonStack defaults); Jenkins quiet period 0'],
  ]);
});
