// One run of an execution's sync job (DESIGN §4.5-4.6): start the build if Jenkins has none for this execution,
// then read the build and write what changed. Every decision starts from the execution as the apiserver has it
// now, and every status write carries the resourceVersion it was based on, so a concurrent stop always wins.
import { Core, Keelson, KubeClient, KubeError, isConflict, type ObjectOf } from '@keelson/kube';
import type { ExecutionPhase, PipelineExecutionStatus } from '@keelson/crds';
import { PipelineConfigError } from '@keelson/pipeline-config';
import { compileJenkinsJob, EXECUTION_LABEL, JenkinsClientError, JenkinsCompileError, labelValue, type EngineBuildRef, type EngineBuildState, type EngineEndpoint, type ExecutionEngine } from '@keelson/engine-jenkins';
import { JobOutcome, type QueuedJob } from '@keelson/queue';
import { Logger } from '@keelson/observability';
import type { OutboundPolicy } from '@keelson/outbound';
import { BuildInputRefused, prepareBuildInputs, releaseBuildInputs } from '../executions/build-inputs';
import { buildNamespace, DEFAULT_BUILD_POLICY, executionCompileInput, executionJobName, executionPlan, type BuildPolicy } from '../executions/execution-job.compiler';
import { CredentialUnavailableError, gitCredentialsOf } from '../executions/git-auth';
import { stopReason } from '../executions/stop-reason';
import { closeStages, finalPhase, initialStages, queuedReason, stagesFromEngine, type StageStatus } from './stage-status.mapper';
import { DataPlaneEndpoints, DEFAULT_SYNC_OPTIONS, SyncJobData, SyncOptions } from './execution-sync.types';
import { syncMetrics } from './sync.metrics';
import { countCacheFacts } from './cache.metrics';
import { unreachableReason } from './jenkins-unreachable';
import { sameValue } from '../controllers/same-value';
import { buildPodPlacement, type BuildPodPlacement } from '../executions/build-pod-placement';
import { syncTimeline, type SyncTimelineFacts } from '../executions/timeline';
import type { ExecutionLogArchiver } from '../logs/execution-log.archiver';

const TERMINAL: ReadonlySet<string> = new Set(['Succeeded', 'Failed', 'Aborted']);
const WAITING_FOR_APPROVAL = 'waiting for approval';

export interface ExecutionSyncDeps {
  kube: KubeClient;
  engine: ExecutionEngine;
  endpoints: DataPlaneEndpoints;
  logger: Logger;
  now?: () => number;
  options?: Partial<SyncOptions>;
  /** The operator's cache root and privileged projects (manager configuration). */
  buildPolicy?: BuildPolicy;
  /** Whether a git token may go over plain http or to a literal private address (manager configuration); strict by default. */
  outbound?: OutboundPolicy;
  /** Step logs to MinIO (ADR 0010); without it nothing is archived and jobs stay until the execution goes. */
  logs?: ExecutionLogArchiver;
}

type Execution = ObjectOf<typeof Keelson.PipelineExecution>;

export class ExecutionSyncProcessor {
  private readonly options: SyncOptions;
  private readonly now: () => number;

  constructor(private readonly deps: ExecutionSyncDeps) {
    this.options = { ...DEFAULT_SYNC_OPTIONS, ...deps.options };
    this.now = deps.now ?? Date.now;
  }

  /** Changes the poll timing from the next run of each job on (config reload); the failure limit stays. */
  tune(options: Partial<Pick<SyncOptions, 'basePollMs' | 'maxPollMs' | 'progressIntervalMs'>>): void {
    Object.assign(this.options, options);
  }

  /** The poll timing in force. */
  get timing(): Readonly<Pick<SyncOptions, 'basePollMs' | 'maxPollMs' | 'progressIntervalMs'>> {
    const { basePollMs, maxPollMs, progressIntervalMs } = this.options;
    return { basePollMs, maxPollMs, progressIntervalMs };
  }

