// The Jenkins implementation of the engine port, over the REST API described in
// /work/shared/reference/jenkins-api.md. Each method is one short conversation with Jenkins; state that must
// survive (queue item id, build number) is returned to the caller, never kept here.
import { silentLogger, type Logger } from '@keelson/observability';

import { JenkinsCompileError } from '../compiler/compile.errors';
import { EXECUTION_ID_PARAMETER, MANAGED_JOB_NOTE } from '../compiler/job-config.xml';
import type {
  EngineBuildRef, EngineBuildState, EngineCredential, EngineEndpoint, EngineJob, EngineJobSummary, EngineLogChunk, EngineLogNode,
  EngineNodeLog, EngineNodeStatus, ExecutionEngine,
} from '../engine/execution-engine.port';
import { findBuildOfJob, findQueuedItem, getQueueItem, paramsCarry } from './build-lookup';
import { sameConfigXml } from './config-xml.canonical';
import { credentialXml } from './credential.xml';
import { decodeLogChunk, unescapeConsoleHtml } from './console-text';
import { describeBuild, isNodeStatus } from './describe-build';
import type { NodeLogJson, StageNodesJson } from './jenkins-api.types';
import { JenkinsHttpPool, type JenkinsHttp, type JenkinsHttpOptions } from './jenkins-http';
import { buildPath, createItemTarget, jobPath, queueItemFromLocation } from './jenkins-paths';
import { JenkinsClientError } from './jenkins.errors';

export interface JenkinsEngineClientOptions extends JenkinsHttpOptions {
  /** How many of a job's newest builds are searched for an execution id (the job keeps 20 by default). */
  buildSearchDepth?: number;
  /** Jenkins' quiet period for the builds we start, in seconds. Default 0: every execution is its own build. */
  quietPeriodSeconds?: number;
}

/** A step's log from the stage-view API: only its last 10 KiB (`hasMore` when cut). */
export interface EngineStepLog {
  nodeId: string;
  /** From the node's error: SUCCESS while the step still runs. */
  status?: EngineNodeStatus;
  /** Length of the whole log. */
  length: number;
  hasMore: boolean;
  /** Plain text (Jenkins sends it HTML-escaped). Empty for a stage (block) node, which has no log. */
  text: string;
  consoleUrl?: string;
}

const XML = 'application/xml';
const FORM = 'application/x-www-form-urlencoded';
const CREDENTIALS = '/credentials/store/system/domain/_';

export class JenkinsEngineClient implements ExecutionEngine {
  private readonly pool: JenkinsHttpPool;
  private readonly log: Logger;
  private readonly searchDepth: number;
  private readonly quietPeriodSeconds: number;

  constructor(options: JenkinsEngineClientOptions = {}) {
    this.log = (options.logger ?? silentLogger).child({ component: 'jenkins-client' });
    this.pool = new JenkinsHttpPool({ ...options, logger: options.logger });
    this.searchDepth = options.buildSearchDepth ?? 50;
    this.quietPeriodSeconds = options.quietPeriodSeconds ?? 0;
  }

  /** One GET when the job exists with this config (compared as XML, since Jenkins rewrites what it stores). */
  async ensureJob(endpoint: EngineEndpoint, job: EngineJob): Promise<void> {
    const http = this.pool.for(endpoint);
    const configPath = `${jobPath(job.name)}/config.xml`;
    const current = await http.send({ method: 'GET', path: configPath });
    if (current.status === 200) {
      if (sameConfigXml(current.body.toString('utf8'), job.configXml)) return;
      if (await this.updateJob(http, configPath, job)) return;
    } else if (current.status !== 404) {
      throw http.errorFor(current, `reading job ${job.name}`);
    }
    const { parent, name } = createItemTarget(job.name);
    const created = await http.send({ method: 'POST', path: `${parent}/createItem`, query: { name }, body: job.configXml, contentType: XML });
    if (created.status === 200) {
      this.log.info({ job: job.name }, 'jenkins job created');
      return;
    }
    // Created by someone else since the GET (reference: 400 "A job already exists with the name").
    if (created.status === 400 && /already exists/i.test(created.body.toString('utf8'))) {
      if (await this.updateJob(http, configPath, job)) return;
    }
    throw http.errorFor(created, `creating job ${job.name}`);
  }

