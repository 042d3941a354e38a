// The log side of the sync loop (ADR 0010): while a build runs, the new bytes of its running steps go to MinIO,
// masked, and each step that ended is sealed; after the final phase (written as before, never held up by logs)
// the archiving goes on until every step that ran is sealed, and only then does the execution's Jenkins job go
// (ADR 0003: one job per execution). MinIO away: the cursor does not move, Jenkins keeps the bytes, the log says
// Partial and why; past `outageGraceMs` after the end, the steps left are given up and the job goes all the same.
import { MAX_STEP_CACHE_LOOKUPS, type PipelineExecutionStatus } from '@keelson/crds';
import {
  isJenkinsNotFound, JenkinsClientError, parseCacheLookups, parseJenkinsNodeName, type CacheLookupRecord, type EngineBuildRef, type EngineBuildState, type EngineEndpoint,
  type EngineNodeStatus, type ExecutionEngine,
} from '@keelson/engine-jenkins';
import { Keelson, type ObjectOf } from '@keelson/kube';
import { LogError, maskForms, type MinioLogStore, type SealedLog, type StepLogRef } from '@keelson/logs';
import type { Logger } from '@keelson/observability';
import { gitCredentialId } from '../executions/execution-job.compiler';
import type { BuildSecrets } from './build-secrets';
import type { LogEvents } from './log-events';
import type { LogStores } from './log-stores';
import { followStep } from './step-log.follower';

type Execution = ObjectOf<typeof Keelson.PipelineExecution>;
type StageStatus = NonNullable<PipelineExecutionStatus['stages']>[number];
type StepLogRecord = NonNullable<StageStatus['steps'][number]['log']>;
type ExecutionLogStatus = NonNullable<PipelineExecutionStatus['log']>;

export interface ExecutionLogArchiverDeps {
  engine: ExecutionEngine;
  jenkins(project: string): Promise<EngineEndpoint>;
  stores: LogStores;
  secrets: BuildSecrets;
  /** Deletes the execution's Jenkins job and its checkout credential. */
  jobs: { deleteJob(project: string, job: string, credentialId?: string): Promise<void> };
  events?: LogEvents;
  logger: Logger;
  now?: () => number;
  /** After the final phase, how long unsealed steps wait for MinIO (or Jenkins) before they are given up. */
  outageGraceMs: number;
  /** Chunk and masker line sizes (tests make them small to cut secrets across chunks). */
  chunkBytes?: number;
  maxLineBytes?: number;
}

export interface LogProgress {
  /** `stage/step` → its sealed log, for the status. */
  sealed: Map<string, StepLogRecord>;
  /** `stage/step` → the cache lookups its sealed log records (its cache wrapper's lines). */
  lookups?: Map<string, CacheLookupRecord[]>;
  /** Bytes were stored by this poll: keep polling often. */
  flowing: boolean;
  /** Steps that ran and are not sealed, as `stage/step`. */
  open: string[];
  /** Why logs cannot be stored now (MinIO or Jenkins unavailable). */
  problem?: string;
}

/** A step and where Jenkins shows it. */
interface StepTarget {
  stage: number;
  step: number;
  stageId?: string;
  status: EngineNodeStatus;
}

/** The wrapper's lines come first in a step's log; a waiting writer adds a line or two. */
const LOOKUP_HEAD_BYTES = 16 * 1024;

const ENDED: ReadonlySet<EngineNodeStatus> = new Set(['SUCCESS', 'FAILED', 'ABORTED', 'UNSTABLE', 'NOT_EXECUTED']);

export class ExecutionLogArchiver {
  private readonly outages = new Map<string, number>();
  private readonly warned = new Set<string>();
  private readonly now: () => number;

