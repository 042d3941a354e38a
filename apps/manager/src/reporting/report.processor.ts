// Delivers one report job: a commit status through the CommitStatusReporter port, or a notification through a
// project notifier. Level-based like the sync loop: it re-reads the execution, drops a report the execution has
// moved past (a `running` status once the run has ended), builds the words from the execution as it is now, and
// records final outcomes. A failed attempt throws, so the queue retries it with backoff; the last attempt, or a
// failure no retry can fix, is recorded instead. Nothing here writes the execution's phase.
import type { PipelineExecution } from '@keelson/crds';
import { Keelson, KubeClient } from '@keelson/kube';
import { NotificationError, NotifierConfigError, notificationMessage, sendNotification, type RunFacts } from '@keelson/notifications';
import { counter, Logger } from '@keelson/observability';
import type { HostLookup, OutboundPolicy } from '@keelson/outbound';
import type { Notification } from '@keelson/pipeline-config';
import type { RetriedJob } from '@keelson/queue';
import { commitReportPhase, commitStateOf, commitStatusDetails, consoleLink } from './commit-status.mapping';
import type { CommitStatusReporter } from './commit-status.port';
import { NotifierUnavailableError, loadNotifier } from './notifier-secrets';
import { COMMIT_STATUS_TARGET, isFinalPhase, type ReportJobData } from './report-jobs';
import { recordReport, recordReportEvent, type ReportRecord } from './report-record';

const reports = counter('keelson_reports_total', 'Commit statuses and notifications by target and outcome (delivered, failed, refused, skipped, retried).', ['target', 'outcome']);

export interface ReportProcessorDeps {
  kube: KubeClient;
  /** Absent: commit status jobs are dropped (none are queued without one). */
  reporter?: CommitStatusReporter;
  consoleUrl?: string;
  /** The operator's outbound policy: robot and webhook URLs are checked like any credentialed destination. */
  outbound: OutboundPolicy;
  logger: Logger;
  /** Per notification attempt. */
  timeoutMs?: number;
  lookup?: HostLookup;
  now?: () => number;
}

type Outcome = ReportRecord['outcome'];

export class ReportProcessor {
  private readonly now: () => number;

  constructor(private readonly deps: ReportProcessorDeps) {
    this.now = deps.now ?? Date.now;
  }

  async process(job: RetriedJob<ReportJobData>): Promise<void> {
    const { namespace, name, uid, target } = job.data;
    const log = this.deps.logger.child({ jobId: job.id, namespace, name, attempt: job.attempt });
    const execution = await this.deps.kube.resource(Keelson.PipelineExecution).find(namespace, name);
    if (!execution || execution.metadata.uid !== uid || this.superseded(execution, job.data)) {
      reports.inc({ target, outcome: 'skipped' });
      log.debug({}, 'report no longer due');
      return;
    }
    let sent: boolean;
    try {
      sent = await this.deliver(execution, job.data);
    } catch (err) {
      const permanent = isPermanent(err);
      if (!permanent && job.attempt < job.maxAttempts) {
        reports.inc({ target, outcome: 'retried' });
        log.warn({ err: (err as Error).message }, 'report not delivered, will retry');
        throw err;
      }
      const outcome: Outcome = err instanceof NotificationError && err.code === 'Refused' ? 'Refused' : 'Failed';
      const message = `${(err as Error).message}`.slice(0, 1024);
      log.warn({ outcome, err: message }, 'report given up');
      await this.record(execution, job, outcome, message);
      return;
    }
    if (!sent) {
      reports.inc({ target, outcome: 'skipped' });
      log.info({}, 'no commit status reporter configured, report dropped');
      return;
    }
    log.info({ target }, 'report delivered');
    await this.record(execution, job, 'Delivered');
  }

  /** False when there was nothing to send it with (no commit status reporter in this process). */
  private async deliver(execution: PipelineExecution, data: ReportJobData): Promise<boolean> {
    if (data.target === COMMIT_STATUS_TARGET) {
      const state = commitStateOf(execution);
      if (!this.deps.reporter || !state) return false;
      await this.deps.reporter.report(execution, state, commitStatusDetails(execution, state, this.deps.consoleUrl));
      return true;
    }
    const notifier = await loadNotifier(this.deps.kube, data.namespace, data.notifier);
    const custom = (execution.spec.config as { notification?: Notification } | undefined)?.notification?.message;
    await sendNotification(notifier, data.recipient, notificationMessage(this.facts(execution), custom), {
      policy: this.deps.outbound, timeoutMs: this.deps.timeoutMs, lookup: this.deps.lookup, now: this.now,
    });
    return true;
  }

  /** A report about a phase the execution has left (only non-final commit statuses can be). */
  private superseded(execution: PipelineExecution, data: ReportJobData): boolean {
    const phase = execution.status?.phase ?? 'Pending';
    return data.target === COMMIT_STATUS_TARGET ? commitReportPhase(phase) !== data.phase : phase !== data.phase;
  }

  private async record(execution: PipelineExecution, job: RetriedJob<ReportJobData>, outcome: Outcome, message?: string): Promise<void> {
    const { data } = job;
    reports.inc({ target: data.target, outcome: outcome.toLowerCase() });
    const time = new Date(this.now());
    if (outcome !== 'Delivered') {
      const reason = data.target === COMMIT_STATUS_TARGET ? 'CommitStatusFailed' : outcome === 'Refused' ? 'NotificationRefused' : 'NotificationFailed';
      await recordReportEvent(this.deps.kube, execution, job.id, { reason, message: `${describe(data)}: ${message ?? outcome}` }, time)
        .catch((err: Error) => this.deps.logger.warn({ jobId: job.id, err: err.message }, 'could not record the report event'));
    }
    if (!isFinalPhase(data.phase)) return;
    const record: ReportRecord = {
      id: job.id, target: data.target === COMMIT_STATUS_TARGET ? COMMIT_STATUS_TARGET : data.notifier,
      ...(data.target === 'notifier' ? { recipient: data.recipient.slice(0, 512) } : {}),
      phase: data.phase, outcome, attempts: job.attempt, time: time.toISOString().replace(/\.\d{3}Z$/, 'Z'), ...(message ? { message } : {}),
    };
    await recordReport(this.deps.kube, data.namespace, data.name, data.uid, record);
  }

  private facts(execution: PipelineExecution): RunFacts {
    const spec = execution.spec;
    return {
      project: execution.metadata.namespace!, pipeline: spec.pipelineRef.name, execution: execution.metadata.name!, run: spec.run ?? 0,
      phase: execution.status?.phase ?? 'Pending', branch: spec.branch, tag: spec.tag, commit: spec.commit, author: spec.author?.name,
      event: spec.trigger?.event, reason: execution.status?.reason, link: consoleLink(this.deps.consoleUrl, execution),
    };
  }
}

function describe(data: ReportJobData): string {
  return data.target === COMMIT_STATUS_TARGET ? `commit status (${data.phase})` : `notification to ${data.recipient} via ${data.notifier}`;
}

/** No retry can fix these: a refused destination, a receiver that said no, a notifier that is missing or invalid. */
function isPermanent(err: unknown): boolean {
  if (err instanceof NotifierUnavailableError || err instanceof NotifierConfigError) return true;
  if (err instanceof NotificationError) return !err.retryable;
  return (err as { retryable?: unknown } | undefined)?.retryable === false;
}
