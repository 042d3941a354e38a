// The execution controller's decisions (DESIGN §4.3-4.8): complete a hand-made execution, admit it or queue it,
// provision the data plane, hand it to the sync loop, and when it is over record it on the Pipeline and let the
// next one in. Level-based: every run starts from the object as it is, and does only what is missing.
// The pipeline's `concurrency` block (pipeline-concurrency.ts, ADR 0006) is enforced here: each reconcile decides
// only about its own execution (held back by the pipeline limit, or superseded by a newer run), and wakes the
// executions another decision concerns.
import type { Condition, PipelineExecutionStatus, PipelineSetting } from '@keelson/crds';
import { Informer, Keelson, KubeClient, ReconcileResult, isNotFound, type ObjectOf } from '@keelson/kube';
import type { DelayedJobQueue } from '@keelson/queue';
import { Logger } from '@keelson/observability';
import { ExecutionCreator, JENKINS_JOB_FINALIZER } from '../../executions/execution-creator.service';
import { executionJobName, gitCredentialId } from '../../executions/execution-job.compiler';
import type { SyncJobData } from '../../sync/execution-sync.types';
import type { ExecutionReportHook } from '../../reporting/execution-report.hook';
import { syncMetrics } from '../../sync/sync.metrics';
import type { DataPlaneGate } from '../data-plane.gate';
import { SUPERSEDED_CONDITION, stopReason, supersededMessage } from '../../executions/stop-reason';
import { isAdmitted, type AdmissionVerdict } from './admission';
import { supersededBy, supersededRuns, type ConcurrencyCandidate } from './pipeline-concurrency';
import { admissionVerdicts, concurrencyCandidate } from './project-admission';
import { pipelineStatusAfter, recordOnPipeline } from './pipeline-bookkeeping';
import { sameValue } from '../same-value';
import { DEFAULT_PROJECT_HISTORY_LIMIT, executionsToPrune, pipelineHistoryLimit } from '../../gc/history-limits';
import { gcMetrics } from '../../gc/gc.metrics';
import { admittedEntry, createdEntry, dataPlaneReadyEntry, finishedEntry, runsAhead, withTimeline, type TimelineEntry, type WaitCause } from '../../executions/timeline';

type Execution = ObjectOf<typeof Keelson.PipelineExecution>;

const TERMINAL: ReadonlySet<string> = new Set(['Succeeded', 'Failed', 'Aborted']);

export interface ExecutionReconcilerDeps {
  kube: KubeClient;
  executions: Informer<Execution>;
  settings: Informer<ObjectOf<typeof Keelson.PipelineSetting>>;
  pipelines: Informer<ObjectOf<typeof Keelson.Pipeline>>;
  creator: ExecutionCreator;
  /** Deletes an execution's Jenkins job and its git credential; nothing to do when the project has no data plane. */
  jobs: { deleteJob(project: string, job: string, credentialId?: string): Promise<void> };
  /** Deletes the execution's copy of its opted-in Secret values (`<execution>-env`); absent is fine. */
  buildInputs: { release(project: string, execution: string): Promise<void> };
  /** Deletes the execution's logs in its project's MinIO (gc/execution-logs.cleaner.ts), saying how many objects went. */
  logs?: { deleteLogs(exe: Execution): Promise<number> };
  dataPlane: DataPlaneGate;
  syncQueue: DelayedJobQueue<SyncJobData>;
  /** Shown every execution reconciled, to queue its commit statuses and notifications; never awaited. */
  reports?: Pick<ExecutionReportHook, 'observe'>;
  /** Puts another execution's key on this controller's queue. */
  enqueue(key: string): void;
  logger: Logger;
  now?: () => Date;
}

export class PipelineExecutionReconciler {
  /** Our own latest writes, newer than the informer until it catches up: admission counts on them. */
  private readonly written = new Map<string, Execution>();
  private readonly admissionLocks = new Map<string, Promise<unknown>>();
  /** Per project, the uids of executions this reconciler pruned, until the informer drops them. */
  private readonly pruned = new Map<string, Set<string>>();
  private readonly now: () => Date;

