// WorkflowJob as /job/<j>/api/json exports it. `builds` holds the newest 100 runs; `allBuilds` only appears
// through `tree=`. In the default answer nested runs are summaries ({_class, number, url}); through `tree=`
// they are whole runs, so `tree=builds[number,actions[parameters[name,value]]]` finds a build by parameter.
import type { Build } from '../model/build';
import type { QueueItem } from '../model/build-queue';
import type { Job } from '../model/job';
import { queueItemFull } from './queue.view';
import { runFull, runSummary } from './run.view';
import { jobPath, type ViewContext } from './view-context';

export const WORKFLOW_JOB = 'org.jenkinsci.plugins.workflow.job.WorkflowJob';

export function jobColor(job: Job): string {
  if (job.disabled) return 'disabled';
  const runs = job.runs();
  const last = runs.find((r) => !r.building);
  const base = !last ? 'notbuilt' : last.result === 'SUCCESS' ? 'blue' : last.result === 'UNSTABLE' ? 'yellow' : last.result === 'ABORTED' ? 'aborted' : last.result === 'NOT_BUILT' ? 'notbuilt' : 'red';
  return runs.some((r) => r.building) ? `${base}_anime` : base;
}

/** The job as the `task` of a queue item or an entry of the root's `jobs`. */
export function jobSummary(job: Job, ctx: ViewContext): Record<string, unknown> {
  return { _class: WORKFLOW_JOB, name: job.name, url: `${ctx.rootUrl}${jobPath(job.name)}`, color: jobColor(job) };
}

export function jobFull(job: Job, queue: QueueItem[], ctx: ViewContext, deep: boolean): Record<string, unknown> {
  const runs = job.runs();
  const show = (b: Build | undefined) => (b ? (deep ? runFull(b, job, ctx) : runSummary(b, ctx)) : null);
  const done = runs.filter((r) => !r.building);
  const queued = queue.find((i) => i.job === job.name);
  return {
    _class: WORKFLOW_JOB,
    actions: [{}, {}, { _class: 'com.cloudbees.plugins.credentials.ViewCredentialsAction' }],
    description: job.config.description,
    displayName: job.name,
    displayNameOrNull: null,
    fullDisplayName: job.name,
    fullName: job.name,
    name: job.name,
    url: `${ctx.rootUrl}${jobPath(job.name)}`,
    buildable: !job.disabled,
    builds: runs.slice(0, 100).map(show),
    ...(deep ? { allBuilds: runs.map(show) } : {}),
    color: jobColor(job),
    firstBuild: show(runs.at(-1)),
    healthReport: [],
    inQueue: queued !== undefined,
    keepDependencies: false,
    lastBuild: show(runs[0]),
    lastCompletedBuild: show(done[0]),
    lastFailedBuild: show(done.find((r) => r.result === 'FAILURE')),
    lastStableBuild: show(done.find((r) => r.result === 'SUCCESS')),
    lastSuccessfulBuild: show(done.find((r) => r.result === 'SUCCESS' || r.result === 'UNSTABLE')),
    lastUnstableBuild: show(done.find((r) => r.result === 'UNSTABLE')),
    lastUnsuccessfulBuild: show(done.find((r) => r.result !== 'SUCCESS')),
    nextBuildNumber: job.nextBuildNumber,
    property: [
      { _class: 'jenkins.model.BuildDiscarderProperty' },
      ...(job.parameterized ? [{
        _class: 'hudson.model.ParametersDefinitionProperty',
        parameterDefinitions: job.config.parameters.map((d) => ({
          _class: d.className,
          defaultParameterValue: { _class: d.className.replace(/Definition$/, 'Value'), name: d.name, value: d.defaultValue },
          description: d.description,
          name: d.name,
          type: d.className.replace(/^.*\./, ''),
        })),
      }] : []),
    ],
    queueItem: queued ? queueItemFull(queued, job, ctx) : null,
    concurrentBuild: true,
    resumeBlocked: false,
  };
}
