// The reports an execution owes in its current phase, each a job with a deterministic id
// `<execution uid>:<phase>:<target>`: observing the same phase again, from another reconcile, a resync or a
// restarted manager, yields the same ids, and the queue (and, for final phases, status.notifications) holds each
// id once.
import { createHash } from 'node:crypto';
import type { ExecutionPhase, PipelineExecution } from '@keelson/crds';
import type { Notification } from '@keelson/pipeline-config';
import { commitReportPhase, commitStateOf, reportsCommitStatus } from './commit-status.mapping';
import { shouldNotify } from './notify-condition';

export const COMMIT_STATUS_TARGET = 'commit-status';

export interface ReportJobBase {
  namespace: string;
  name: string;
  uid: string;
  /** The phase this report is about (for commit statuses, the first phase of its state: see commitReportPhase). */
  phase: ExecutionPhase;
}

export type ReportJobData =
  | (ReportJobBase & { target: typeof COMMIT_STATUS_TARGET })
  | (ReportJobBase & { target: 'notifier'; notifier: string; recipient: string });

export interface PlannedReport {
  id: string;
  data: ReportJobData;
}

const FINAL: ReadonlySet<string> = new Set(['Succeeded', 'Failed', 'Aborted']);

export function isFinalPhase(phase: string | undefined): phase is 'Succeeded' | 'Failed' | 'Aborted' {
  return FINAL.has(phase ?? '');
}

/** The target part of a notification's id: notifier name and a digest of the recipient (which may hold anything). */
export function notificationTarget(notifier: string, recipient: string): string {
  return `notify.${notifier}.${createHash('sha256').update(recipient, 'utf8').digest('hex').slice(0, 12)}`;
}

export function reportJobId(uid: string, phase: ExecutionPhase, target: string): string {
  return `${uid}:${phase}:${target}`;
}

export interface PlanInput {
  /** Whether a commit status reporter is configured at all. */
  commitStatus: boolean;
  /** The phase of the previous finished run of this pipeline and branch, asked only when `Changed` matters. */
  previousPhase: () => ExecutionPhase | undefined;
}

/** The reports owed for the execution's phase as given; the caller drops those already recorded. */
export function plannedReports(execution: PipelineExecution, input: PlanInput): PlannedReport[] {
  const uid = execution.metadata.uid;
  const phase = execution.status?.phase ?? 'Pending';
  if (!uid || execution.metadata.deletionTimestamp) return [];
  const base: ReportJobBase = { namespace: execution.metadata.namespace!, name: execution.metadata.name!, uid, phase };
  const planned: PlannedReport[] = [];
  if (input.commitStatus && reportsCommitStatus(execution) && commitStateOf(execution)) {
    const reportPhase = commitReportPhase(phase);
    planned.push({ id: reportJobId(uid, reportPhase, COMMIT_STATUS_TARGET), data: { ...base, phase: reportPhase, target: COMMIT_STATUS_TARGET } });
  }
  const notification = (execution.spec.config as { notification?: Notification } | undefined)?.notification;
  if (isFinalPhase(phase) && notification?.recipients?.length) {
    const needsPrevious = !notification.condition?.length || notification.condition.includes('Changed');
    if (shouldNotify(notification.condition, phase, needsPrevious ? input.previousPhase() : undefined)) {
      const seen = new Set<string>();
      for (const { notifier, recipient } of notification.recipients) {
        const target = notificationTarget(notifier, recipient);
        if (seen.has(target)) continue;
        seen.add(target);
        planned.push({ id: reportJobId(uid, phase, target), data: { ...base, target: 'notifier', notifier, recipient } });
      }
    }
  }
  return planned;
}
