// The state of a build that has a number: the run itself (`api/json`: building, result), its stages from the
// stage-view API (`wfapi/describe`), and the inputs it waits for, asked only when something is paused.
import type {
  EngineBuildRef, EngineBuildResult, EngineBuildState, EngineNodeStatus, EnginePendingInput, EngineStage,
} from '../engine/execution-engine.port';
import type { BuildJson, PendingInputJson, RunJson } from './jenkins-api.types';
import type { JenkinsHttp } from './jenkins-http';
import { buildPath } from './jenkins-paths';

export async function describeBuild(http: JenkinsHttp, ref: EngineBuildRef): Promise<EngineBuildState> {
  const number = ref.number as number;
  const path = buildPath(ref.job, number);
  const what = `build #${number} of job ${ref.job}`;
  const response = await http.send({ method: 'GET', path: `${path}/api/json`, query: { tree: 'number,building,result,timestamp,duration,queueId' } });
  if (response.status === 404) {
    return { ref, state: 'lost', reason: `Jenkins no longer knows ${what}`, stages: [], pendingInputs: [] };
  }
  if (response.status !== 200) throw http.errorFor(response, what);
  const build = http.json<BuildJson>(response, what);

  const run = await readRun(http, path, what);
  const stages = (run?.stages ?? []).flatMap(toStage);
  const paused = run?.status === 'PAUSED_PENDING_INPUT' || stages.some((s) => s.status === 'PAUSED_PENDING_INPUT');
  const pendingInputs = paused ? await readPendingInputs(http, path, what) : [];

  const result = isBuildResult(build.result) ? build.result : undefined;
  const finished = build.building === false && result !== undefined;
  const startTimeMillis = run?.startTimeMillis ?? build.timestamp;
  const durationMillis = finished ? build.duration ?? run?.durationMillis : run?.durationMillis;
  return {
    ref: typeof build.queueId === 'number' && ref.queueItem === undefined ? { ...ref, queueItem: build.queueId } : ref,
    state: finished ? 'finished' : 'running',
    ...(finished && { result }),
    ...(typeof startTimeMillis === 'number' && { startTimeMillis }),
    ...(typeof durationMillis === 'number' && { durationMillis }),
    stages,
    pendingInputs,
  };
}

/** The stage view of the run; undefined when Jenkins has none for it (no stage-view plugin, not a pipeline). */
async function readRun(http: JenkinsHttp, path: string, what: string): Promise<RunJson | undefined> {
  const response = await http.send({ method: 'GET', path: `${path}/wfapi/describe` });
  if (response.status === 404) return undefined;
  if (response.status !== 200) throw http.errorFor(response, `stages of ${what}`);
  return http.json<RunJson>(response, `stages of ${what}`);
}

async function readPendingInputs(http: JenkinsHttp, path: string, what: string): Promise<EnginePendingInput[]> {
  const response = await http.send({ method: 'GET', path: `${path}/wfapi/pendingInputActions` });
  if (response.status === 404) return [];
  if (response.status !== 200) throw http.errorFor(response, `pending inputs of ${what}`);
  const actions = http.json<PendingInputJson[]>(response, `pending inputs of ${what}`);
  return (Array.isArray(actions) ? actions : [])
    .filter((a): a is { id: string; message?: string } => typeof a?.id === 'string')
    .map((a) => ({ id: a.id, message: typeof a.message === 'string' ? a.message : '' }));
}

// Names are kept exactly as Jenkins gives them: they are the join key the compiler wrote (jenkins-names.ts).
function toStage(stage: NonNullable<RunJson['stages']>[number]): EngineStage[] {
  if (typeof stage?.name !== 'string' || !isNodeStatus(stage.status)) return [];
  return [{
    name: stage.name,
    ...(typeof stage.id === 'string' && { id: stage.id }),
    status: stage.status,
    ...(typeof stage.startTimeMillis === 'number' && { startTimeMillis: stage.startTimeMillis }),
    ...(typeof stage.durationMillis === 'number' && { durationMillis: stage.durationMillis }),
    ...(typeof stage.error?.message === 'string' && { error: stage.error.message }),
  }];
}

const NODE_STATUSES: readonly string[] = ['NOT_EXECUTED', 'ABORTED', 'SUCCESS', 'IN_PROGRESS', 'PAUSED_PENDING_INPUT', 'FAILED', 'UNSTABLE'];
export function isNodeStatus(value: unknown): value is EngineNodeStatus {
  return typeof value === 'string' && NODE_STATUSES.includes(value);
}

const RESULTS: readonly string[] = ['SUCCESS', 'FAILURE', 'UNSTABLE', 'ABORTED', 'NOT_BUILT'];
export function isBuildResult(value: unknown): value is EngineBuildResult {
  return typeof value === 'string' && RESULTS.includes(value);
}
