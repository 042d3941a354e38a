// Which commit state each execution phase reports, and the status line's words and link.
import type { ExecutionPhase, PipelineExecution } from '@keelson/crds';
import type { CommitState, CommitStatusDetails } from './commit-status.port';
import { consoleRunLink } from '../console/console-links';

const GITHUB_DESCRIPTION_LIMIT = 140;

/**
 * Pending, Queued and Provisioning are all `pending` to the provider; Running is `running`; the final phases are
 * `success`, `cancelled`, and `failure`, or `error` for a run that failed before any build started (an invalid
 * config, a refused credential): Keelson could not run it, rather than the pipeline failing.
 */
export function commitStateOf(execution: PipelineExecution): CommitState | undefined {
  switch (execution.status?.phase ?? 'Pending') {
    case 'Pending':
    case 'Queued':
    case 'Provisioning':
      return 'pending';
    case 'Running':
      return 'running';
    case 'Succeeded':
      return 'success';
    case 'Aborted':
      return 'cancelled';
    case 'Failed':
      return execution.status?.build || execution.status?.startTime ? 'failure' : 'error';
  }
  return undefined;
}

/** The phase that stands for a commit state in report ids: one `pending` report, not one per waiting phase. */
export function commitReportPhase(phase: ExecutionPhase): ExecutionPhase {
  return phase === 'Queued' || phase === 'Provisioning' ? 'Pending' : phase;
}

/** Only webhook runs of a known commit report to the provider: a manual run has no webhook to answer. */
export function reportsCommitStatus(execution: PipelineExecution): boolean {
  return Boolean(execution.spec.trigger?.deliveryId && execution.spec.commit);
}

export function consoleLink(consoleUrl: string | undefined, execution: PipelineExecution): string | undefined {
  if (!consoleUrl) return undefined;
  return consoleRunLink(consoleUrl, execution.metadata.namespace ?? '', execution.spec.pipelineRef.name, execution.metadata.name ?? '');
}

const WORDS: Record<CommitState, string> = {
  pending: 'is waiting to start', running: 'is running', success: 'succeeded', failure: 'failed', cancelled: 'was stopped', error: 'could not run',
};

export function commitStatusDetails(execution: PipelineExecution, state: CommitState, consoleUrl: string | undefined): CommitStatusDetails {
  const reason = state === 'failure' || state === 'error' ? execution.status?.reason : undefined;
  const line = `Run #${execution.spec.run ?? '?'} ${WORDS[state]}${reason ? `: ${reason}` : ''}`.replace(/\s+/g, ' ').trim();
  const description = line.length > GITHUB_DESCRIPTION_LIMIT ? `${line.slice(0, GITHUB_DESCRIPTION_LIMIT - 1)}…` : line;
  const targetUrl = consoleLink(consoleUrl, execution);
  return { ...(targetUrl ? { targetUrl } : {}), description, context: `keelson/${execution.spec.pipelineRef.name}` };
}