  constructor(private readonly deps: ExecutionLogArchiverDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** One poll of a running build: new bytes stored, ended steps sealed. Never throws for a log failure. */
  async follow(exe: Execution, state: EngineBuildState): Promise<LogProgress> {
    if (state.state !== 'running' || state.ref.number === undefined) return { sealed: new Map(), flowing: false, open: [] };
    try {
      return await this.pass(exe, state.ref, targetsOf(state), false);
    } catch (err) {
      // Whatever goes wrong with the logs, the sync of the execution goes on: its phase is never the logs' to change.
      return this.failed(exe, { sealed: new Map(), flowing: false, open: [] }, targetsOf(state), err);
    }
  }

  /** The status with what `progress` learnt: sealed steps' records and the log's state (Live or Partial). */
  withLogs(status: PipelineExecutionStatus, progress: LogProgress | undefined, final = false): PipelineExecutionStatus {
    if (!progress) return status;
    const stages = (status.stages ?? []).map((stage, s) => ({
      ...stage,
      steps: stage.steps.map((step, t) => {
        const sealed = progress.sealed.get(`${s}/${t}`);
        if (!sealed || step.log) return step;
        const cache = progress.lookups?.get(`${s}/${t}`);
        return { ...step, log: sealed, ...(cache?.length && { cache }) };
      }),
    }));
    const partialSteps = stages.flatMap((stage, s) => stage.steps.flatMap((step, t) => (step.log?.partial ? [`stage ${s} step ${t}`] : [])));
    let log: ExecutionLogStatus;
    if (progress.problem) log = { state: 'Partial', reason: progress.problem.slice(0, 1024) };
    else if (partialSteps.length > 0) log = { state: 'Partial', reason: `some output could not be stored: ${partialSteps.join(', ')}`.slice(0, 1024) };
    else if (final && progress.open.length === 0) log = { state: 'Complete' };
    else log = { state: 'Live' };
    const current = status.log;
    const same = current?.state === log.state && current.reason === log.reason;
    return { ...status, stages, log: same ? current : { ...log, time: iso(this.now()) } };
  }

  /**
   * After the final phase: drain and seal what is left. `done` once every step that ran is sealed (or, past the
   * grace, given up) and the Jenkins job is deleted; `status` is what to write (nothing when nothing changed).
   */
  async afterEnd(exe: Execution): Promise<{ status?: PipelineExecutionStatus; done: boolean; flowing: boolean }> {
    const current = exe.status ?? {};
    if (current.log?.state === 'Complete' || current.log?.state === 'Expired' || (current.log?.state === 'Partial' && current.log.reason?.startsWith(GIVEN_UP))) {
      return { done: true, flowing: false };
    }
    const project = exe.metadata.namespace!;
    const build = current.build;
    const ended = Date.parse(current.completionTime ?? '') || this.now();
    const pastGrace = this.now() - ended > this.deps.outageGraceMs;
    let progress: LogProgress;
    if (!build?.number) {
      // It never started: nothing was logged, nothing is written; a job made for it goes.
      if (build?.job) await this.deps.jobs.deleteJob(project, build.job, gitCredentialId(exe.metadata.name!)).catch((err: Error) => {
        this.deps.logger.warn({ namespace: project, name: exe.metadata.name, err: err.message }, 'could not delete the Jenkins job of an execution that never started');
      });
      return { done: true, flowing: false };
    } else {
      const ref: EngineBuildRef = { job: build.job, queueItem: build.queueItem, number: build.number };
      let targets: StepTarget[];
      try {
        const state = await this.deps.engine.describe(await this.deps.jenkins(project), ref);
        targets = state.state === 'lost' ? targetsOfStatus(current) : targetsOf(state).map((t) => (ENDED.has(t.status) ? t : { ...t, status: 'ABORTED' as const }));
      } catch (err) {
        if (!(err instanceof JenkinsClientError) || !err.retryable) throw err;
        targets = [];
        progress = { sealed: new Map(), flowing: false, open: ['?'], problem: `Jenkins is unavailable: ${err.message}` };
      }
      progress ??= await this.pass(exe, ref, targets, true);
    }
    const settled = progress.open.length === 0;
    if (!settled && !pastGrace) {
      const status = this.withLogs(current, progress, true);
      return { status: changed(status, current) ? status : undefined, done: false, flowing: progress.flowing };
    }
    if (build?.job) {
      try {
        await this.deps.jobs.deleteJob(project, build.job, gitCredentialId(exe.metadata.name!));
      } catch (err) {
        if (!(err instanceof JenkinsClientError) || !err.retryable) throw err;
        // Tried again next time; past the grace, the execution's finalizer deletes it when the execution goes.
        this.deps.logger.warn({ namespace: project, name: exe.metadata.name, err: err.message }, 'could not delete the Jenkins job of an archived execution');
        if (!pastGrace) return { done: false, flowing: false };
      }
    }
    this.outages.delete(exe.metadata.uid!);
    this.deps.secrets.forget(exe);
    let status = this.withLogs(current, progress, true);
    if (!settled) {
      status = { ...status, log: { state: 'Partial', reason: `${GIVEN_UP}: ${progress.open.map(describeStep).join(', ')}${progress.problem ? ` (${progress.problem})` : ''}`.slice(0, 1024), time: iso(this.now()) } };
      this.deps.logger.warn({ namespace: project, name: exe.metadata.name, steps: progress.open }, 'step logs given up');
    }
    return { status: changed(status, current) ? status : undefined, done: true, flowing: false };
  }

  private async pass(exe: Execution, build: EngineBuildRef, targets: StepTarget[], final: boolean): Promise<LogProgress> {
    const progress: LogProgress = { sealed: new Map(), flowing: false, open: [] };
    const recorded = (t: StepTarget) => Boolean(exe.status?.stages?.[t.stage]?.steps[t.step]?.log);
    // A step Jenkins never ran (skipped by `when`, or after a failure) has no log to keep.
    const todo = targets.filter((t) => !recorded(t) && t.status !== 'NOT_EXECUTED');
    if (todo.length === 0) return this.settle(exe, progress);
    const project = exe.metadata.namespace!;
    const uid = exe.metadata.uid!;
    let store: MinioLogStore;
    let endpoint: EngineEndpoint;
    try {
      store = await this.deps.stores.forProject(project);
      endpoint = await this.deps.jenkins(project);
      await store.ensureBucket();
    } catch (err) {
      return this.failed(exe, progress, todo, err);
    }
    let secrets: Awaited<ReturnType<BuildSecrets['of']>>;
    try {
      secrets = await this.deps.secrets.of(exe);
    } catch (err) {
      // Without the values to mask nothing may be stored: the cursor waits, Jenkins keeps the bytes.
      return this.failed(exe, progress, todo, err, 'the secret values to mask could not be read');
    }
    this.warnOnce(exe, secrets);
    for (const [i, target] of todo.entries()) {
      const ref: StepLogRef = { namespace: project, pipeline: exe.spec.pipelineRef.name, run: exe.spec.run!, stage: target.stage, step: target.step };
      const key = `${target.stage}/${target.step}`;
      try {
        const sealed = await store.sealed(ref);
        if (sealed) {
          progress.sealed.set(key, record(sealed));
          await this.noteLookups(exe, store, ref, key, progress);
          continue;
        }
        let drained = true;
        let lost = false;
        if (target.stageId) {
          try {
            const result = await followStep({
              store, engine: this.deps.engine, endpoint, build, ref, executionUid: uid, stageId: target.stageId, secrets,
              onStored: () => this.deps.events?.stored(ref), chunkBytes: this.deps.chunkBytes, maxLineBytes: this.deps.maxLineBytes,
            });
            progress.flowing ||= result.stored > 0;
            drained = result.drained;
          } catch (err) {
            // The build or the node is gone from Jenkins: what was stored is all there will be.
            if (!isJenkinsNotFound(err)) throw err;
            lost = true;
          }
        } else lost = final;
        if (ENDED.has(target.status) && (drained || lost)) {
          progress.sealed.set(key, record(await store.seal(ref, uid, { partial: lost })));
          await this.noteLookups(exe, store, ref, key, progress);
          this.deps.events?.stored(ref);
        } else progress.open.push(key);
      } catch (err) {
        return this.failed(exe, progress, todo.slice(i), err);
      }
    }
    return this.settle(exe, progress);
  }

  /**
   * The cache lookups at the head of a sealed step log (the wrapper prints them before the step's own output).
   * Best effort: a log that cannot be read now records none, and the step's log is recorded all the same.
   */
  private async noteLookups(exe: Execution, store: MinioLogStore, ref: StepLogRef, key: string, progress: LogProgress): Promise<void> {
    try {
      const parts: Buffer[] = [];
      for await (const buf of store.read(ref, 0, LOOKUP_HEAD_BYTES)) parts.push(buf);
      const lookups = parseCacheLookups(Buffer.concat(parts).toString('utf8'), MAX_STEP_CACHE_LOOKUPS);
      if (lookups.length > 0) (progress.lookups ??= new Map()).set(key, lookups);
    } catch (err) {
      this.deps.logger.warn({ namespace: exe.metadata.namespace, name: exe.metadata.name, step: key, err: (err as Error).message }, 'cache lookups of a step log not read');
    }
  }

  private settle(exe: Execution, progress: LogProgress): LogProgress {
    this.outages.delete(exe.metadata.uid!);
    return progress;
  }

  /** MinIO or Jenkins failed: the steps left stay open, the cursor where it was; the reason goes to the status. */
  private failed(exe: Execution, progress: LogProgress, left: StepTarget[], err: unknown, why?: string): LogProgress {
    const jenkinsDown = err instanceof JenkinsClientError;
    if (!(err instanceof LogError && err.retryable) && !jenkinsDown) {
      // Refused credentials, a data plane without its Secrets yet, or a bug: said loudly, and treated as an outage.
      this.deps.logger.error({ namespace: exe.metadata.namespace, name: exe.metadata.name, err: (err as Error).message, stack: (err as Error).stack }, 'step logs failed');
    }
    const uid = exe.metadata.uid!;
    const since = this.outages.get(uid) ?? this.now();
    this.outages.set(uid, since);
    progress.open.push(...left.map((t) => `${t.stage}/${t.step}`));
    const what = why ?? (jenkinsDown ? 'Jenkins is unavailable' : 'log storage is unavailable');
    progress.problem = `${what} since ${iso(since)}; output is kept in Jenkins and stored when it returns (${(err as Error).message})`;
    this.deps.logger.warn({ namespace: exe.metadata.namespace, name: exe.metadata.name, err: (err as Error).message }, 'step logs not stored');
    return progress;
  }

  private warnOnce(exe: Execution, secrets: readonly { source: string; value: string }[]): void {
    if (this.warned.has(exe.metadata.uid!)) return;
    this.warned.add(exe.metadata.uid!);
    if (this.warned.size > 10_000) this.warned.clear();
    // Only sources and lengths, never values: the same warnings the masker's forms come with.
    const { warnings } = maskForms(secrets);
    for (const warning of warnings) this.deps.logger.warn({ namespace: exe.metadata.namespace, name: exe.metadata.name, warning }, 'secret value not fully masked');
  }
}

export const GIVEN_UP = 'not archived';

function targetsOf(state: EngineBuildState): StepTarget[] {
  return state.stages.flatMap((node) => {
    const ref = parseJenkinsNodeName(node.name);
    return ref?.kind === 'step' ? [{ stage: ref.stage, step: ref.step, stageId: node.id, status: node.status }] : [];
  });
}

/** Jenkins lost the build: the steps the status says ran are sealed from what was stored. */
function targetsOfStatus(status: PipelineExecutionStatus): StepTarget[] {
  return (status.stages ?? []).flatMap((stage, s) => stage.steps.flatMap((step, t) => (
    step.phase === 'Pending' || step.phase === 'Skipped' ? [] : [{ stage: s, step: t, status: 'ABORTED' as const }]
  )));
}

function record(sealed: SealedLog): StepLogRecord {
  return { object: sealed.object, size: sealed.size, sha256: sealed.sha256, lines: sealed.lines, ...(sealed.partial && { partial: true }) };
}

function describeStep(key: string): string {
  const [stage, step] = key.split('/');
  return step === undefined ? key : `stage ${stage} step ${step}`;
}

function changed(next: PipelineExecutionStatus, current: PipelineExecutionStatus): boolean {
  return JSON.stringify(next.log) !== JSON.stringify(current.log) || JSON.stringify(next.stages) !== JSON.stringify(current.stages);
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
