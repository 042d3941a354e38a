// The phase-change hook: the execution controller shows it every execution it reconciles (every change and every
// resync), and it enqueues the reports owed for the phase it sees. It never waits on Redis in the reconcile
// (the enqueue runs beside it), never writes the execution, and never throws: reporting cannot hold up or change
// a run.
import type { ExecutionPhase, PipelineExecution } from '@keelson/crds';
import type { Logger } from '@keelson/observability';
import type { RetryingJobQueue } from '@keelson/queue';
import { previousFinishedRun } from './notify-condition';
import { isFinalPhase, plannedReports, type PlannedReport, type ReportJobData } from './report-jobs';

export interface ExecutionReportHookDeps {
  queue: RetryingJobQueue<ReportJobData>;
  logger: Logger;
  /** Whether commit statuses are reported (a reporter is configured). */
  commitStatus: boolean;
  /** A final phase older than this is not reported: a manager deployed today does not announce last month's runs. */
  maxAgeMs?: number;
  now?: () => number;
}

/** An hour: more than any Redis or manager outage the reports are meant to outlive. */
export const DEFAULT_REPORT_MAX_AGE_MS = 3600_000;
const REMEMBERED = 10_000;

export class ExecutionReportHook {
  /** uid → phase whose reports are all enqueued, so a resync of thousands of executions costs no Redis call. */
  private readonly done = new Map<string, string>();
  private readonly inFlight = new Set<string>();
  private readonly now: () => number;

  constructor(private readonly deps: ExecutionReportHookDeps) {
    this.now = deps.now ?? Date.now;
  }

  /**
   * Enqueues what the execution's phase owes; `others` (the executions of its project, as the controller sees
   * them) is read only for the `Changed` condition. Returns when the enqueues end, for tests; callers need not wait.
   */
  observe(execution: PipelineExecution, others: () => Iterable<PipelineExecution>): Promise<void> {
    try {
      const uid = execution.metadata.uid;
      const phase = execution.status?.phase ?? 'Pending';
      if (!uid || this.done.get(uid) === phase) return Promise.resolve();
      if (isFinalPhase(phase) && this.tooOld(execution)) return Promise.resolve();
      const recorded = new Set((execution.status?.notifications ?? []).map((r) => r.id));
      const planned = plannedReports(execution, {
        commitStatus: this.deps.commitStatus,
        previousPhase: () => previousFinishedRun(execution, others())?.status?.phase as ExecutionPhase | undefined,
      }).filter((p) => !recorded.has(p.id));
      return this.enqueue(uid, phase, planned);
    } catch (err) {
      this.deps.logger.error({ namespace: execution.metadata.namespace, name: execution.metadata.name, err: (err as Error).message }, 'could not plan the reports of an execution');
      return Promise.resolve();
    }
  }

  private async enqueue(uid: string, phase: string, planned: PlannedReport[]): Promise<void> {
    const fresh = planned.filter((p) => !this.inFlight.has(p.id));
    fresh.forEach((p) => this.inFlight.add(p.id));
    try {
      const results = await Promise.allSettled(fresh.map(async (p) => {
        if (await this.deps.queue.add(p.id, p.data)) this.deps.logger.info({ jobId: p.id, namespace: p.data.namespace, name: p.data.name, target: p.data.target }, 'report queued');
      }));
      const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed.length) {
        // Not remembered: the next reconcile or resync tries again.
        this.deps.logger.warn({ uid, phase, err: (failed[0].reason as Error)?.message }, 'could not queue reports, will retry on the next resync');
      } else if (fresh.length === planned.length) {
        this.remember(uid, phase);
      }
    } finally {
      fresh.forEach((p) => this.inFlight.delete(p.id));
    }
  }

  private remember(uid: string, phase: string): void {
    this.done.delete(uid);
    this.done.set(uid, phase);
    if (this.done.size > REMEMBERED) this.done.delete(this.done.keys().next().value as string);
  }

  private tooOld(execution: PipelineExecution): boolean {
    const ended = Date.parse(execution.status?.completionTime ?? '');
    return Number.isFinite(ended) && this.now() - ended > (this.deps.maxAgeMs ?? DEFAULT_REPORT_MAX_AGE_MS);
  }
}
