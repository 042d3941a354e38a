// Which stages and steps run for a branch and an event. Decided before the run (as Rancher did), so skipped
// steps can be shown as skipped from the start.

import { globMatches } from './glob.matcher';
import { Constraint, ExecutionPlan, PipelineConfig, PipelineEvent, When } from './model';

export interface RunTarget {
  /** The branch in Rancher's sense: for a pull request its target, for a tag the tag name. */
  branch: string;
  event: PipelineEvent;
}

/** An absent constraint matches; any exclude match loses; an empty include matches; else any include. */
export function constraintMatches(constraint: Constraint | undefined, value: string): boolean {
  if (!constraint) return true;
  if (constraint.exclude.some((p) => globMatches(p, value))) return false;
  if (constraint.include.length === 0) return true;
  return constraint.include.some((p) => globMatches(p, value));
}

/** Both the branch and the event constraint must match. */
export function whenMatches(when: When | undefined, target: RunTarget): boolean {
  if (!when) return true;
  return constraintMatches(when.branch, target.branch) && constraintMatches(when.event, target.event);
}

/** The top-level `branch` filter: when false, no execution is created at all. */
export function pipelineRunsFor(config: PipelineConfig, target: RunTarget): boolean {
  return constraintMatches(config.branch, target.branch);
}

export function planExecution(config: PipelineConfig, target: RunTarget): ExecutionPlan {
  const runs = pipelineRunsFor(config, target);
  return {
    runs,
    stages: config.stages.map((stage) => {
      const stageRuns = runs && whenMatches(stage.when, target);
      return {
        name: stage.name,
        runs: stageRuns,
        steps: stage.steps.map((step) => ({
          name: step.name,
          type: step.type,
          runs: stageRuns && whenMatches(step.when, target),
        })),
      };
    }),
  };
}