  /** Creates the credential, or replaces it on 409 (its secret cannot be read back to compare). */
  async ensureCredential(endpoint: EngineEndpoint, credential: EngineCredential): Promise<void> {
    const http = this.pool.for(endpoint);
    const body = this.credentialBody(credential);
    const secrets = [credential.password];
    const created = await http.send({ method: 'POST', path: `${CREDENTIALS}/createCredentials`, body, contentType: XML, secrets });
    if (created.status >= 200 && created.status < 300) return;
    if (created.status !== 409) throw http.errorFor(created, `creating credential ${credential.id}`, secrets);
    const path = `${CREDENTIALS}/credential/${encodeURIComponent(credential.id)}/config.xml`;
    const updated = await http.send({ method: 'POST', path, body, contentType: XML, secrets });
    if (updated.status < 200 || updated.status >= 300) throw http.errorFor(updated, `updating credential ${credential.id}`, secrets);
  }

  async deleteCredential(endpoint: EngineEndpoint, id: string): Promise<void> {
    const http = this.pool.for(endpoint);
    const response = await http.send({ method: 'POST', path: `${CREDENTIALS}/credential/${encodeURIComponent(id)}/doDelete` });
    if (response.status === 404) return;
    if (response.status >= 400) throw http.errorFor(response, `deleting credential ${id}`);
    this.log.info({ credential: id }, 'jenkins credential deleted');
  }

  async start(endpoint: EngineEndpoint, job: string, executionId: string): Promise<EngineBuildRef> {
    const http = this.pool.for(endpoint);
    const what = `starting job ${job}`;
    const response = await http.send({
      // No quiet period by default: nothing needs coalescing here; every execution is its own build.
      method: 'POST', path: `${jobPath(job)}/buildWithParameters?delay=${this.quietPeriodSeconds}sec`,
      body: new URLSearchParams({ [EXECUTION_ID_PARAMETER]: executionId }).toString(), contentType: FORM,
    });
    const { status } = response;
    if (status === 201 || status === 303) {
      const queueItem = queueItemFromLocation(response.header('location'));
      if (queueItem === undefined) throw new JenkinsClientError('BadResponse', `${what}: no queue item in the Location header`, { status });
      // 303: an identical item was already queued, and this is it.
      this.log.info({ job, queueItem, executionId, duplicate: status === 303 }, 'jenkins build queued');
      return { job, queueItem };
    }
    if (status === 302) throw new JenkinsClientError('NothingScheduled', `${what}: Jenkins scheduled nothing`, { status });
    if (status === 409) throw new JenkinsClientError('JobDisabled', `${what}: the job is not buildable (disabled)`, { status });
    if (status === 500 && /not parameterized/i.test(response.body.toString('utf8'))) {
      throw new JenkinsClientError('NotParameterized', `${what}: the job declares no ${EXECUTION_ID_PARAMETER} parameter`, { status });
    }
    throw http.errorFor(response, what);
  }

  async findBuild(endpoint: EngineEndpoint, job: string, executionId: string, hint?: EngineBuildRef): Promise<EngineBuildRef | undefined> {
    if (hint?.number !== undefined) return { ...hint, job };
    const http = this.pool.for(endpoint);
    if (hint?.queueItem !== undefined) {
      const item = await getQueueItem(http, hint.queueItem);
      // An item with other parameters is not ours (queue ids restart with Jenkins): search instead.
      if (item && paramsCarry(item.params, executionId)) {
        if (item.cancelled === true) return undefined;
        const number = item.executable?.number;
        return { job, queueItem: hint.queueItem, ...(typeof number === 'number' && { number }) };
      }
    }
    // Queue first: an item that leaves it meanwhile is then among the builds.
    const queued = await findQueuedItem(http, job, executionId);
    if (queued !== undefined) return { job, queueItem: queued };
    const build = await findBuildOfJob(http, job, this.searchDepth, (b) => b.executionId === executionId);
    if (!build) return undefined;
    return { job, number: build.number, ...(build.queueId !== undefined && { queueItem: build.queueId }) };
  }