  constructor(private readonly deps: ExecutionReconcilerDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    const cached = this.deps.executions.get(key);
    if (!cached) {
      this.written.delete(key);
      return ReconcileResult.done();
    }
    if (cached.metadata.deletionTimestamp) return this.deleted(cached);
    // Reporting runs beside the reconcile: a slow or absent Redis or receiver never holds up a run.
    void this.deps.reports?.observe(cached, () => this.projectExecutions(cached.metadata.namespace!));
    // Finished and running executions need no fresh read: bookkeeping is idempotent and conditional, and
    // handing off is keyed by uid. That keeps a resync of thousands of executions off the apiserver.
    if (TERMINAL.has(cached.status?.phase ?? '')) return this.finished(cached);
    // cancelSuperseded, from the cache: a newer run and the config of each run never change once they exist, and
    // the watch delivers executions in creation order, so a newer run in the cache is a fact. The older runs a new
    // run supersedes are woken here; each stops itself in its own reconcile.
    const mine = concurrencyCandidate(cached);
    const siblings = this.pipelineCandidates(cached);
    for (const older of supersededRuns(mine, siblings)) this.deps.enqueue(`${cached.metadata.namespace}/${older}`);
    const newer = supersededBy(mine, siblings);
    if (newer) return this.supersede(cached, newer);
    if (cached.status?.phase === 'Running' && !cached.spec.stop) {
      await this.handOff(cached);
      return ReconcileResult.done();
    }
    // Never act on a cached copy: re-read before deciding anything with a side effect.
    const exe = await this.read(cached.metadata.namespace!, cached.metadata.name!);
    if (!exe) return ReconcileResult.done();
    const phase = exe.status?.phase;
    if (TERMINAL.has(phase ?? '')) return this.finished(exe);
    if (exe.spec.run === undefined || (!exe.spec.config && !phase)) {
      await this.deps.creator.complete(exe);
      return ReconcileResult.done();
    }
    if (exe.spec.stop && !isAdmitted(phase)) {
      const reason = stopReason(exe, 'stopped before it started');
      await this.writeStatus(exe, { ...exe.status, phase: 'Aborted', reason, completionTime: this.iso(), timeline: this.endedBeforeStart(exe, reason) });
      return ReconcileResult.done();
    }
    if (phase === 'Provisioning') return this.provision(exe);
    if (phase === 'Running') {
      await this.handOff(exe);
      return ReconcileResult.done();
    }
    return this.admit(exe);
  }

  private async admit(exe: Execution): Promise<ReconcileResult> {
    const namespace = exe.metadata.namespace!;
    // One admission decision at a time per project, so two reconciles never both take the last slot.
    return this.serialised(namespace, async () => {
      const setting = this.settingOf(namespace);
      const limit = setting?.spec.maxConcurrentExecutions ?? 3;
      // Counted from the informer overlaid with our own writes (`written`), not from a fresh list: only this
      // reconciler moves an execution into Provisioning or Running, one decision per project at a time, and
      // the leader alone runs it; so the count of admitted runs is never below the truth. A stale cache can
      // only show a finished run as still running, which delays a start until its end event, never over-admits.
      const project = this.projectExecutions(namespace).map((e) => (e.metadata.uid === exe.metadata.uid ? newer(e, exe) : e));
      const verdict = admissionVerdicts(project, limit, namespace).get(exe.metadata.name!);
      if (!verdict) return ReconcileResult.done();
      if (!verdict.admit) {
        await this.queue(exe, verdict, runsAhead(exe, project, verdict.cause));
        return ReconcileResult.done();
      }
      syncMetrics.startLatency.observe({ part: 'queued' }, Math.max(0, this.now().getTime() - Date.parse(exe.metadata.creationTimestamp ?? '')) / 1000);
      // A warm data plane (the usual case) goes straight to Running: Provisioning is written only when there is
      // something to wait for, which keeps a run inside its write budget (ADR 0003).
      const dataPlane = await this.deps.dataPlane.ensure(namespace, setting);
      // Why it waited, as the condition said while it was False; whom it queued behind, its Created entry says.
      const waited = exe.status?.conditions?.find((c) => c.type === 'Admitted' && c.status === 'False')?.reason as WaitCause | undefined;
      const now = this.now().getTime();
      const timeline = withTimeline(exe.status?.timeline, [
        createdEntry(exe), admittedEntry(exe, now, waited),
        dataPlane.ready ? dataPlaneReadyEntry(now, `ready in ${dataPlane.namespace}`) : undefined,
      ]);
      const admitted = await this.writeStatus(exe, {
        ...exe.status,
        ...(dataPlane.ready
          ? { phase: 'Running' as const, reason: 'waiting for Jenkins to start the build' }
          : { phase: 'Provisioning' as const, reason: `preparing the data plane in ${dataPlane.namespace}` }),
        queuedTime: exe.status?.queuedTime ?? exe.metadata.creationTimestamp,
        timeline,
        conditions: setCondition(exe.status?.conditions, { type: 'Admitted', status: 'True', reason: 'SlotFree', message: `admitted in project ${namespace}`, lastTransitionTime: this.iso(), observedGeneration: exe.metadata.generation }),
      });
      // The runs of its pipeline still waiting say why; their reason names this one now.
      for (const waiting of project) {
        if (waiting.spec.pipelineRef.name === exe.spec.pipelineRef.name && waiting.metadata.uid !== exe.metadata.uid && waiting.status?.phase === 'Queued') {
          this.deps.enqueue(`${namespace}/${waiting.metadata.name}`);
        }
      }
      if (!dataPlane.ready) return this.provision(admitted);
      await this.handOff(admitted);
      return ReconcileResult.done();
    });
  }

