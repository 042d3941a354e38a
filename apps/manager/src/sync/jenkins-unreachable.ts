// Why an execution waits for an unreachable Jenkins, as its status says it: an operator tells a Jenkins that is
// down (connections refused) from one that hangs (no answer in time) or one that is starting (HTTP 503).
import { JenkinsClientError } from '@keelson/engine-jenkins';

const TIMEOUT_CODES: ReadonlySet<string> = new Set(['ERR_CANCELED', 'ECONNABORTED', 'ETIMEDOUT']);

export function unreachableReason(err: unknown): string {
  if (err instanceof JenkinsClientError && err.code === 'Unreachable') {
    if (err.status !== undefined && err.status >= 500) return `waiting for Jenkins: it answers HTTP ${err.status}`;
    const cause = (err.cause as { code?: unknown } | undefined)?.code;
    if (cause === 'ECONNREFUSED') return 'waiting for Jenkins: it refuses connections';
    if (typeof cause === 'string' && TIMEOUT_CODES.has(cause)) return 'waiting for Jenkins: it does not answer in time';
  }
  return 'waiting for Jenkins: it does not answer';
}
