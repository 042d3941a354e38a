// The pipeline-stage-view REST API (rest-api/.../external/*Ext.java): RunExt, StageNodeExt, AtomFlowNodeExt,
// FlowNodeLogExt and PendingInputActionsExt. Hrefs carry the context path but no host (ModelUtil.getFullItemUrl).
import type { Build } from '../model/build';
import type { FlowNode } from '../model/flow-graph';
import type { Job } from '../model/job';
import { runPath, jobPath, type ViewContext } from './view-context';

/** FlowNodeLogExt.MAX_RETURN_CHARS */
export const MAX_LOG_CHARS = 10 * 1024;

function href(ctx: ViewContext, path: string): { href: string } {
  return { href: `${ctx.contextPath}/${path}` };
}

function nodePath(b: Build, id: string): string {
  return `${runPath(b.job, b.number)}execution/node/${id}/`;
}

function timing(b: Build, n: FlowNode, ctx: ViewContext): { startTimeMillis: number; durationMillis: number; pauseDurationMillis: number } {
  return { startTimeMillis: n.start, durationMillis: (n.end ?? ctx.now) - n.start, pauseDurationMillis: b.graph.pauseMillis(n, ctx.now) };
}

function errorOf(b: Build, n: FlowNode): Record<string, unknown> {
  const status = b.graph.status(n);
  return n.error && status !== 'NOT_EXECUTED' ? { error: { message: n.error.message, type: n.error.type } } : {};
}

export function atomExt(b: Build, n: FlowNode, ctx: ViewContext): Record<string, unknown> {
  const links: Record<string, unknown> = { self: href(ctx, `${nodePath(b, n.id)}wfapi/describe`) };
  if (n.log) {
    links.log = href(ctx, `${nodePath(b, n.id)}wfapi/log`);
    links.console = href(ctx, `${nodePath(b, n.id)}log`);
  }
  const previous = b.graph.atomsOf(n.stageId ?? '').filter((a) => Number(a.id) < Number(n.id)).at(-1);
  return {
    _links: links,
    id: n.id,
    name: n.name,
    execNode: '',
    status: b.graph.status(n),
    ...errorOf(b, n),
    ...(n.parameterDescription !== undefined ? { parameterDescription: n.parameterDescription } : {}),
    ...timing(b, n, ctx),
    parentNodes: [previous?.id ?? n.stageId ?? '2'],
  };
}

export function stageExt(b: Build, n: FlowNode, ctx: ViewContext, withNodes: boolean): Record<string, unknown> {
  return {
    _links: { self: href(ctx, `${nodePath(b, n.id)}wfapi/describe`) },
    id: n.id,
    name: n.name,
    execNode: '',
    status: b.graph.status(n),
    ...errorOf(b, n),
    ...timing(b, n, ctx),
    ...(withNodes ? { stageFlowNodes: b.graph.atomsOf(n.id).map((a) => atomExt(b, a, ctx)) } : {}),
  };
}

/** RunExt: stages in execution order, nested step stages included (flattened). */
export function runExt(b: Build, ctx: ViewContext, fullStages = false): Record<string, unknown> {
  const stages = b.graph.stages();
  const links: Record<string, unknown> = { self: href(ctx, `${runPath(b.job, b.number)}wfapi/describe`) };
  if (b.pendingInputs.size > 0) {
    links.pendingInputActions = href(ctx, `${runPath(b.job, b.number)}wfapi/pendingInputActions`);
    links.nextPendingInputAction = href(ctx, `${runPath(b.job, b.number)}wfapi/nextPendingInputAction`);
  }
  const first = stages.find((s) => !s.notBuilt);
  const end = b.endTime ?? ctx.now;
  const queueDuration = first ? first.start - b.timestamp : end - b.timestamp;
  return {
    _links: links,
    id: String(b.number),
    name: b.displayName ?? `#${b.number}`,
    status: b.status(),
    startTimeMillis: b.timestamp,
    endTimeMillis: end,
    durationMillis: Math.max(0, end - b.timestamp - queueDuration),
    queueDurationMillis: queueDuration,
    pauseDurationMillis: stages.filter((s) => s.stageId === undefined).reduce((sum, s) => sum + b.graph.pauseMillis(s, ctx.now), 0),
    stages: stages.map((s) => stageExt(b, s, ctx, fullStages)),
  };
}

/** FlowNodeLogExt: the last 10 KiB of the node's log, HTML-escaped; no text for a node without a log. */
export function logExt(b: Build, n: FlowNode, ctx: ViewContext): Record<string, unknown> {
  const status = n.error ? (n.error.interrupted ? 'ABORTED' : 'FAILED') : 'SUCCESS';
  const out: Record<string, unknown> = { nodeId: n.id, nodeStatus: status, length: 0, hasMore: false };
  if (!n.log) return out;
  const full = Buffer.from(n.log.plain(), 'utf8');
  const length = Math.min(MAX_LOG_CHARS, full.length);
  out.length = length;
  out.hasMore = full.length > MAX_LOG_CHARS;
  if (length > 0) out.text = escapeHtml(full.subarray(full.length - length).toString('utf8'));
  out.consoleUrl = `${ctx.contextPath}/${nodePath(b, n.id)}log`;
  return out;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c] as string);
}

export function pendingInputsExt(b: Build, ctx: ViewContext): Array<Record<string, unknown>> {
  const run = runPath(b.job, b.number);
  return [...b.pendingInputs.values()].map(({ input }) => ({
    id: input.id,
    proceedText: input.ok,
    message: input.message,
    inputs: [],
    proceedUrl: `${ctx.contextPath}/${run}wfapi/inputSubmit?inputId=${input.id}`,
    abortUrl: `${ctx.contextPath}/${run}input/${input.id}/abort`,
    redirectApprovalUrl: `${ctx.contextPath}/${run}input/`,
  }));
}

/** JobExt of /job/<j>/wfapi/describe. */
export function jobExt(job: Job, ctx: ViewContext): Record<string, unknown> {
  return {
    _links: { self: href(ctx, `${jobPath(job.name)}wfapi/describe`), runs: href(ctx, `${jobPath(job.name)}wfapi/runs`) },
    name: job.name,
    runCount: job.builds.size,
  };
}