  async describe(endpoint: EngineEndpoint, ref: EngineBuildRef): Promise<EngineBuildState> {
    const http = this.pool.for(endpoint);
    const resolved = await this.resolve(http, ref);
    if (resolved.kind === 'queued') return { ref, state: 'queued', ...(resolved.why && { reason: resolved.why }), stages: [], pendingInputs: [] };
    if (resolved.kind === 'cancelled') return { ref, state: 'finished', result: 'ABORTED', reason: 'the queue item was cancelled', stages: [], pendingInputs: [] };
    if (resolved.kind === 'lost') return { ref, state: 'lost', reason: resolved.reason, stages: [], pendingInputs: [] };
    return describeBuild(http, resolved.ref);
  }

  async stop(endpoint: EngineEndpoint, ref: EngineBuildRef): Promise<void> {
    const http = this.pool.for(endpoint);
    let resolved = await this.resolve(http, ref);
    if (resolved.kind === 'queued' && ref.queueItem !== undefined) {
      const cancel = await http.send({ method: 'POST', path: '/queue/cancelItem', query: { id: ref.queueItem } });
      // The item may have left the queue between the look and the cancel (Jenkins then refuses the cancel with
      // 404, 422 or 500): look again, and stop the build it became.
      resolved = await this.resolve(http, ref);
      if (resolved.kind === 'queued' && cancel.status >= 400) throw http.errorFor(cancel, `cancelling queue item ${ref.queueItem}`);
      this.log.info({ job: ref.job, queueItem: ref.queueItem, outcome: resolved.kind }, 'jenkins queue item cancelled');
    }
    if (resolved.kind !== 'build') return;
    const { job, number } = resolved.ref as Required<Pick<EngineBuildRef, 'job' | 'number'>>;
    const build = await http.send({ method: 'GET', path: `${buildPath(job, number)}/api/json`, query: { tree: 'building' } });
    if (build.status === 404) return;
    if (build.status !== 200) throw http.errorFor(build, `reading build #${number} of job ${job}`);
    if (http.json<{ building?: boolean }>(build, 'build').building !== true) return; // finished: nothing to stop
    const stopped = await http.send({ method: 'POST', path: `${buildPath(job, number)}/stop` });
    if (stopped.status >= 400 && stopped.status !== 404) throw http.errorFor(stopped, `stopping build #${number} of job ${job}`);
    this.log.info({ job, number }, 'jenkins build stopped');
  }

  /** Accepts the id as the Jenkinsfile wrote it or as Jenkins reports it (first letter capitalised). */
  async answerInput(endpoint: EngineEndpoint, ref: EngineBuildRef, inputId: string, decision: 'proceed' | 'abort'): Promise<void> {
    const number = this.requireNumber(ref, 'answering an input');
    const http = this.pool.for(endpoint);
    const id = capitaliseFirst(inputId);
    const action = decision === 'proceed' ? 'proceedEmpty' : 'abort';
    const what = `answering input ${id} of build #${number} of job ${ref.job}`;
    const response = await http.send({ method: 'POST', path: `${buildPath(ref.job, number)}/input/${encodeURIComponent(id)}/${action}` });
    if (response.status === 404) throw new JenkinsClientError('InputNotPending', `${what}: no such input is pending`, { status: 404 });
    if (response.status >= 400) throw http.errorFor(response, what);
    this.log.info({ job: ref.job, number, inputId: id, decision }, 'jenkins input answered');
  }

