// Apiserver writes per successful 3-stage execution (issue 5, benchmark 1).
// Run: node -r @swc-node/register bench/apiserver-writes.bench.ts   (RUNS=10, IDLE_SECONDS=30 by default)
// Printed numbers, not assertions. Counted by the real kube-apiserver (`apiserver_request_total`, verbs POST,
// PUT, PATCH, DELETE, DELETECOLLECTION, APPLY, any response code) before and after RUNS executions that run
// one after another, each to Succeeded and recorded on its Pipeline. Writers are told apart by what they
// write (see support/apiserver-writes.ts); time-driven writes (leases) are measured in an idle window too.
import { SAMPLE_DEVOPS_YML, KeelsonStack } from '../test/support/keelson-stack';
import { diffSnapshots, parseKey, resourceName, snapshot, total, writerOf, WRITERS, type Snapshot } from './support/apiserver-writes';
import { describeKnobs, envInt, ExecutionWatch, managerKnobs, pipelineRecorded, runBenchmark, triggerRun, withStack } from './support/bench-stack';
import { managerMetrics, metricSum } from './support/manager-metrics';
import { note, summaryBlock, table } from './support/report';

const RUNS = envInt('RUNS', 10);
const IDLE_SECONDS = envInt('IDLE_SECONDS', 30);
const SETTLE_MS = 5_000;
const GOAL = 6;
const ARGO = 40;
const KNOBS = managerKnobs();