  async process(job: QueuedJob<SyncJobData>): Promise<JobOutcome> {
    const log = this.deps.logger.child({ jobId: job.id, namespace: job.data.namespace, name: job.data.name });
    syncMetrics.runs.inc();
    if (job.data.dueAt) syncMetrics.lag.observe(Math.max(0, this.now() - job.data.dueAt) / 1000);
    try {
      return await this.sync(job, log);
    } catch (err) {
      if (isConflict(err)) return JobOutcome.again(0); // a final write lost to a stop: decide again from a fresh read
      // The apiserver is away (restart, partition): keep the job and try again later; it is not Jenkins' fault.
      // Anything else is unexpected (a bug, an answer nobody foresaw): keep the job too, backing off like a
      // controller's requeue, and fail the execution with the error once it has failed too often in a row.
      const message = (err as Error).message;
      let failures = job.data.failures ?? 0;
      if (err instanceof KubeError && err.retryable) log.warn({ err: message }, 'apiserver unavailable, will retry');
      else {
        syncMetrics.errors.inc();
        failures++;
        log.error({ err: message, stack: (err as Error).stack, failures }, 'sync failed unexpectedly');
        if (failures >= this.options.maxUnexpectedFailures) return this.giveUp(job, message, log);
      }
      const delayMs = Math.min((job.data.delayMs ?? this.options.basePollMs) * 2, this.options.maxPollMs);
      await job.updateData({ ...job.data, delayMs, failures, dueAt: this.now() + delayMs });
      return JobOutcome.again(delayMs);
    }
  }

  /** Ends an execution Keelson cannot follow: its build (if any) is stopped, so nothing runs unwatched. */
  private async giveUp(job: QueuedJob<SyncJobData>, message: string, log: Logger): Promise<JobOutcome> {
    const exe = await this.read(job.data.namespace, job.data.name);
    if (!exe || exe.metadata.uid !== job.data.uid || TERMINAL.has(exe.status?.phase ?? '')) return JobOutcome.done();
    const build = exe.status?.build ?? job.data.build;
    if (build) {
      await this.deps.endpoints.jenkins(job.data.namespace)
        .then((endpoint) => this.deps.engine.stop(endpoint, build))
        .catch((err: Error) => log.warn({ err: err.message }, 'could not stop the build of an execution given up'));
    }
    const stages = closeStages(exe.status?.stages?.length ? exe.status.stages : initialStages(executionPlan(exe)), 'Aborted', this.iso());
    return this.finish(job, exe, 'Failed', `Keelson could not follow this execution: ${message}`.slice(0, 1024), stages, build, job.data.node);
  }

  private async sync(job: QueuedJob<SyncJobData>, log: Logger): Promise<JobOutcome> {
    const { namespace, name, uid } = job.data;
    const exe = await this.read(namespace, name);
    if (!exe || exe.metadata.uid !== uid) return JobOutcome.done();
    if (TERMINAL.has(exe.status?.phase ?? '')) return this.deps.logs ? this.archiveAfterEnd(job, exe) : JobOutcome.done();
    if (exe.status?.phase !== 'Provisioning' && exe.status?.phase !== 'Running') return JobOutcome.done();

    let endpoint: EngineEndpoint;
    try {
      endpoint = await this.deps.endpoints.jenkins(namespace);
      return await this.step(job, exe, endpoint, log);
    } catch (err) {
      if (isConflict(err)) return JobOutcome.again(0); // someone wrote first (a stop?): decide again from a fresh read
      if (isRefusal(err)) {
        // The pipeline cannot be compiled for this project, or Jenkins refused the build: fail with why (A2).
        log.warn({ err: (err as Error).message }, 'execution refused');
        const stages = closeStages(exe.status?.stages?.length ? exe.status.stages : initialStages(executionPlan(exe)), 'Failed', this.iso());
        return this.finish(job, exe, 'Failed', (err as Error).message.slice(0, 1024), stages, exe.status?.build ?? job.data.build, job.data.node);
      }
      if (!isRetryable(err) || err instanceof KubeError) throw err;
      return this.waitForJenkins(job, exe, err as Error, log);
    }
  }

