// Whether a finished run notifies, by the config's `notification.condition` (Rancher's semantics): the final
// phase is listed (Success, Failed, Aborted), or `Changed` is listed and the phase differs from the previous
// finished run of the same pipeline and branch.
import type { ExecutionPhase, PipelineExecution } from '@keelson/crds';
import type { NotificationCondition } from '@keelson/pipeline-config';

export const DEFAULT_NOTIFY_CONDITIONS: readonly NotificationCondition[] = ['Failed', 'Changed'];

const CONDITION_OF: Partial<Record<ExecutionPhase, NotificationCondition>> = { Succeeded: 'Success', Failed: 'Failed', Aborted: 'Aborted' };

/** `previousPhase` is that of the previous finished run; undefined for a first run, which is no change. */
export function shouldNotify(conditions: readonly NotificationCondition[] | undefined, phase: ExecutionPhase, previousPhase: ExecutionPhase | undefined): boolean {
  const wanted = conditions?.length ? conditions : DEFAULT_NOTIFY_CONDITIONS;
  const own = CONDITION_OF[phase];
  if (!own) return false; // not a final phase
  if (wanted.includes(own)) return true;
  return wanted.includes('Changed') && previousPhase !== undefined && previousPhase !== phase;
}

const FINAL: ReadonlySet<string> = new Set(['Succeeded', 'Failed', 'Aborted']);

/** The finished run of the same pipeline and branch with the highest run number below this one's. */
export function previousFinishedRun(execution: PipelineExecution, others: Iterable<PipelineExecution>): PipelineExecution | undefined {
  const run = execution.spec.run ?? 0;
  let best: PipelineExecution | undefined;
  for (const other of others) {
    if (other.metadata.namespace !== execution.metadata.namespace || other.spec.pipelineRef.name !== execution.spec.pipelineRef.name) continue;
    if ((other.spec.branch ?? '') !== (execution.spec.branch ?? '') || !FINAL.has(other.status?.phase ?? '')) continue;
    const otherRun = other.spec.run ?? 0;
    if (otherRun < run && (!best || otherRun > (best.spec.run ?? 0))) best = other;
  }
  return best;
}