  /** Queued, saying why: status.reason for people, the `Admitted` condition's reason for programs. */
  private async queue(exe: Execution, verdict: Extract<AdmissionVerdict, { admit: false }>, ahead: string[]): Promise<void> {
    const admitted = exe.status?.conditions?.find((c) => c.type === 'Admitted');
    if (exe.status?.phase === 'Queued' && exe.status.reason === verdict.reason && admitted?.reason === verdict.cause && admitted.message === verdict.reason) return;
    await this.writeStatus(exe, {
      ...exe.status, phase: 'Queued', reason: verdict.reason, queuedTime: exe.status?.queuedTime ?? exe.metadata.creationTimestamp,
      timeline: withTimeline(exe.status?.timeline, [createdEntry(exe, { cause: verdict.cause, behind: ahead })]),
      conditions: setCondition(exe.status?.conditions, {
        type: 'Admitted', status: 'False', reason: verdict.cause, message: verdict.reason, lastTransitionTime: this.iso(), observedGeneration: exe.metadata.generation,
      }),
    });
  }

  /**
   * A newer run of its branch supersedes this one (`cancelSuperseded`). Never started: it ends Aborted at once.
   * Started: the `Superseded` condition names the newer run, then spec.stop hands it to the sync loop's stop, which
   * aborts the build in Jenkins and ends it Aborted with that reason (the same path as a person's stop).
   */
  private async supersede(cached: Execution, by: string): Promise<ReconcileResult> {
    const exe = await this.read(cached.metadata.namespace!, cached.metadata.name!);
    if (!exe || exe.metadata.uid !== cached.metadata.uid) return ReconcileResult.done();
    if (TERMINAL.has(exe.status?.phase ?? '')) return this.finished(exe);
    const message = supersededMessage(by);
    const superseded = exe.status?.conditions?.find((c) => c.type === SUPERSEDED_CONDITION && c.status === 'True');
    const conditions = superseded ? exe.status!.conditions! : setCondition(exe.status?.conditions, {
      type: SUPERSEDED_CONDITION, status: 'True', reason: 'NewerRun', message, lastTransitionTime: this.iso(), observedGeneration: exe.metadata.generation,
    });
    if (!isAdmitted(exe.status?.phase)) {
      const reason = superseded?.message ?? message;
      await this.writeStatus(exe, { ...exe.status, phase: 'Aborted', reason, completionTime: this.iso(), conditions, timeline: this.endedBeforeStart(exe, reason) });
      this.deps.logger.info({ namespace: exe.metadata.namespace, name: exe.metadata.name, supersededBy: by }, 'queued execution superseded');
      return ReconcileResult.done();
    }
    const marked = superseded ? exe : await this.writeStatus(exe, { ...exe.status, conditions });
    await this.handOff(marked);
    if (!marked.spec.stop) {
      await this.deps.kube.resource(Keelson.PipelineExecution).patch(marked.metadata.namespace, marked.metadata.name!, { spec: { stop: true } });
      this.deps.logger.info({ namespace: exe.metadata.namespace, name: exe.metadata.name, supersededBy: by }, 'running execution superseded, stopping it');
      // The stop should not wait for the next poll (a slot is held until the build has ended).
      await this.deps.syncQueue.nudge(marked.metadata.uid!);
    }
    return ReconcileResult.done();
  }