  private async step(job: QueuedJob<SyncJobData>, exe: Execution, endpoint: EngineEndpoint, log: Logger): Promise<JobOutcome> {
    const { engine } = this.deps;
    const jobName = executionJobName(exe);
    const executionId = exe.metadata.name!;
    // The status' copy or the job's, whichever has a build number: the job may know it before the status says it.
    const copies = [exe.status?.build, job.data.build];
    const known = copies.find((b) => b?.number) ?? copies.find(Boolean);
    const hint: EngineBuildRef | undefined = known && { job: known.job, queueItem: known.queueItem, number: known.number };
    let ref = hint?.number ? hint : await engine.findBuild(endpoint, jobName, executionId, hint);

    if (exe.spec.stop) return this.stop(job, exe, endpoint, ref, log);

    if (!ref) {
      // Nothing in Jenkins carries this execution id: this is the one and only start.
      const pipeline = await this.pipelineOf(exe);
      const input = executionCompileInput(exe, pipeline, await this.settingOf(exe), this.deps.buildPolicy ?? DEFAULT_BUILD_POLICY);
      const compiled = compileJenkinsJob(input);
      // Checked against the URL Jenkins will check out: a token goes only to its provider's server (ADR 0004).
      // Only when the checkout names a credential: never for forks, which check out without one.
      const credentialId = input.settings.gitCredentialsId;
      const git = pipeline && credentialId && (await gitCredentialsOf(this.deps.kube, pipeline, exe.spec.repositoryUrl ?? '', this.deps.outbound));
      // Secrets and caches before Jenkins: a refusal fails the execution before Jenkins or a pod sees anything.
      await prepareBuildInputs({ management: this.deps.kube, dataPlane: await this.deps.endpoints.kube(exe.metadata.namespace!), project: exe.metadata.namespace!, execution: executionId }, input, compiled);
      // The checkout's token lives in Jenkins' credential store, never in the job or the script.
      // Under this execution's own id, so a build still queued checks out with the token stored for it.
      if (git && credentialId) await engine.ensureCredential(endpoint, { id: credentialId, description: `git token of execution ${exe.metadata.namespace}/${executionId}`, ...git });
      await engine.ensureJob(endpoint, { name: compiled.jobName, configXml: compiled.configXml });
      const handedAt = this.now();
      ref = await engine.start(endpoint, compiled.jobName, executionId);
      syncMetrics.buildsStarted.inc();
      const admitted = exe.status?.conditions?.find((c) => c.type === 'Admitted')?.lastTransitionTime;
      if (admitted) syncMetrics.startLatency.observe({ part: 'provisioning' }, Math.max(0, this.now() - Date.parse(admitted)) / 1000);
      log.info({ job: ref.job, queueItem: ref.queueItem }, 'build queued in Jenkins');
      // Not written yet: the job keeps the queue item, and should the job be lost, EXECUTION_ID finds the build
      // again. The next progress write says which build and how far it got (ADR 0003's write budget).
      return this.again(job, true, { build: { job: ref.job, queueItem: ref.queueItem, number: ref.number }, startedAt: handedAt, lastWriteAt: this.now() });
    }

    const state = await engine.describe(endpoint, ref);
    const startedAt = startOf(job, exe);
    if (state.ref.number && !known?.number && startedAt) syncMetrics.startLatency.observe({ part: 'jenkins_queue' }, (this.now() - startedAt) / 1000);
    const placement = job.data.node || state.state === 'queued' ? undefined : await this.buildNode(exe, log);
    const node = job.data.node ?? placement?.node;
    if (node && node !== job.data.node) {
      if (state.startTimeMillis) syncMetrics.startLatency.observe({ part: 'pod_scheduling' }, Math.max(0, this.now() - state.startTimeMillis) / 1000);
      await job.updateData({ ...job.data, node, moments: { ...job.data.moments, scheduledAt: placement?.scheduledAt ?? this.now(), warmNode: placement?.warm } });
    }
    await this.noteMoments(job, state);
    return this.apply(job, exe, state, node ?? job.data.node);
  }

