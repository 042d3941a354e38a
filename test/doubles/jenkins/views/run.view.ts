// WorkflowRun as /job/<j>/<n>/api/json exports it (core Run + workflow-job WorkflowRun).
import type { Build } from '../model/build';
import type { Job } from '../model/job';
import { runPath, type ViewContext } from './view-context';

export const WORKFLOW_RUN = 'org.jenkinsci.plugins.workflow.job.WorkflowRun';

export function parametersAction(params: Array<{ name: string; value: string }>): Record<string, unknown> {
  return {
    _class: 'hudson.model.ParametersAction',
    parameters: params.map((p) => ({ _class: 'hudson.model.StringParameterValue', name: p.name, value: p.value })),
  };
}

export function causeAction(cause: { userId: string; userName: string }): Record<string, unknown> {
  return {
    _class: 'hudson.model.CauseAction',
    causes: [{ _class: 'hudson.model.Cause$UserIdCause', shortDescription: `Started by user ${cause.userName}`, userId: cause.userId, userName: cause.userName }],
  };
}

/** How a run appears nested in another object at depth 0 (`builds`, `lastBuild`, a queue item's `executable`). */
export function runSummary(b: { job: string; number: number }, ctx: ViewContext): Record<string, unknown> {
  return { _class: WORKFLOW_RUN, number: b.number, url: `${ctx.rootUrl}${runPath(b.job, b.number)}` };
}

/** Every exported property; the default answer and `tree=` both start from this. */
export function runFull(b: Build, job: Job | undefined, ctx: ViewContext): Record<string, unknown> {
  const runs = job?.runs() ?? [];
  const newer = runs.filter((r) => r.number > b.number).at(-1);
  const older = runs.find((r) => r.number < b.number);
  const actions: unknown[] = [parametersAction(b.params), causeAction(b.cause), {}, { _class: 'org.jenkinsci.plugins.workflow.libs.LibrariesAction' }, {}, {}];
  if (b.pendingInputs.size > 0) actions.push({ _class: 'org.jenkinsci.plugins.workflow.support.steps.input.InputAction' });
  actions.push({ _class: 'org.jenkinsci.plugins.workflow.job.views.FlowGraphAction' }, {}, {});
  return {
    _class: WORKFLOW_RUN,
    actions,
    artifacts: [],
    building: b.building,
    description: b.description ?? null,
    displayName: b.displayName ?? `#${b.number}`,
    duration: b.building ? 0 : b.duration(ctx.now),
    estimatedDuration: estimatedDuration(job),
    executor: b.building ? { _class: 'hudson.model.OneOffExecutor' } : null,
    fullDisplayName: `${b.job} ${b.displayName ?? `#${b.number}`}`,
    id: String(b.number),
    keepLog: false,
    number: b.number,
    queueId: b.queueId,
    result: b.result ?? null,
    timestamp: b.timestamp,
    url: `${ctx.rootUrl}${runPath(b.job, b.number)}`,
    changeSets: [],
    culprits: [],
    inProgress: b.building,
    nextBuild: newer ? runSummary(newer, ctx) : null,
    previousBuild: older ? runSummary(older, ctx) : null,
  };
}

function estimatedDuration(job: Job | undefined): number {
  const last = job?.runs().find((r) => r.result === 'SUCCESS' && r.endTime !== undefined);
  return last ? (last.endTime as number) - last.timestamp : -1;
}
