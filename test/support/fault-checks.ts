/// <reference types="jest" />
// (jest types: the benchmarks import `run` from here and are compiled by tsconfig.build.json, which has only node types.)
// The acceptance checks every fault test ends with (scenarios.md §5.0): A2, every execution has exactly one
// Jenkins build carrying its EXECUTION_ID and reaches a terminal phase; A3, that phase is Jenkins' result.
import { Keelson, type ObjectOf } from '@keelson/kube';
import { waitFor } from '@keelson/servers';
import type { BuildLedger, LedgerBuild } from './build-ledger';
import type { KeelsonStack } from './keelson-stack';
import { TERMINAL_PHASES } from './phase-recorder';

type Execution = ObjectOf<typeof Keelson.PipelineExecution>;

export interface Outcome {
  name: string;
  phase: string | undefined;
  /** Builds that ever carried the execution's id. */
  builds: number;
  /** The phase Jenkins' result stands for (a lost build: Failed); undefined without exactly one build. */
  jenkins: string | undefined;
}

/** The phase a finished Jenkins build stands for. */
export function phaseOfBuild(build: LedgerBuild): string {
  if (build.result === 'SUCCESS') return 'Succeeded';
  if (build.result === 'ABORTED') return 'Aborted';
  return 'Failed';
}

/** Waits until every named execution is in a terminal phase; the timeout message lists the ones that are not. */
export async function waitForTerminal(stack: KeelsonStack, names: string[], timeoutMs = 180_000, namespace = 'demo'): Promise<Map<string, Execution>> {
  let byName = new Map<string, Execution>();
  await waitFor(`${names.length} executions to end`, async () => {
    const items = (await stack.kube.resource(Keelson.PipelineExecution).list(namespace)).items;
    byName = new Map(items.map((e) => [e.metadata.name!, e]));
    return names.every((n) => TERMINAL_PHASES.includes(byName.get(n)?.status?.phase ?? ''));
  }, {
    timeoutMs, intervalMs: 500,
    onTimeout: () => names.filter((n) => !TERMINAL_PHASES.includes(byName.get(n)?.status?.phase ?? ''))
      .map((n) => `${n}: ${byName.get(n)?.status?.phase ?? '(none)'} ${byName.get(n)?.status?.reason ?? ''}`).join('\n'),
  });
  return byName;
}

/** Each execution's phase next to what Jenkins has for it, once its builds have finished (or vanished). */
export async function outcomes(stack: KeelsonStack, ledger: BuildLedger, names: string[], namespace = 'demo'): Promise<Outcome[]> {
  const executions = await waitForTerminal(stack, names, 180_000, namespace);
  // A stop aborts the build a moment after the phase is written: let Jenkins finish what it was told.
  await waitFor('Jenkins to finish the builds of ended executions', () => names.every((n) => ledger.buildsOf(n).every((b) => b.gone || !b.building)), {
    timeoutMs: 60_000,
    onTimeout: () => names.flatMap((n) => ledger.buildsOf(n).filter((b) => !b.gone && b.building).map((b) => `${n}: #${b.number} still building`)).join('\n'),
  });
  return names.map((name) => {
    const builds = ledger.buildsOf(name);
    return { name, phase: executions.get(name)?.status?.phase, builds: builds.length, jenkins: builds.length === 1 ? phaseOfBuild(builds[0]) : undefined };
  });
}

/** A2 and A3: one build each, and every execution ended as its build did. */
export async function expectOneBuildEachEndingAsJenkins(stack: KeelsonStack, ledger: BuildLedger, names: string[], namespace = 'demo'): Promise<Outcome[]> {
  const rows = await outcomes(stack, ledger, names, namespace);
  expect(rows).toEqual(rows.map((r) => ({ name: r.name, phase: r.jenkins ?? '(one build)', builds: 1, jenkins: r.jenkins })));
  return rows;
}

/** Executions of the namespace by name (one LIST). */
export async function executionsByName(stack: KeelsonStack, namespace = 'demo'): Promise<Map<string, Execution>> {
  const items = (await stack.kube.resource(Keelson.PipelineExecution).list(namespace)).items;
  return new Map(items.map((e) => [e.metadata.name!, e]));
}

/** Starts a run of a pipeline through the REST API of `manager` and returns the execution's name. */
export async function run(stack: KeelsonStack, manager: { url: string }, pipeline: string, branch: string, namespace = 'demo'): Promise<string> {
  const res = await stack.api(`/api/v1/namespaces/${namespace}/pipelines/${pipeline}/run`, { branch }, stack.adminToken, manager);
  if (res.status !== 201) throw new Error(`run of ${pipeline} at ${branch}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.metadata.name as string;
}

/** Every build of these executions succeeded; otherwise the failure message shows each other one's console. */
export function expectBuildsSucceeded(stack: KeelsonStack, ledger: BuildLedger, names: string[]): void {
  const others = names.flatMap((n) => ledger.buildsOf(n)).filter((b) => b.result !== 'SUCCESS');
  expect(others.map((b) => `${b.executionId} (${b.job} #${b.number}): ${b.result ?? (b.lost ? 'lost' : 'running')}\n${stack.jenkins.consoleText(b.instance, b.job, b.number) ?? ''}`)).toEqual([]);
}
