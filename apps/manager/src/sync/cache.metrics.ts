// Placement and cache counters (DESIGN §5): counted from what a status write changed, so each execution's
// placement and each step's lookups count once, whichever worker wrote them.
import type { PipelineExecutionStatus } from '@keelson/crds';
import { counter } from '@keelson/observability';

export const cacheMetrics = {
  placements: counter(
    'keelson_cache_placements_total',
    'Executions by where their build pod ran: warm (a node the pipeline ran on recently, holding its cache) or cold; counted when the execution ends.',
    ['placement'],
  ),
  lookups: counter(
    'keelson_cache_lookups_total',
    'Cache lookups of steps at their start, per cache key: hit (one of its paths held something) or miss; lock says whether the step held the key (held), gave up waiting (timeout) or only read it (readonly, forks).',
    ['result', 'lock'],
  ),
};

/** Counts what `after` records and `before` did not: the execution's placement, and each step's cache lookups. */
export function countCacheFacts(before: PipelineExecutionStatus | undefined, after: PipelineExecutionStatus | undefined): void {
  if (!after) return;
  if (after.warmNode !== undefined && before?.warmNode === undefined) cacheMetrics.placements.inc({ placement: after.warmNode ? 'warm' : 'cold' });
  (after.stages ?? []).forEach((stage, s) => stage.steps.forEach((step, t) => {
    if (!step.cache?.length || before?.stages?.[s]?.steps[t]?.cache?.length) return;
    for (const lookup of step.cache) cacheMetrics.lookups.inc({ result: lookup.result, lock: lookup.lock });
  }));
}
