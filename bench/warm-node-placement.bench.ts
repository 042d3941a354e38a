// Warm-node placement through the real scheduler (issue 5, benchmark 4).
// Run: node -r @swc-node/register bench/warm-node-placement.bench.ts   (NODES=10 PIPELINES=50 ROUNDS=5 by default)
// Printed numbers, not assertions. Every round runs each pipeline once, all pipelines at the same time, and
// waits until every Pipeline has recorded its run (so the next round's build pods carry the affinity). The
// same rounds run twice: with Keelson's preferred node affinity (PipelineSetting cache.rememberedNodes: 3, the
// default) and without it (rememberedNodes: 0, no affinity is compiled), each time with fresh pipelines.
// The node of a run is the execution's status.node (the build pod's node as the sync loop saw it).
import { KeelsonStack } from '../test/support/keelson-stack';
import {
  createSetting, describeKnobs, envInt, ExecutionWatch, managerKnobs, pipelineRecorded, runBenchmark, triggerRun, updateSetting, withStack,
} from './support/bench-stack';
import { mapPool } from './support/pool';
import { note, summaryBlock, table } from './support/report';
import { pct } from './support/stats';

const NODES = envInt('NODES', 10);
const PIPELINES = envInt('PIPELINES', 50);
const ROUNDS = envInt('ROUNDS', 5);
const REMEMBERED = envInt('REMEMBERED_NODES', 3);
const GOAL = 0.9;
const KNOBS = managerKnobs();

const QUICK = `
stages:
- name: build
  steps:
  - runScriptConfig: {image: alpine:3.20, shellScript: echo built}
`;

interface Run {
  pipeline: string;
  round: number;
  node: string;
  /** Keelson's own record: the node was among the Pipeline's recent nodes when the run finished. */
  warmFlag: boolean;
}

interface RoundStats {
  round: number;
  runs: number;
  anyPrevious: number;
  previous: number;
  warmFlag: number;
  distinctNodes: number;
  busiestNode: number;
}

interface Mode {
  label: string;
  runs: Run[];
  rounds: RoundStats[];
}

async function runMode(stack: KeelsonStack, watch: ExecutionWatch, label: string, prefix: string): Promise<Mode> {
  const pipelines = Array.from({ length: PIPELINES }, (_, i) => `${prefix}-${String(i).padStart(2, '0')}`);
  await mapPool(pipelines, 10, (p) => stack.createPipeline(p));
  const runs: Run[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const started = Date.now();
    const names = await mapPool(pipelines, 10, async (p) => (await triggerRun(stack, p)).name);
    const done = await mapPool(names, PIPELINES, (name) => watch.succeeded(name, 300_000));
    await mapPool(pipelines, 5, (p, i) => pipelineRecorded(stack, p, names[i], 120_000));
    done.forEach(({ exe }, i) => runs.push({ pipeline: pipelines[i], round, node: exe.status?.node ?? '?', warmFlag: exe.status?.warmNode === true }));
    note(`${label}: round ${round} of ${PIPELINES} runs done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  return { label, runs, rounds: roundStats(runs) };
}

function roundStats(runs: Run[]): RoundStats[] {
  const history = new Map<string, string[]>();
  const out: RoundStats[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const these = runs.filter((r) => r.round === round);
    const s: RoundStats = { round, runs: these.length, anyPrevious: 0, previous: 0, warmFlag: 0, distinctNodes: 0, busiestNode: 0 };
    const perNode = new Map<string, number>();
    for (const r of these) {
      const before = history.get(r.pipeline) ?? [];
      if (before.includes(r.node)) s.anyPrevious++;
      if (before.at(-1) === r.node) s.previous++;
      if (r.warmFlag) s.warmFlag++;
      perNode.set(r.node, (perNode.get(r.node) ?? 0) + 1);
    }
    for (const r of these) history.set(r.pipeline, [...(history.get(r.pipeline) ?? []), r.node]);
    s.distinctNodes = perNode.size;
    s.busiestNode = Math.max(0, ...perNode.values());
    out.push(s);
  }
  return out;
}

function totals(mode: Mode) {
  const later = mode.rounds.filter((r) => r.round > 1);
  const sum = (f: (r: RoundStats) => number) => later.reduce((n, r) => n + f(r), 0);
  return { runs: sum((r) => r.runs), anyPrevious: sum((r) => r.anyPrevious), previous: sum((r) => r.previous), warmFlag: sum((r) => r.warmFlag) };
}

function roundTable(mode: Mode): string {
  return table(['round', 'runs', 'on a node it used before', 'on its previous node', 'status.warmNode', 'nodes used', 'busiest node'],
    mode.rounds.map((r) => r.round === 1
      ? [r.round, r.runs, '(first run)', '', '', r.distinctNodes, r.busiestNode]
      : [r.round, r.runs, pct(r.anyPrevious, r.runs), pct(r.previous, r.runs), pct(r.warmFlag, r.runs), r.distinctNodes, r.busiestNode]));
}

runBenchmark('warm-node-placement', async () => {
  const modes = await withStack({ nodes: NODES, files: { '.devops.yml': QUICK }, managerEnv: KNOBS }, async (stack, cleanup) => {
    await createSetting(stack, { maxConcurrentExecutions: Math.min(1000, PIPELINES), cache: { rememberedNodes: REMEMBERED } });
    const watch = await ExecutionWatch.start(stack.kube);
    cleanup.push(() => watch.stop());
    note('warm-up run: applies the data plane');
    await stack.createPipeline('warmup');
    await watch.succeeded((await triggerRun(stack, 'warmup')).name, 240_000);

    const withAffinity = await runMode(stack, watch, `with affinity (rememberedNodes ${REMEMBERED})`, 'warm');
    await updateSetting(stack, { cache: { rememberedNodes: 0 } });
    const without = await runMode(stack, watch, 'without affinity (rememberedNodes 0)', 'cold');
    return [withAffinity, without];
  });

  const [warm, cold] = modes.map(totals);
  summaryBlock(`warm-node-placement: ${PIPELINES} pipelines x ${ROUNDS} rounds on ${NODES} simulated nodes, real kube-scheduler`, [
    ['with affinity', `${pct(warm.anyPrevious, warm.runs)} of ${warm.runs} later runs on a node the pipeline used before (${pct(warm.previous, warm.runs)} on its previous node; status.warmNode ${pct(warm.warmFlag, warm.runs)})`],
    ['without affinity', `${pct(cold.anyPrevious, cold.runs)} of ${cold.runs} later runs on a node the pipeline used before (${pct(cold.previous, cold.runs)} on its previous node)`],
    ['goal', `>= ${GOAL * 100} % with affinity: ${warm.runs && warm.anyPrevious / warm.runs >= GOAL ? 'met' : 'NOT met'}; without it, chance is 1/${NODES} = ${(100 / NODES).toFixed(0)} % per run for "previous node" (more for "any node used before", which grows with the rounds)`],
    ['setup', `all ${PIPELINES} runs of a round at once (maxConcurrentExecutions ${Math.min(1000, PIPELINES)}), build pods without resource requests, each round after every Pipeline recorded its node`],
    ['manager settings', describeKnobs(KNOBS)],
    '',
    `With affinity (rememberedNodes ${REMEMBERED}):`,
    roundTable(modes[0]),
    '',
    'Without affinity (rememberedNodes 0):',
    roundTable(modes[1]),
  ]);
});
