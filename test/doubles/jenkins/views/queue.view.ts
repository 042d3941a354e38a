// Queue items as /queue/item/<id>/api/json exports them (core Queue$WaitingItem, $BuildableItem, $LeftItem).
import type { QueueItem } from '../model/build-queue';
import type { Job } from '../model/job';
import { timeSpan } from '../model/time-span';
import { jobSummary, WORKFLOW_JOB } from './job.view';
import { causeAction, parametersAction, runSummary } from './run.view';
import { jobPath, type ViewContext } from './view-context';

const CLASSES = { waiting: 'hudson.model.Queue$WaitingItem', buildable: 'hudson.model.Queue$BuildableItem', left: 'hudson.model.Queue$LeftItem' };

/** Queue.Item.getWhy: the CauseOfBlockage of each kind of item. */
function why(item: QueueItem, now: number): string | null {
  if (item.state === 'waiting') {
    const left = item.dueAt - now;
    return left >= 0 ? `In the quiet period. Expires in ${timeSpan(left)}` : 'Finished waiting';
  }
  if (item.state === 'buildable') return 'Waiting for next available executor';
  return null;
}

export function queueItemFull(item: QueueItem, job: Job | undefined, ctx: ViewContext): Record<string, unknown> {
  const task = job ? jobSummary(job, ctx) : { _class: WORKFLOW_JOB, name: item.job, url: `${ctx.rootUrl}${jobPath(item.job)}`, color: 'notbuilt' };
  const out: Record<string, unknown> = {
    _class: CLASSES[item.state],
    actions: [parametersAction(item.params), causeAction(item.cause)],
    blocked: false,
    buildable: item.state === 'buildable',
    id: item.id,
    inQueueSince: item.inQueueSince,
    // Queue.Item.getParams: each ParameterValue's short description on its own line.
    params: item.params.map((p) => `\n${p.name}='${p.value}'`).join(''),
    stuck: false,
    task,
    url: `queue/item/${item.id}/`,
    why: why(item, ctx.now),
  };
  if (item.state === 'waiting') out.timestamp = item.dueAt;
  if (item.state === 'buildable') {
    out.buildableStartMilliseconds = item.buildableSince;
    out.pending = false;
  }
  if (item.state === 'left') {
    out.cancelled = item.cancelled === true;
    out.executable = item.buildNumber === undefined ? null : runSummary({ job: item.job, number: item.buildNumber }, ctx);
  }
  return out;
}