interface Measured {
  runs: Snapshot;
  runSeconds: number;
  idle: Snapshot;
  idleSeconds: number;
  statusWritesBySync: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function measure(stack: KeelsonStack): Promise<Measured> {
  await stack.createPipeline('writes');
  const watch = await ExecutionWatch.start(stack.kube);
  try {
    note('warm-up run: applies the data plane, creates the Jenkins job');
    const warm = await triggerRun(stack, 'writes');
    await watch.succeeded(warm.name, 240_000);
    await pipelineRecorded(stack, 'writes', warm.name);
    await sleep(SETTLE_MS);

    note(`idle window of ${IDLE_SECONDS} s: writes that happen with no execution at all`);
    const idleBefore = await snapshot(stack.kube);
    const idleStart = Date.now();
    await sleep(IDLE_SECONDS * 1000);
    const idle = diffSnapshots(await snapshot(stack.kube), idleBefore);
    const idleSeconds = (Date.now() - idleStart) / 1000;

    note(`${RUNS} executions of a 3-stage pipeline, one after another`);
    const syncBefore = metricSum(await managerMetrics(stack.manager.url), 'keelson_execution_status_writes_total');
    const before = await snapshot(stack.kube);
    const start = Date.now();
    for (let i = 0; i < RUNS; i++) {
      const run = await triggerRun(stack, 'writes');
      const done = await watch.succeeded(run.name);
      await pipelineRecorded(stack, 'writes', run.name);
      note(`${run.name}: ${done.exe.status?.phase} on ${done.exe.status?.node} in ${((done.at - run.sentAt) / 1000).toFixed(1)} s`);
    }
    await sleep(SETTLE_MS); // trailing writes: the last pod's finish, the last bookkeeping
    const runs = diffSnapshots(await snapshot(stack.kube), before);
    const runSeconds = (Date.now() - start) / 1000;
    const statusWritesBySync = metricSum(await managerMetrics(stack.manager.url), 'keelson_execution_status_writes_total') - syncBefore;
    return { runs, runSeconds, idle, idleSeconds, statusWritesBySync };
  } finally {
    await watch.stop();
  }
}

function perRun(n: number): string {
  return (n / RUNS).toFixed(2);
}

runBenchmark('apiserver-writes', async () => {
  const m = await withStack({ files: { '.devops.yml': SAMPLE_DEVOPS_YML }, managerEnv: KNOBS }, measure);

  const w = m.runs.writes;
  const idleW = m.idle.writes;
  const scale = m.runSeconds / m.idleSeconds; // idle counts → the same time as the run window
  const rows = [...w.entries()].map(([key, count]) => ({ key, k: parseKey(key), count }))
    .sort((a, b) => WRITERS.indexOf(writerOf(a.k)) - WRITERS.indexOf(writerOf(b.k)) || b.count - a.count);
  const breakdown = table(['writer', 'resource', 'verb', 'requests', 'per execution', 'idle-rate estimate'],
    rows.map(({ key, k, count }) => [writerOf(k), resourceName(k), k.verb, count, perRun(count), ((idleW.get(key) ?? 0) * scale).toFixed(1)]));

  const byWriter = (counts: typeof w, writer: string) => total(counts, (k) => writerOf(k) === writer);
  const all = total(w);
  const crs = byWriter(w, 'keelson: custom resources');
  const dataPlane = byWriter(w, 'keelson: data plane');
  const reviews = byWriter(w, 'keelson: API auth reviews (not stored)');
  const leases = byWriter(w, 'background: leases');
  const others = byWriter(w, 'not keelson: build pods and cluster');
  const idleCrs = byWriter(idleW, 'keelson: custom resources');
  const idleDataPlane = byWriter(idleW, 'keelson: data plane');
  // What the executions caused: the window minus what the same time costs with nothing running.
  const crsCaused = crs - idleCrs * scale;
  const execStatus = total(w, (k) => k.resource === 'pipelineexecutions' && k.subresource === 'status');

  // Changes etcd stored for Keelson's resources: a PATCH that changed nothing is not among them.
  const keelsonKinds = [...new Set([...m.runs.stored.keys(), ...m.idle.stored.keys()])].filter((key) => key.startsWith('devops.keelson.dev|')).sort();
  const storedRun = keelsonKinds.reduce((n, key) => n + (m.runs.stored.get(key) ?? 0), 0);
  const storedIdle = keelsonKinds.reduce((n, key) => n + (m.idle.stored.get(key) ?? 0), 0);
  const requestsOf = (counts: typeof w, resource: string) => total(counts, (k) => k.group === 'devops.keelson.dev' && k.resource === resource);
  const storedTable = table(['resource', 'write requests', 'stored changes', 'stored per execution', 'idle: requests / stored'],
    keelsonKinds.map((key) => {
      const resource = key.split('|')[1];
      return [`devops.keelson.dev/${resource}`, requestsOf(w, resource), m.runs.stored.get(key) ?? 0, perRun(m.runs.stored.get(key) ?? 0),
        `${requestsOf(idleW, resource)} / ${m.idle.stored.get(key) ?? 0}`];
    }));

  summaryBlock(`apiserver-writes: writes per successful 3-stage execution (${RUNS} runs in ${m.runSeconds.toFixed(0)} s)`, [
    ['Keelson, custom resources only', `${perRun(crsCaused)} write requests per execution caused by the runs  <- the figure; goal <= ${GOAL} (Argo Workflows: about ${ARGO})`],
    ['  as counted in the window', `${perRun(crs)} per execution (includes ${(idleCrs * scale).toFixed(0)} that the same time costs with nothing running)`],
    ['  stored in etcd', `${perRun(storedRun)} changes per execution (the rest changed nothing: no-op PATCHes)`],
    ['  of which execution status', `${perRun(execStatus)} PATCH per execution (the sync loop's own counter: ${perRun(m.statusWritesBySync)})`],
    ['Keelson, with the data plane', `${perRun(crs + dataPlane)} per execution (data-plane applies: ${dataPlane} in the window, ${perRun(dataPlane)} per execution; the gate re-applies at most once a minute)`],
    ['Keelson API auth reviews', `${perRun(reviews)} per execution (TokenReview + SubjectAccessReview of run requests, cached; nothing stored; not counted above)`],
    ['background leases', `${perRun(leases)} per execution (${leases}; the idle rate predicts ${(byWriter(idleW, 'background: leases') * scale).toFixed(0)})`],
    ['not Keelson', `${perRun(others)} per execution (build pods by the Jenkins double, binding, KWOK status, events)`],
    ['all writes, every writer', `${perRun(all)} per execution (${all} in all)`],
    ['Keelson while idle', `${idleCrs} custom-resource write requests (${storedIdle} stored) and ${idleDataPlane} data-plane writes in ${m.idleSeconds.toFixed(0)} s with nothing running`],
    ['goal', `<= ${GOAL} per execution: ${crsCaused / RUNS <= GOAL ? 'met' : 'NOT met'} (caused by the runs), ${crs / RUNS <= GOAL ? 'met' : 'NOT met'} (as counted), ${storedRun / RUNS <= GOAL ? 'met' : 'NOT met'} (stored)`],
    ['manager settings', describeKnobs(KNOBS)],
    '',
    'Method: apiserver_request_total from the apiserver\'s own /metrics (write verbs, any code, dry runs excluded) and',
    'apiserver_storage_events_received_total (changes etcd stored), before and after the runs; a warm-up run and an',
    'idle window come first. The metric has no user label and every component uses the admin kubeconfig, so writes',
    'are attributed by what they write: devops.keelson.dev only by the manager; APPLY and the data-plane kinds',
    '(namespace, Deployments, Services, PVCs, Secrets, ServiceAccounts, Roles, RoleBindings, NetworkPolicies) by its',
    'data-plane applier; leases tick with time (KWOK node heartbeats, the manager\'s leader Lease); pods, pods/binding,',
    'pods/status, events and the like are the Jenkins double, the scheduler, KWOK and the controller-manager.',
    '"idle-rate estimate" scales the idle window to the run window: a row close to it is driven by time (resyncs,',
    'heartbeats), not by the executions.',
    '',
    storedTable,
    '',
    breakdown,
  ]);
});