  private async provision(exe: Execution): Promise<ReconcileResult> {
    const namespace = exe.metadata.namespace!;
    const status = await this.deps.dataPlane.ensure(namespace, this.settingOf(namespace));
    if (!status.ready) {
      const reason = `waiting for Jenkins in ${status.namespace}${status.message ? `: ${status.message}` : ''}`.slice(0, 1024);
      if (exe.status?.reason !== reason) await this.writeStatus(exe, { ...exe.status, reason });
      return ReconcileResult.requeueAfter(2_000);
    }
    await this.handOff(exe);
    return ReconcileResult.done();
  }

  private async handOff(exe: Execution): Promise<void> {
    const added = await this.deps.syncQueue.ensure(exe.metadata.uid!, { namespace: exe.metadata.namespace!, name: exe.metadata.name!, uid: exe.metadata.uid! });
    if (added) this.deps.logger.info({ namespace: exe.metadata.namespace, name: exe.metadata.name }, 'execution handed to the sync loop');
  }

  /**
   * Its Jenkins job goes first (external state), then the Secret values copied for it (the sync loop deletes them
   * when a run ends, and never sees the end of a run deleted while it runs), then its logs, then the finalizer lets
   * it go. Any of them failing keeps the finalizer: the next try deletes what is left.
   */
  private async deleted(exe: Execution): Promise<ReconcileResult> {
    const finalizers = exe.metadata.finalizers ?? [];
    if (!finalizers.includes(JENKINS_JOB_FINALIZER)) return ReconcileResult.done();
    await this.deps.jobs.deleteJob(exe.metadata.namespace!, exe.status?.build?.job ?? executionJobName(exe), gitCredentialId(exe.metadata.name!));
    await this.deps.buildInputs.release(exe.metadata.namespace!, exe.metadata.name!);
    const logObjects = (await this.deps.logs?.deleteLogs(exe)) ?? 0;
    if (logObjects > 0) {
      gcMetrics.logObjectsDeleted.inc({ cause: 'execution_deleted' }, logObjects);
      this.deps.logger.info({ namespace: exe.metadata.namespace, name: exe.metadata.name, objects: logObjects }, 'logs of a deleted execution deleted');
    }
    await this.deps.kube.resource(Keelson.PipelineExecution).patch(exe.metadata.namespace, exe.metadata.name!, {
      metadata: { resourceVersion: exe.metadata.resourceVersion, finalizers: finalizers.filter((f) => f !== JENKINS_JOB_FINALIZER) },
    });
    return ReconcileResult.done();
  }

  private async finished(exe: Execution): Promise<ReconcileResult> {
    const namespace = exe.metadata.namespace!;
    const setting = this.settingOf(namespace);
    const remembered = setting?.spec.cache?.rememberedNodes ?? 3;
    const pipeline = this.deps.pipelines.get(`${namespace}/${exe.spec.pipelineRef.name}`);
    if (pipeline && !sameValue(pipelineStatusAfter(pipeline.status, exe, remembered), pipeline.status)) {
      await recordOnPipeline(this.deps.kube, exe, remembered);
    }
    await this.prune(namespace, setting);
    // A slot may have freed: give every waiting execution of the project another look.
    for (const other of this.projectExecutions(namespace)) {
      if (!other.status?.phase || other.status.phase === 'Queued' || other.status.phase === 'Pending') this.deps.enqueue(`${namespace}/${other.metadata.name}`);
    }
    return ReconcileResult.done();
  }

