// Which changes a watch sends, and as what. With a label selector, an object whose labels change is treated as
// the selection sees it: it enters (ADDED), stays (MODIFIED) or leaves (DELETED), as a Kubernetes watch does.
import type { ChangeType, ResourceChange } from './event-ring';
import { matchesSelector, type LabelSelector } from './label-selector';
import { matchesFilters } from './list-filters';
import type { ListFilters } from './list-query';

export interface WatchScope {
  resources: ReadonlySet<string>;
  /** One namespace; all when absent. */
  namespace?: string;
  selector?: LabelSelector;
  /** Only filters on fields that never change (pipeline, branch, event): list-query refuses the others. */
  filters: ListFilters;
}

export function selectChange(scope: WatchScope, change: ResourceChange): ChangeType | undefined {
  if (!scope.resources.has(change.resource)) return undefined;
  if (scope.namespace !== undefined && change.namespace !== scope.namespace) return undefined;
  if (!matchesFilters(change.object, scope.filters)) return undefined;
  const now = matchesSelector(scope.selector, change.object.metadata.labels);
  if (change.type !== 'MODIFIED' || !scope.selector) return now ? change.type : undefined;
  const before = matchesSelector(scope.selector, change.oldLabels);
  if (now) return before ? 'MODIFIED' : 'ADDED';
  return before ? 'DELETED' : undefined;
}
