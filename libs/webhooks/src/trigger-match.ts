// Does a Pipeline's `spec.triggers` let this event run? Pushes run unless turned off; pull requests and tags
// only when turned on (a stranger's pull request must not build by default). Filters are branch or tag globs:
// include (empty: all), then exclude, which wins.
import { globMatches } from '@keelson/pipeline-config';
import type { RunEvent } from './webhook-event';

export interface TriggerFilter {
  include?: string[];
  exclude?: string[];
}
export interface EventTrigger {
  enabled?: boolean;
  filter?: TriggerFilter;
}
export interface PipelineTriggers {
  push?: EventTrigger;
  pullRequest?: EventTrigger;
  tag?: EventTrigger;
}

export type TriggerVerdict = { run: true } | { run: false; reason: string };

export function triggerVerdict(triggers: PipelineTriggers | undefined, event: RunEvent): TriggerVerdict {
  const [trigger, enabledByDefault, what, value] =
    event.kind === 'push' ? [triggers?.push, true, 'branch', event.branch!]
      : event.kind === 'tag' ? [triggers?.tag, false, 'tag', event.tag!]
        : [triggers?.pullRequest, false, 'target branch', event.pullRequest!.targetBranch];
  const name = event.kind === 'pull_request' ? 'pullRequest' : event.kind;
  if (!(trigger?.enabled ?? enabledByDefault)) return { run: false, reason: `spec.triggers.${name} is not enabled` };
  const include = trigger?.filter?.include ?? [];
  if (include.length > 0 && !include.some((glob) => globMatches(glob, value))) {
    return { run: false, reason: `${what} ${JSON.stringify(value)} matches no spec.triggers.${name}.filter.include glob` };
  }
  const excluded = (trigger?.filter?.exclude ?? []).find((glob) => globMatches(glob, value));
  if (excluded !== undefined) return { run: false, reason: `${what} ${JSON.stringify(value)} matches spec.triggers.${name}.filter.exclude ${JSON.stringify(excluded)}` };
  return { run: true };
}