  /**
   * Finished executions beyond the history limits go, oldest finished first (history-limits.ts): per pipeline, then
   * over the project. Their finalizer takes their Jenkins job and logs with them.
   */
  private async prune(namespace: string, setting: PipelineSetting | undefined): Promise<void> {
    const project = this.projectExecutions(namespace);
    // Deleted by us, not yet shown deleting by the informer: neither counted nor deleted (and counted) twice.
    const present = new Set(project.map((e) => e.metadata.uid));
    let pruned = this.pruned.get(namespace);
    if (!pruned) this.pruned.set(namespace, (pruned = new Set()));
    for (const uid of pruned) if (!present.has(uid)) pruned.delete(uid);
    const finished = project
      .filter((e) => TERMINAL.has(e.status?.phase ?? '') && !e.metadata.deletionTimestamp && !pruned.has(e.metadata.uid!))
      .map((e) => ({
        name: e.metadata.name!, uid: e.metadata.uid, pipeline: e.spec.pipelineRef.name, run: e.spec.run,
        finished: e.status?.completionTime ?? e.metadata.creationTimestamp ?? '',
      }));
    const beyond = executionsToPrune(finished, {
      pipeline: (name) => pipelineHistoryLimit(this.deps.pipelines.get(`${namespace}/${name}`)?.spec.historyLimit, setting?.spec.historyLimit),
      project: setting?.spec.projectHistoryLimit ?? DEFAULT_PROJECT_HISTORY_LIMIT,
    });
    for (const old of beyond) {
      if (!old.uid || pruned.has(old.uid)) continue; // another reconcile of the project is deleting it
      pruned.add(old.uid);
      const deleted = await this.deps.kube.resource(Keelson.PipelineExecution).delete(namespace, old.name, { uid: old.uid }).then(() => true, (err) => {
        if (isNotFound(err)) return false;
        pruned!.delete(old.uid!);
        throw err;
      });
      if (deleted) {
        gcMetrics.executionsPruned.inc({ limit: old.limit });
        this.deps.logger.info({ namespace, name: old.name, limit: old.limit }, 'execution pruned beyond the history limit');
      }
    }
  }

  private projectExecutions(namespace: string): Execution[] {
    return this.deps.executions.list()
      .filter((e) => e.metadata.namespace === namespace)
      .map((e) => newer(e, this.written.get(`${namespace}/${e.metadata.name}`)));
  }

  /** The executions of `exe`'s pipeline, for the concurrency decisions. */
  private pipelineCandidates(exe: Execution): ConcurrencyCandidate[] {
    return this.projectExecutions(exe.metadata.namespace!)
      .filter((e) => e.spec.pipelineRef.name === exe.spec.pipelineRef.name)
      .map(concurrencyCandidate);
  }

  private settingOf(namespace: string): PipelineSetting | undefined {
    return this.deps.settings.list().filter((s) => s.metadata.namespace === namespace).sort((a, b) => a.metadata.name!.localeCompare(b.metadata.name!))[0];
  }

  private async writeStatus(exe: Execution, status: PipelineExecutionStatus): Promise<Execution> {
    const written = await this.deps.kube.resource(Keelson.PipelineExecution).patchStatus(exe.metadata.namespace, exe.metadata.name!, status, exe.metadata.resourceVersion);
    this.written.set(`${exe.metadata.namespace}/${exe.metadata.name}`, written);
    return written;
  }

  /** The timeline of a run that ends before it was admitted: created, then finished (Aborted). */
  private endedBeforeStart(exe: Execution, reason: string): TimelineEntry[] {
    return withTimeline(exe.status?.timeline, [createdEntry(exe), finishedEntry(this.iso(), 'Aborted', reason)]);
  }

  private read(namespace: string, name: string): Promise<Execution | undefined> {
    return this.deps.kube.resource(Keelson.PipelineExecution).find(namespace, name);
  }

  private serialised<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.admissionLocks.get(key) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(fn);
    this.admissionLocks.set(key, next);
    void next.finally(() => this.admissionLocks.get(key) === next && this.admissionLocks.delete(key)).catch(() => undefined);
    return next;
  }

  private iso(): string {
    return this.now().toISOString().replace(/\.\d{3}Z$/, 'Z');
  }
}

/** The later of the informer's copy and our own write (resourceVersions of one object grow with etcd revisions). */
function newer(cached: Execution, written: Execution | undefined): Execution {
  if (!written || written.metadata.uid !== cached.metadata.uid) return cached;
  try {
    return BigInt(written.metadata.resourceVersion ?? '0') > BigInt(cached.metadata.resourceVersion ?? '0') ? written : cached;
  } catch {
    return cached;
  }
}

export function setCondition(conditions: Condition[] | undefined, next: Condition): Condition[] {
  const others = (conditions ?? []).filter((c) => c.type !== next.type);
  const previous = conditions?.find((c) => c.type === next.type);
  // lastTransitionTime moves only when the status flips.
  const keep = previous && previous.status === next.status ? { lastTransitionTime: previous.lastTransitionTime } : {};
  return [...others, { ...next, ...keep }];
}
