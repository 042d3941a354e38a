// The scheduled sweep of garbage collection (issue 12 §4), run by the leader every GC_INTERVAL_SECONDS, one project
// after the other: logs older than the project's logRetentionDays go and their execution's status.log says Expired;
// log objects and Jenkins jobs that no execution owns any more are swept. History limits are the execution
// controller's (it prunes when a run ends); the finalizer deletes what a deleted execution leaves.
//
// Orphans are decided twice: from the informer's cache, then, for the candidates only, from a fresh list of the
// project's executions, so an execution the cache has not seen yet never loses its logs or its job.
import type { PipelineExecution, PipelineSetting } from '@keelson/crds';
import type { EngineEndpoint, ExecutionEngine } from '@keelson/engine-jenkins';
import { DataPlaneError } from '@keelson/data-plane';
import { Keelson, KubeClient, isNotFound, type KubeObject } from '@keelson/kube';
import type { LogObject, LogObjects } from '@keelson/logs';
import { Logger } from '@keelson/observability';
import { gitCredentialId } from '../executions/execution-job.compiler';
import { gcMetrics } from './gc.metrics';
import { planLogSweep, type SweptExecution } from './log-sweep';
import type { ProjectLogObjects } from './project-log-objects';

export const DEFAULT_LOG_RETENTION_DAYS = 30;

export interface GarbageCollectorDeps {
  kube: KubeClient;
  executions: { list(): PipelineExecution[] };
  settings: { list(): PipelineSetting[] };
  /** Namespaces that have Pipelines: a project may have logs and jobs left although no execution is. */
  pipelines: { list(): KubeObject[] };
  logs: ProjectLogObjects;
  engine: Pick<ExecutionEngine, 'listJobs'>;
  /** The project's Jenkins; a DataPlaneError `CredentialsMissing` when it has none. */
  jenkins(project: string): Promise<EngineEndpoint>;
  /** Deletes a job and the git credential made for its execution. */
  jobs: { deleteJob(project: string, job: string, credentialId?: string): Promise<void> };
  logger: Logger;
  now?: () => number;
}

/** What one project's sweep did. */
export interface ProjectSweep {
  project: string;
  expired: string[];
  retentionObjects: number;
  orphanObjects: string[];
  orphanJobs: string[];
  errors: string[];
}

export class GarbageCollector {
  private readonly now: () => number;
  private timer?: NodeJS.Timeout;
  private stopped = true;
  private running?: Promise<unknown>;