  private async apply(job: QueuedJob<SyncJobData>, exe: Execution, state: EngineBuildState, node: string | undefined): Promise<JobOutcome> {
    const current = exe.status ?? {};
    const base: StageStatus[] = current.stages?.length ? current.stages : initialStages(executionPlan(exe));
    const build = { job: state.ref.job, queueItem: state.ref.queueItem ?? current.build?.queueItem ?? job.data.build?.queueItem, number: state.ref.number };

    if (state.state === 'lost') {
      return this.finish(job, exe, 'Failed', `Jenkins lost build #${state.ref.number ?? '?'}${state.reason ? `: ${state.reason}` : ''}`, closeStages(base, 'Failed', this.iso()), build, node);
    }
    if (state.state === 'finished') {
      const { phase, reason } = finalPhase(state);
      return this.finish(job, exe, phase, reason, closeStages(stagesFromEngine(base, state), phase, this.iso()), build, node);
    }
    const overdue = this.overdue(job, exe);
    if (overdue) {
      await this.deps.engine.stop(await this.deps.endpoints.jenkins(exe.metadata.namespace!), state.ref);
      return this.finish(job, exe, 'Failed', overdue, closeStages(stagesFromEngine(base, state), 'Aborted', this.iso()), build, node);
    }

    const logs = await this.deps.logs?.follow(exe, state);
    const stages = stagesFromEngine(base, state);
    const waiting = state.pendingInputs.length > 0;
    const reason = state.state === 'queued' ? queuedReason(state.reason)
      : waiting ? WAITING_FOR_APPROVAL : 'running';
    // Without the job's memory of the start (Redis lost it), Jenkins' start of the build is the next best.
    const startTime = current.startTime ?? this.iso(startOf(job, exe) ?? state.startTimeMillis);
    const progressed: PipelineExecutionStatus = { ...current, phase: 'Running', reason, startTime, stages, build, node: node ?? current.node };
    const next = this.deps.logs ? this.deps.logs.withLogs(progressed, logs) : progressed;
    // Written at once: a phase change (Provisioning ends) and an approval that starts or stops waiting, since
    // somebody acts on them. Everything else (which build, its node, stages, why Jenkins queues it) is progress,
    // written at most once per progress interval: a short build costs no write between admission and its end.
    const urgent = current.phase !== 'Running' || (reason === WAITING_FOR_APPROVAL) !== (current.reason === WAITING_FOR_APPROVAL);
    const changed = urgent || reason !== current.reason || !sameValue(build, current.build) || next.node !== current.node || !sameValue(next.stages, current.stages) || !sameValue(next.log, current.log);
    const due = this.now() - (job.data.lastWriteAt ?? 0) >= this.options.progressIntervalMs;
    if (urgent || (changed && due)) await this.write(job, exe, next);
    // A change still to be written keeps the polls short, so the write is not later than the interval; so do
    // log bytes flowing, so a live tail follows closely.
    return this.again(job, changed || logs?.flowing === true, { build });
  }

  private async stop(job: QueuedJob<SyncJobData>, exe: Execution, endpoint: EngineEndpoint, ref: EngineBuildRef | undefined, log: Logger): Promise<JobOutcome> {
    if (ref) await this.deps.engine.stop(endpoint, ref);
    log.info({ build: ref }, 'execution stopped');
    const written = exe.status?.stages?.length ? exe.status.stages : initialStages(executionPlan(exe));
    // Progress is written at most once per interval, so the status can be behind: a stage that started since the
    // last write ran, and is Aborted, not Skipped. Jenkins says how far the build got.
    const reached = ref?.number
      ? await this.deps.engine.describe(endpoint, ref).then((state) => stagesFromEngine(written, state), (err: Error) => {
        log.warn({ err: err.message }, 'could not read how far the stopped build got');
        return written;
      })
      : written;
    const stages = closeStages(reached, 'Aborted', this.iso());
    const build = ref ? { job: ref.job, queueItem: ref.queueItem, number: ref.number } : exe.status?.build;
    return this.finish(job, exe, 'Aborted', stopReason(exe), stages, build, job.data.node);
  }