  /**
   * Console text from `offset`. A build still in the queue has no log yet (empty, `more`). A `nextOffset` below
   * `offset` means Jenkins restarted from 0 because the log became shorter than the offset.
   */
  async readLog(endpoint: EngineEndpoint, ref: EngineBuildRef, offset: number): Promise<EngineLogChunk> {
    if (ref.number === undefined) return { text: '', nextOffset: offset, more: true };
    const http = this.pool.for(endpoint);
    const what = `reading the log of build #${ref.number} of job ${ref.job}`;
    const response = await http.send({ method: 'GET', path: `${buildPath(ref.job, ref.number)}/logText/progressiveText`, query: { start: offset } });
    if (response.status !== 200) throw http.errorFor(response, what);
    const size = Number(response.header('x-text-size'));
    if (!Number.isSafeInteger(size) || size < 0) throw new JenkinsClientError('BadResponse', `${what}: no X-Text-Size header`, { status: 200 });
    // The header is present only while the build runs; when it is done it is absent, not "false".
    const more = response.header('x-more-data') === 'true';
    const { text, nextOffset } = decodeLogChunk(response.body, size, more);
    return { text, nextOffset, more };
  }

  /** A step's (flow node's) log through the stage-view API. */
  async readStepLog(endpoint: EngineEndpoint, ref: EngineBuildRef, nodeId: string): Promise<EngineStepLog> {
    const number = this.requireNumber(ref, 'reading a step log');
    const http = this.pool.for(endpoint);
    const what = `reading the log of node ${nodeId} of build #${number} of job ${ref.job}`;
    const response = await http.send({ method: 'GET', path: `${buildPath(ref.job, number)}/execution/node/${encodeURIComponent(nodeId)}/wfapi/log` });
    if (response.status !== 200) throw http.errorFor(response, what);
    const body = http.json<NodeLogJson>(response, what);
    return {
      nodeId: body.nodeId ?? nodeId,
      ...(isNodeStatus(body.nodeStatus) && { status: body.nodeStatus }),
      length: typeof body.length === 'number' ? body.length : 0,
      hasMore: body.hasMore === true,
      text: typeof body.text === 'string' ? unescapeConsoleHtml(body.text) : '',
      ...(typeof body.consoleUrl === 'string' && { consoleUrl: body.consoleUrl }),
    };
  }

  /**
   * The atom nodes of a stage that have a log (`_links.log` in stage view: `sh`, `input`, ...), sorted by id,
   * which is the order Jenkins created them in. Nested stages are not included: each step is its own stage.
   */
  async logNodes(endpoint: EngineEndpoint, ref: EngineBuildRef, stageId: string): Promise<EngineLogNode[]> {
    const number = this.requireNumber(ref, 'listing log nodes');
    const http = this.pool.for(endpoint);
    const what = `nodes of stage ${stageId} of build #${number} of job ${ref.job}`;
    const response = await http.send({ method: 'GET', path: `${buildPath(ref.job, number)}/execution/node/${encodeURIComponent(stageId)}/wfapi/describe` });
    if (response.status !== 200) throw http.errorFor(response, what);
    const body = http.json<StageNodesJson>(response, what);
    return (Array.isArray(body.stageFlowNodes) ? body.stageFlowNodes : [])
      .flatMap((n): EngineLogNode[] => (typeof n?.id === 'string' && /^\d+$/.test(n.id) && isNodeStatus(n.status) && n._links?.log ? [{ id: n.id, status: n.status }] : []))
      .sort((a, b) => Number(a.id) - Number(b.id));
  }

  /**
   * A node's log from `offset` (workflow-api LogAction: `execution/node/<id>/log/logText/progressiveText`). The
   * next offset is the raw X-Text-Size; X-More-Data is present only while the node runs, absent once it ended.
   */
  async readNodeLog(endpoint: EngineEndpoint, ref: EngineBuildRef, nodeId: string, offset: number): Promise<EngineNodeLog> {
    const number = this.requireNumber(ref, 'reading a node log');
    const http = this.pool.for(endpoint);
    const what = `reading the log of node ${nodeId} of build #${number} of job ${ref.job}`;
    const response = await http.stream({ path: `${buildPath(ref.job, number)}/execution/node/${encodeURIComponent(nodeId)}/log/logText/progressiveText`, query: { start: offset } });
    if (response.status !== 200) throw await http.streamErrorFor(response, what);
    const size = Number(response.header('x-text-size'));
    if (!Number.isSafeInteger(size) || size < 0) {
      response.body.destroy();
      throw new JenkinsClientError('BadResponse', `${what}: no X-Text-Size header`, { status: 200 });
    }
    return { nextOffset: size, more: response.header('x-more-data') === 'true', body: response.body };
  }

