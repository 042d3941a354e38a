// Does a Pipeline's `spec.triggers` let this event run? Pushes run unless turned off; pull requests, tags and
// image pushes only when turned on (a stranger's pull request must not build by default). Filters are branch,
// tag or image-tag globs: include (empty: all), then exclude, which wins.
import { globMatches } from '@keelson/pipeline-config';
import type { ImagePushEvent } from './registry/registry-event';
import type { RunEvent } from './webhook-event';

export interface TriggerFilter {
  include?: string[];
  exclude?: string[];
}
export interface EventTrigger {
  enabled?: boolean;
  filter?: TriggerFilter;
}
export interface ImagePushTrigger extends EventTrigger {
  repository: string;
  /** The branch whose `.devops.yml` runs; `main` when absent. */
  branch?: string;
}
export interface PipelineTriggers {
  push?: EventTrigger;
  pullRequest?: EventTrigger;
  tag?: EventTrigger;
  imagePush?: ImagePushTrigger;
}

export type TriggerVerdict = { run: true } | { run: false; reason: string };

export function triggerVerdict(triggers: PipelineTriggers | undefined, event: RunEvent): TriggerVerdict {
  const [trigger, enabledByDefault, what, value] =
    event.kind === 'push' ? [triggers?.push, true, 'branch', event.branch!]
      : event.kind === 'tag' ? [triggers?.tag, false, 'tag', event.tag!]
        : [triggers?.pullRequest, false, 'target branch', event.pullRequest!.targetBranch];
  const name = event.kind === 'pull_request' ? 'pullRequest' : event.kind;
  if (!(trigger?.enabled ?? enabledByDefault)) return { run: false, reason: `spec.triggers.${name} is not enabled` };
  return filterVerdict(trigger?.filter, `spec.triggers.${name}`, what, value);
}

/** An image push runs a pipeline whose `imagePush` trigger is on, names the pushed repository, and lets the tag through. */
export function imagePushVerdict(triggers: PipelineTriggers | undefined, event: ImagePushEvent): TriggerVerdict {
  const trigger = triggers?.imagePush;
  if (!trigger?.enabled) return { run: false, reason: 'spec.triggers.imagePush is not enabled' };
  if (trigger.repository !== event.repository) {
    return { run: false, reason: `repository ${JSON.stringify(event.repository)} is not spec.triggers.imagePush.repository ${JSON.stringify(trigger.repository)}` };
  }
  return filterVerdict(trigger.filter, 'spec.triggers.imagePush', 'tag', event.tag);
}

function filterVerdict(filter: TriggerFilter | undefined, field: string, what: string, value: string): TriggerVerdict {
  const include = filter?.include ?? [];
  if (include.length > 0 && !include.some((glob) => globMatches(glob, value))) {
    return { run: false, reason: `${what} ${JSON.stringify(value)} matches no ${field}.filter.include glob` };
  }
  const excluded = (filter?.exclude ?? []).find((glob) => globMatches(glob, value));
  if (excluded !== undefined) return { run: false, reason: `${what} ${JSON.stringify(value)} matches ${field}.filter.exclude ${JSON.stringify(excluded)}` };
  return { run: true };
}
