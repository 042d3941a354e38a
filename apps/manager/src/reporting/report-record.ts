// Where report outcomes are kept: the outcome of every final-phase report in the execution's
// status.notifications (conditional writes, retried on conflict: the sync loop is done with a finished
// execution, so they race only each other), and every failure also as a Warning Event on the execution, whose
// name is derived from the report id so a retried write never makes two.
import { createHash } from 'node:crypto';
import type { PipelineExecution, PipelineExecutionStatus } from '@keelson/crds';
import { Core, Keelson, KubeClient, isAlreadyExists, retryOnConflict } from '@keelson/kube';

export type ReportRecord = NonNullable<PipelineExecutionStatus['notifications']>[number];

const MAX_RECORDS = 64;

/** Adds (or replaces) the record with this id; false when the execution is gone or is another one now. */
export async function recordReport(kube: KubeClient, namespace: string, name: string, uid: string, record: ReportRecord): Promise<boolean> {
  const executions = kube.resource(Keelson.PipelineExecution);
  let written = false;
  await retryOnConflict(async () => {
    const current = await executions.find(namespace, name);
    if (!current || current.metadata.uid !== uid) return;
    const others = (current.status?.notifications ?? []).filter((r) => r.id !== record.id);
    const notifications = [...others, record].slice(-MAX_RECORDS);
    await executions.patchStatus(namespace, name, { notifications }, current.metadata.resourceVersion);
    written = true;
  }, { attempts: 10 });
  return written;
}

export interface ReportEvent {
  reason: 'CommitStatusFailed' | 'NotificationFailed' | 'NotificationRefused';
  message: string;
}

/** A Warning Event on the execution, once per report id. */
export async function recordReportEvent(kube: KubeClient, execution: PipelineExecution, reportId: string, event: ReportEvent, now: Date): Promise<void> {
  const digest = createHash('sha256').update(reportId).digest('hex').slice(0, 16);
  const time = now.toISOString();
  try {
    await kube.resource(Core.Event).create({
      metadata: { name: `${execution.metadata.name}.${digest}`.slice(0, 253), namespace: execution.metadata.namespace },
      involvedObject: {
        apiVersion: 'devops.keelson.dev/v1alpha1', kind: 'PipelineExecution', namespace: execution.metadata.namespace,
        name: execution.metadata.name, uid: execution.metadata.uid,
      },
      reason: event.reason, message: event.message.slice(0, 1024), type: 'Warning',
      source: { component: 'keelson-manager' }, reportingComponent: 'keelson.dev/manager', reportingInstance: 'keelson-manager',
      firstTimestamp: time, lastTimestamp: time, count: 1,
    });
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
  }
}