  private async finish(
    job: QueuedJob<SyncJobData>, exe: Execution, phase: ExecutionPhase, reason: string, stages: StageStatus[],
    build: PipelineExecutionStatus['build'], node: string | undefined,
  ): Promise<JobOutcome> {
    const pipeline = await this.pipelineOf(exe);
    const warmNode = node ? (job.data.moments?.warmNode ?? (pipeline?.status?.recentNodes ?? []).some((n) => n.name === node)) : undefined;
    const startedAt = startOf(job, exe);
    const startTime = startedAt === undefined ? undefined : this.iso(startedAt);
    await this.write(job, exe, { ...exe.status, phase, reason, ...(startTime && { startTime }), stages, build, node: node ?? exe.status?.node, warmNode, completionTime: this.iso() });
    syncMetrics.finished.inc({ phase });
    await this.releaseInputs(exe);
    if (startedAt !== undefined) syncMetrics.startLatency.observe({ part: 'running' }, (this.now() - startedAt) / 1000);
    // The final phase is written; the step logs still to seal are archived by the next runs of this job.
    return this.deps.logs ? this.again(job, true) : JobOutcome.done();
  }

  /** After the final phase: the logs are drained and sealed, then the Jenkins job goes (ADR 0010). */
  private async archiveAfterEnd(job: QueuedJob<SyncJobData>, exe: Execution): Promise<JobOutcome> {
    const result = await (this.deps.logs as ExecutionLogArchiver).afterEnd(exe);
    if (result.status) await this.write(job, exe, result.status);
    return result.done ? JobOutcome.done() : this.again(job, result.flowing);
  }

  private async waitForJenkins(job: QueuedJob<SyncJobData>, exe: Execution, err: Error, log: Logger): Promise<JobOutcome> {
    // Jenkins (or the data plane) is down: the execution waits, it does not fail (scenario F5).
    log.warn({ err: err.message }, 'Jenkins unreachable, will retry');
    const overdue = this.overdue(job, exe);
    if (overdue) {
      // Its own timeout has passed: whatever Jenkins did meanwhile, the build's Jenkinsfile timeout has ended it.
      const stages = closeStages(exe.status?.stages?.length ? exe.status.stages : initialStages(executionPlan(exe)), 'Aborted', this.iso());
      return this.finish(job, exe, 'Failed', `${overdue}; Jenkins did not answer`, stages, exe.status?.build ?? job.data.build, job.data.node);
    }
    const reason = unreachableReason(err);
    if (exe.status?.reason !== reason) {
      try {
        await this.write(job, exe, { ...exe.status, reason });
      } catch (writeErr) {
        if (!isConflict(writeErr)) throw writeErr;
      }
    }
    const delayMs = Math.min((job.data.delayMs ?? this.options.basePollMs) * 2, this.options.maxPollMs);
    await job.updateData({ ...job.data, delayMs, unreachableSince: job.data.unreachableSince ?? this.now(), dueAt: this.now() + delayMs });
    return JobOutcome.again(delayMs);
  }

  private overdue(job: QueuedJob<SyncJobData>, exe: Execution): string | undefined {
    const minutes = (exe.spec.config as { timeout?: number } | undefined)?.timeout;
    const start = startOf(job, exe);
    if (!minutes || !start) return undefined;
    // A minute of grace: the Jenkinsfile's own timeout should fire first and report the stage that overran.
    return this.now() > start + (minutes + 1) * 60_000 ? `timed out after ${minutes} minute${minutes === 1 ? '' : 's'}` : undefined;
  }

  private async again(job: QueuedJob<SyncJobData>, changed: boolean, seen: Partial<SyncJobData> = {}): Promise<JobOutcome> {
    const delayMs = changed ? this.options.basePollMs : Math.min((job.data.delayMs ?? this.options.basePollMs) * 2, this.options.maxPollMs);
    await job.updateData({ ...job.data, ...seen, delayMs, unreachableSince: undefined, failures: undefined, dueAt: this.now() + delayMs });
    return JobOutcome.again(delayMs);
  }

  private async write(job: QueuedJob<SyncJobData>, exe: Execution, status: PipelineExecutionStatus): Promise<void> {
    // Every write carries the moments learned since the last one: the timeline costs no write of its own.
    const timed = { ...status, timeline: syncTimeline(status, timelineFacts(job.data, status)) };
    const written = await this.deps.kube.resource(Keelson.PipelineExecution).patchStatus(exe.metadata.namespace, exe.metadata.name!, timed, exe.metadata.resourceVersion);
    syncMetrics.statusWrites.inc();
    countCacheFacts(exe.status, written.status);
    exe.metadata.resourceVersion = written.metadata.resourceVersion;
    exe.status = written.status;
    await job.updateData({ ...job.data, lastWriteAt: this.now() });
  }