  async deleteJob(endpoint: EngineEndpoint, job: string): Promise<void> {
    const http = this.pool.for(endpoint);
    const response = await http.send({ method: 'POST', path: `${jobPath(job)}/doDelete` });
    if (response.status === 404) return;
    if (response.status >= 400) throw http.errorFor(response, `deleting job ${job}`);
    this.log.info({ job }, 'jenkins job deleted');
  }

  /** One GET of the root with `tree=jobs[name,description]`: folders' contents are not listed (Keelson makes none). */
  async listJobs(endpoint: EngineEndpoint): Promise<EngineJobSummary[]> {
    const http = this.pool.for(endpoint);
    const response = await http.send({ method: 'GET', path: '/api/json', query: { tree: 'jobs[name,description]' } });
    if (response.status !== 200) throw http.errorFor(response, 'listing jobs');
    const jobs = http.json<{ jobs?: Array<{ name?: unknown; description?: unknown }> }>(response, 'jobs').jobs ?? [];
    return jobs
      .filter((j): j is { name: string; description?: unknown } => typeof j.name === 'string' && j.name.length > 0)
      .map((j) => ({ name: j.name, managed: typeof j.description === 'string' && j.description.endsWith(MANAGED_JOB_NOTE) }));
  }

  /** False when the job vanished meanwhile (404), so the caller creates it. */
  private async updateJob(http: JenkinsHttp, configPath: string, job: EngineJob): Promise<boolean> {
    const updated = await http.send({ method: 'POST', path: configPath, body: job.configXml, contentType: XML });
    if (updated.status === 404) return false;
    if (updated.status < 200 || updated.status >= 300) throw http.errorFor(updated, `updating job ${job.name}`);
    this.log.info({ job: job.name }, 'jenkins job updated');
    return true;
  }

  private credentialBody(credential: EngineCredential): string {
    try {
      return credentialXml(credential);
    } catch (err) {
      if (err instanceof JenkinsCompileError) {
        // The compile error names only the character; the value stays out of the message.
        throw new JenkinsClientError('InvalidInput', `credential ${credential.id}: ${err.message}`);
      }
      throw err;
    }
  }

  /** Where a ref stands: still queued, cancelled, lost, or a build with a number. */
  private async resolve(http: JenkinsHttp, ref: EngineBuildRef): Promise<Resolved> {
    if (ref.number !== undefined) return { kind: 'build', ref };
    if (ref.queueItem === undefined) throw new JenkinsClientError('InvalidInput', `build ref of job ${ref.job} has neither a queue item nor a number`);
    const item = await getQueueItem(http, ref.queueItem);
    if (item) {
      if (item.cancelled === true) return { kind: 'cancelled' };
      const number = item.executable?.number;
      if (typeof number === 'number') return { kind: 'build', ref: { ...ref, number } };
      return { kind: 'queued', why: item.why ?? undefined };
    }
    // The left item expired (5 minutes): the build that came out of it still names its queue id.
    const build = await findBuildOfJob(http, ref.job, this.searchDepth, (b) => b.queueId === ref.queueItem);
    if (build) return { kind: 'build', ref: { ...ref, number: build.number } };
    return { kind: 'lost', reason: `Jenkins no longer knows queue item ${ref.queueItem} of job ${ref.job}` };
  }

  private requireNumber(ref: EngineBuildRef, what: string): number {
    if (ref.number === undefined) throw new JenkinsClientError('InvalidInput', `${what}: build of job ${ref.job} has no number yet`);
    return ref.number;
  }
}

type Resolved =
  | { kind: 'build'; ref: EngineBuildRef }
  | { kind: 'queued'; why?: string }
  | { kind: 'cancelled' }
  | { kind: 'lost'; reason: string };

/** Jenkins normalises input ids with `Character.toUpperCase` on the first char (RunAPI). */
export function capitaliseFirst(id: string): string {
  if (id === '') return id;
  const upper = id[0].toUpperCase();
  return (upper.length === 1 ? upper : id[0]) + id.slice(1);
}
