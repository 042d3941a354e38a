// Finding a build again: through its queue item while Jenkins remembers it, and by what the build carries
// (its EXECUTION_ID parameter, its queue id) once the left item has expired (5 minutes, reference "Trigger,
// queue item and build number").
import { EXECUTION_ID_PARAMETER } from '../compiler/job-config.xml';
import type { JobBuildsJson, QueueItemJson, QueueJson } from './jenkins-api.types';
import type { JenkinsHttp } from './jenkins-http';
import { jobPath, leafName } from './jenkins-paths';

/** The queue item, or undefined once Jenkins has forgotten it (404). */
export async function getQueueItem(http: JenkinsHttp, id: number): Promise<QueueItemJson | undefined> {
  const what = `queue item ${id}`;
  const response = await http.send({ method: 'GET', path: `/queue/item/${id}/api/json` });
  if (response.status === 404) return undefined;
  if (response.status !== 200) throw http.errorFor(response, what);
  return http.json<QueueItemJson>(response, what);
}

/**
 * Whether a queue item's `params` carry this execution id; true when Jenkins gave none. Core writes one
 * `\nNAME=value` line per parameter (StringParameterValue.getShortDescription); the `NAME='value'` of its
 * toString() is accepted too, in case a parameter type renders that way.
 */
export function paramsCarry(params: string | undefined, executionId: string): boolean {
  if (params === undefined) return true;
  const plain = `${EXECUTION_ID_PARAMETER}=${executionId}`;
  const quoted = `${EXECUTION_ID_PARAMETER}='${executionId}'`;
  return params.split('\n').some((line) => line === plain || line === quoted);
}

/** Id of an item of this job still waiting in the queue with this execution id. */
export async function findQueuedItem(http: JenkinsHttp, job: string, executionId: string): Promise<number | undefined> {
  const response = await http.send({ method: 'GET', path: '/queue/api/json', query: { tree: 'items[id,params,task[name,url]]' } });
  if (response.status !== 200) throw http.errorFor(response, 'queue');
  const items = http.json<QueueJson>(response, 'queue').items ?? [];
  const name = leafName(job);
  const path = `${jobPath(job)}/`;
  const found = items.find((item) =>
    typeof item.id === 'number' && item.params !== undefined && paramsCarry(item.params, executionId) &&
    item.task?.name === name && (item.task.url === undefined || new URL(item.task.url, 'http://x/').pathname.endsWith(path)));
  return found?.id;
}

export interface FoundBuild {
  number: number;
  queueId?: number;
}

/** The oldest of the job's newest `depth` builds that matches; undefined when none does or the job is gone. */
export async function findBuildOfJob(
  http: JenkinsHttp, job: string, depth: number, matches: (build: { queueId?: number; executionId?: string }) => boolean,
): Promise<FoundBuild | undefined> {
  const what = `builds of job ${job}`;
  const response = await http.send({
    method: 'GET', path: `${jobPath(job)}/api/json`,
    query: { tree: `builds[number,queueId,actions[parameters[name,value]]]{0,${depth}}` },
  });
  if (response.status === 404) return undefined;
  if (response.status !== 200) throw http.errorFor(response, what);
  let found: FoundBuild | undefined;
  for (const build of http.json<JobBuildsJson>(response, what).builds ?? []) {
    if (typeof build.number !== 'number') continue;
    const parameter = (build.actions ?? [])
      .flatMap((action) => action?.parameters ?? [])
      .find((p) => p.name === EXECUTION_ID_PARAMETER);
    const candidate = { queueId: build.queueId, executionId: typeof parameter?.value === 'string' ? parameter.value : undefined };
    // Several builds with one id would be a bug elsewhere; the first one started is the stable answer.
    if (matches(candidate) && (!found || build.number < found.number)) {
      found = { number: build.number, ...(typeof build.queueId === 'number' && { queueId: build.queueId }) };
    }
  }
  return found;
}