  constructor(private readonly deps: GarbageCollectorDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** Sweeps every `intervalMs`, the first after `firstMs`; a sweep never overlaps the next. */
  start(intervalMs: number, firstMs = Math.min(intervalMs, 60_000)): void {
    this.stopped = false;
    const next = (delay: number) => {
      this.timer = setTimeout(() => {
        this.running = this.sweep().catch((err: Error) => this.deps.logger.error({ err: err.message }, 'garbage collection failed'))
          .finally(() => !this.stopped && next(intervalMs));
      }, delay);
      this.timer.unref();
    };
    next(firstMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** One pass over every project; a project that fails is logged and counted, and the others go on. */
  async sweep(): Promise<ProjectSweep[]> {
    const projects = new Set<string>();
    for (const source of [this.deps.settings.list(), this.deps.pipelines.list(), this.deps.executions.list()]) {
      for (const o of source) if (o.metadata.namespace) projects.add(o.metadata.namespace);
    }
    const results: ProjectSweep[] = [];
    for (const project of [...projects].sort()) results.push(await this.sweepProject(project));
    return results;
  }

  async sweepProject(project: string): Promise<ProjectSweep> {
    const result: ProjectSweep = { project, expired: [], retentionObjects: 0, orphanObjects: [], orphanJobs: [], errors: [] };
    const log = this.deps.logger.child({ component: 'gc', namespace: project });
    for (const [what, part] of [['logs', () => this.sweepLogs(project, result)], ['jobs', () => this.sweepJobs(project, result)]] as const) {
      try {
        await part();
      } catch (err) {
        gcMetrics.sweepErrors.inc();
        result.errors.push(`${what}: ${(err as Error).message}`);
        log.warn({ err: (err as Error).message, part: what }, 'garbage collection of a project failed, the next sweep tries again');
      }
    }
    if (result.expired.length || result.orphanObjects.length || result.orphanJobs.length) {
      log.info({ expired: result.expired.length, retentionObjects: result.retentionObjects, orphanObjects: result.orphanObjects.length, orphanJobs: result.orphanJobs }, 'garbage collected');
    }
    return result;
  }

  private async sweepLogs(project: string, result: ProjectSweep): Promise<void> {
    const objects = await this.deps.logs.forProject(project);
    if (!objects) return;
    const listed: LogObject[] = [];
    for await (const object of objects.list(`${project}/`)) listed.push({ key: object.key, size: object.size, ...(object.executionUid && { executionUid: object.executionUid }) });
    const retentionDays = this.settingOf(project)?.spec.logRetentionDays ?? DEFAULT_LOG_RETENTION_DAYS;
    const plan = (executions: PipelineExecution[]) => planLogSweep({ namespace: project, objects: listed, executions: executions.map(swept), retentionDays, now: this.now() });
    const cached = plan(this.cached(project));
    const orphans = cached.orphans.length ? plan(await this.fresh(project)).orphans : [];
    if (orphans.length) {
      await objects.remove(orphans);
      gcMetrics.orphanObjects.inc(orphans.length);
      result.orphanObjects.push(...orphans);
    }
    for (const expiring of cached.expire) await this.expire(project, objects, expiring, retentionDays, result);
  }

  /** Its objects first, then the status: a failure in between leaves the status to the next sweep, never a lie. */
  private async expire(project: string, objects: LogObjects, expiring: { name: string; keys: string[]; mark: boolean }, days: number, result: ProjectSweep): Promise<void> {
    if (expiring.keys.length) {
      await objects.remove(expiring.keys);
      gcMetrics.logObjectsDeleted.inc({ cause: 'retention' }, expiring.keys.length);
      result.retentionObjects += expiring.keys.length;
    }
    if (!expiring.mark) return;
    const time = new Date(this.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const reason = `deleted ${days} day${days === 1 ? '' : 's'} after the execution finished (logRetentionDays of the project's PipelineSetting)`;
    try {
      // Only status.log: a merge patch leaves the rest of the status to its writers.
      await this.deps.kube.resource(Keelson.PipelineExecution).patchStatus(project, expiring.name, { log: { state: 'Expired', reason, time } });
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    gcMetrics.logsExpired.inc();
    result.expired.push(expiring.name);
  }

  private async sweepJobs(project: string, result: ProjectSweep): Promise<void> {
    let endpoint: EngineEndpoint;
    try {
      endpoint = await this.deps.jenkins(project);
    } catch (err) {
      if (err instanceof DataPlaneError && err.code === 'CredentialsMissing') return; // never provisioned: no Jenkins
      throw err;
    }
    const managed = (await this.deps.engine.listJobs(endpoint)).filter((j) => j.managed).map((j) => j.name);
    const known = new Set(this.cached(project).map((e) => e.metadata.name));
    const candidates = managed.filter((job) => !known.has(job));
    if (!candidates.length) return;
    const exists = new Set((await this.fresh(project)).map((e) => e.metadata.name));
    for (const job of candidates.filter((name) => !exists.has(name))) {
      await this.deps.jobs.deleteJob(project, job, gitCredentialId(job));
      gcMetrics.orphanJobs.inc();
      result.orphanJobs.push(job);
    }
  }

  private cached(project: string): PipelineExecution[] {
    return this.deps.executions.list().filter((e) => e.metadata.namespace === project);
  }

  private async fresh(project: string): Promise<PipelineExecution[]> {
    return (await this.deps.kube.resource(Keelson.PipelineExecution).list(project)).items;
  }

  private settingOf(project: string): PipelineSetting | undefined {
    return this.deps.settings.list().filter((s) => s.metadata.namespace === project).sort((a, b) => a.metadata.name!.localeCompare(b.metadata.name!))[0];
  }
}

function swept(e: PipelineExecution): SweptExecution {
  return {
    name: e.metadata.name!, uid: e.metadata.uid, pipeline: e.spec.pipelineRef.name, run: e.spec.run,
    completionTime: e.status?.completionTime, logState: e.status?.log?.state,
  };
}