  /** The copied Secret values go with the run; best effort, the final phase is written already. */
  private async releaseInputs(exe: Execution): Promise<void> {
    const project = exe.metadata.namespace!;
    try {
      await releaseBuildInputs(await this.deps.endpoints.kube(project), buildNamespace(project), exe.metadata.name!);
    } catch (err) {
      this.deps.logger.warn({ namespace: project, name: exe.metadata.name, err: (err as Error).message }, 'could not delete the build env Secret');
    }
  }

  /** Where the build pod was placed; best effort, since the build's result matters more than where it ran. */
  private async buildNode(exe: Execution, log: Logger): Promise<BuildPodPlacement | undefined> {
    try {
      const dataPlane = await this.deps.endpoints.kube(exe.metadata.namespace!);
      const pods = await dataPlane.resource(Core.Pod).list(buildNamespace(exe.metadata.namespace!), {
        labelSelector: `${EXECUTION_LABEL}=${labelValue(exe.metadata.name!)}`,
      });
      return pods.items.map(buildPodPlacement).find((p) => p.node);
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'could not read the build pod');
      return undefined;
    }
  }

  /** Jenkins' start of the build and of its first stage, kept until a status write takes them (timeline.ts). */
  private async noteMoments(job: QueuedJob<SyncJobData>, state: EngineBuildState): Promise<void> {
    const firstStage = Math.min(...state.stages.map((s) => s.startTimeMillis ?? Infinity));
    const moments = {
      ...job.data.moments,
      ...(state.state !== 'queued' && state.startTimeMillis && { buildStartedAt: state.startTimeMillis }),
      ...(Number.isFinite(firstStage) && { runningAt: firstStage }),
    };
    if (!sameValue(moments, job.data.moments ?? {})) await job.updateData({ ...job.data, moments });
  }

  private read(namespace: string, name: string): Promise<Execution | undefined> {
    return this.deps.kube.resource(Keelson.PipelineExecution).find(namespace, name);
  }

  private pipelineOf(exe: Execution): Promise<ObjectOf<typeof Keelson.Pipeline> | undefined> {
    return this.deps.kube.resource(Keelson.Pipeline).find(exe.metadata.namespace, exe.spec.pipelineRef.name);
  }

  private async settingOf(exe: Execution): Promise<ObjectOf<typeof Keelson.PipelineSetting> | undefined> {
    const list = await this.deps.kube.resource(Keelson.PipelineSetting).list(exe.metadata.namespace);
    return list.items[0];
  }

  private iso(ms = this.now()): string {
    return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }
}

/** Errors that retrying cannot fix and the user or operator must: the compiler's, and Jenkins refusing the job. */
const ENGINE_REFUSALS: ReadonlySet<string> = new Set(['JobDisabled', 'NotParameterized', 'NothingScheduled']);

function isRefusal(err: unknown): boolean {
  return err instanceof JenkinsCompileError || err instanceof PipelineConfigError || err instanceof CredentialUnavailableError || err instanceof BuildInputRefused || (err instanceof JenkinsClientError && ENGINE_REFUSALS.has(err.code));
}

/** When the build was handed to Jenkins: as written, or as this job remembers it before the first write. */
function startOf(job: QueuedJob<SyncJobData>, exe: Execution): number | undefined {
  return exe.status?.startTime ? Date.parse(exe.status.startTime) : job.data.startedAt;
}

/** What the timeline knows from this job's memory and the status about to be written. */
function timelineFacts(data: SyncJobData, status: PipelineExecutionStatus): SyncTimelineFacts {
  const written = status.startTime ? Date.parse(status.startTime) : NaN;
  return {
    startedAt: data.startedAt ?? (Number.isNaN(written) ? undefined : written),
    queueItem: status.build?.queueItem ?? data.build?.queueItem,
    buildNumber: status.build?.number ?? data.build?.number,
    node: data.node, ...data.moments,
  };
}

function isRetryable(err: unknown): boolean {
  return Boolean((err as { retryable?: boolean } | undefined)?.retryable);
}
