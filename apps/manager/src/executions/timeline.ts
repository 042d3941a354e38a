// An execution's timeline (issue 12 §3): the moments of its life, each recorded once, so "why did it wait, and for
// how long" has an answer after the fact. Entries ride on status writes that happen anyway (ADR 0003): the
// controller adds Created and Admitted to its queue and admission writes, the sync loop adds the rest to its
// progress and final writes. Pure: the callers hand in what they know.
import type { PipelineExecution, PipelineExecutionStatus } from '@keelson/crds';

export type TimelineEntry = NonNullable<PipelineExecutionStatus['timeline']>[number];
export type TimelineEvent = TimelineEntry['type'];

/** The order the moments happen in (a Record, so a new event type fails to compile until it has its place). */
const ORDER: Record<TimelineEvent, number> = {
  Created: 0, Admitted: 1, DataPlaneReady: 2, JenkinsQueued: 3, BuildStarted: 4, PodScheduled: 5, Running: 6, Finished: 7,
};

const MESSAGE_LIMIT = 1024;
/** Names listed in a message before "and N more". */
const LISTED = 5;
const FINAL: ReadonlySet<string> = new Set(['Succeeded', 'Failed', 'Aborted']);
const HOLDING: ReadonlySet<string> = new Set(['Provisioning', 'Running']);
const WAITING: ReadonlySet<string | undefined> = new Set([undefined, 'Pending', 'Queued']);

/**
 * The timeline with `added` entries of the types it does not have yet: a moment happens once, so the first record
 * of it stands. Sorted in the order of the moments (not by time: Jenkins' clock and ours may disagree a little).
 */
export function withTimeline(current: readonly TimelineEntry[] | undefined, added: ReadonlyArray<TimelineEntry | undefined>): TimelineEntry[] {
  const byType = new Map<TimelineEvent, TimelineEntry>();
  for (const entry of current ?? []) if (!byType.has(entry.type)) byType.set(entry.type, entry);
  for (const entry of added) if (entry && !byType.has(entry.type)) byType.set(entry.type, clip(entry));
  return [...byType.values()].sort((a, b) => ORDER[a.type] - ORDER[b.type]);
}

export function timelineEntry(timeline: readonly TimelineEntry[] | undefined, type: TimelineEvent): TimelineEntry | undefined {
  return timeline?.find((e) => e.type === type);
}

/** RFC 3339 with milliseconds: start latencies of a warm run are a few seconds, so seconds alone say little. */
export function timelineTime(ms: number): string {
  return new Date(ms).toISOString();
}

/** Why it waited, as the `Admitted` condition said while it was False. */
export type WaitCause = 'ProjectConcurrencyLimit' | 'PipelineConcurrencyLimit';

const CAUSE_TEXT: Record<WaitCause, string> = { ProjectConcurrencyLimit: 'project concurrency limit', PipelineConcurrencyLimit: 'pipeline concurrency limit' };
const QUEUED_BEHIND = /^queued behind (.+) \((?:project|pipeline) concurrency limit\)$/;

/**
 * Created, with when it had to queue, behind whom: the runs that would go before it when it arrived (those holding
 * the slots, then those ahead in the queue), known exactly at the controller's first queue write and kept there,
 * since timestamps of whole seconds cannot tell a run that ended just before it arrived from one just after.
 */
export function createdEntry(exe: PipelineExecution, queued?: { cause: WaitCause; behind: readonly string[] }): TimelineEntry | undefined {
  const created = exe.metadata.creationTimestamp;
  if (!created) return undefined;
  if (!queued) return { type: 'Created', time: created };
  const why = CAUSE_TEXT[queued.cause];
  return { type: 'Created', time: created, message: queued.behind.length ? `queued behind ${listed(queued.behind)} (${why})` : `queued (${why})` };
}

/** Admitted now: after how long in the queue and behind whom (as its Created entry recorded); `cause` absent when it never waited. */
export function admittedEntry(exe: PipelineExecution, now: number, cause: WaitCause | undefined): TimelineEntry {
  const created = Date.parse(exe.metadata.creationTimestamp ?? '');
  const waited = Number.isNaN(created) ? undefined : Math.max(0, now - created);
  let message: string;
  if (!cause) message = waited === undefined ? 'a slot was free' : `a slot was free (${formatDuration(waited)} after creation)`;
  else {
    const behind = QUEUED_BEHIND.exec(timelineEntry(exe.status?.timeline, 'Created')?.message ?? '')?.[1];
    message = `after ${waited === undefined ? 'a while' : formatDuration(waited)} in the queue (${CAUSE_TEXT[cause]})${behind ? `, behind ${behind}` : ''}`;
  }
  return { type: 'Admitted', time: timelineTime(now), message };
}

/**
 * The runs that go before `exe` when it has to wait: those holding a slot (of its pipeline, when the pipeline's limit
 * holds it back), then the waiting ones ahead of it in admission order.
 */
export function runsAhead(exe: PipelineExecution, project: readonly PipelineExecution[], cause: WaitCause): string[] {
  const mine = (o: PipelineExecution) => o.metadata.uid !== exe.metadata.uid && (cause !== 'PipelineConcurrencyLimit' || o.spec.pipelineRef.name === exe.spec.pipelineRef.name);
  const order = (a: PipelineExecution, b: PipelineExecution) =>
    (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') || (a.spec.run ?? 0) - (b.spec.run ?? 0) || a.metadata.name!.localeCompare(b.metadata.name!);
  const holding = project.filter((o) => mine(o) && HOLDING.has(o.status?.phase ?? '')).sort(order);
  const ahead = project.filter((o) => mine(o) && WAITING.has(o.status?.phase) && !o.spec.stop && o.spec.run !== undefined && order(o, exe) < 0).sort(order);
  return [...holding, ...ahead].map((o) => o.metadata.name!);
}

export function dataPlaneReadyEntry(now: number, message: string): TimelineEntry {
  return { type: 'DataPlaneReady', time: timelineTime(now), message };
}

/** A final phase, with its reason. */
export function finishedEntry(time: string, phase: string, reason: string | undefined): TimelineEntry {
  return { type: 'Finished', time, message: reason ? `${phase}: ${reason}` : phase };
}

/** What the sync loop learns about a build between its writes (kept in its job's data, ADR 0003). */
export interface SyncTimelineFacts {
  /** When the sync loop handed the build to Jenkins. */
  startedAt?: number;
  queueItem?: number;
  /** Jenkins' start of the build (it left the queue), and its number. */
  buildStartedAt?: number;
  buildNumber?: number;
  /** The build pod's node, when the scheduler placed it, and whether that node was one the pipeline prefers. */
  node?: string;
  scheduledAt?: number;
  warmNode?: boolean;
  /** When the first stage started inside the pod. */
  runningAt?: number;
}

/** The sync loop's entries for a status it is about to write: the timeline it has, completed with `facts`. */
export function syncTimeline(status: PipelineExecutionStatus, facts: SyncTimelineFacts): TimelineEntry[] {
  const timeline = status.timeline;
  const admitted = timelineEntry(timeline, 'Admitted')?.time ?? status.conditions?.find((c) => c.type === 'Admitted' && c.status === 'True')?.lastTransitionTime;
  const admittedMs = admitted ? Date.parse(admitted) : NaN;
  const added: Array<TimelineEntry | undefined> = [];
  if (facts.startedAt !== undefined) {
    // Admitted while the data plane was still provisioning: it was ready by the time Jenkins took the build.
    added.push(dataPlaneReadyEntry(facts.startedAt, Number.isNaN(admittedMs) ? 'provisioned' : `provisioned in ${formatDuration(Math.max(0, facts.startedAt - admittedMs))}`));
    added.push({ type: 'JenkinsQueued', time: timelineTime(facts.startedAt), ...(facts.queueItem !== undefined && { message: `queue item ${facts.queueItem}` }) });
  }
  if (facts.buildStartedAt !== undefined) {
    const number = facts.buildNumber ?? status.build?.number;
    const parts = [number !== undefined ? `build #${number}` : 'build started'];
    if (facts.startedAt !== undefined) parts.push(`after ${formatDuration(Math.max(0, facts.buildStartedAt - facts.startedAt))} in the Jenkins queue`);
    added.push({ type: 'BuildStarted', time: timelineTime(facts.buildStartedAt), message: parts.join(' ') });
  }
  if (facts.node && facts.scheduledAt !== undefined) {
    added.push({ type: 'PodScheduled', time: timelineTime(facts.scheduledAt), message: `${facts.node} (${facts.warmNode ? 'warm' : 'cold'})` });
  }
  if (facts.runningAt !== undefined) added.push({ type: 'Running', time: timelineTime(facts.runningAt) });
  if (FINAL.has(status.phase ?? '') && status.completionTime) added.push(finishedEntry(status.completionTime, status.phase!, status.reason));
  return withTimeline(timeline, added);
}

/** Seconds spent in each part of the start, from the timeline; a part shows once both its ends are recorded. */
export interface StartLatency {
  /** Created → Admitted: waiting for a slot. */
  queued?: number;
  /** Admitted → JenkinsQueued: the data plane, the job and the build inputs. */
  provisioning?: number;
  /** JenkinsQueued → BuildStarted. */
  jenkinsQueue?: number;
  /** BuildStarted → PodScheduled: Jenkins asking for the pod, the scheduler placing it. */
  podScheduling?: number;
  /** PodScheduled → Running: images pulled, the agent connected, the first stage started. */
  podStartup?: number;
  /** Created → Running. */
  total?: number;
}

export function startLatency(timeline: readonly TimelineEntry[] | undefined): StartLatency {
  const at = (type: TimelineEvent): number | undefined => {
    const time = timelineEntry(timeline, type)?.time;
    const ms = time ? Date.parse(time) : NaN;
    return Number.isNaN(ms) ? undefined : ms;
  };
  const span = (from: TimelineEvent, to: TimelineEvent): number | undefined => {
    const a = at(from);
    const b = at(to);
    return a === undefined || b === undefined ? undefined : Math.max(0, b - a) / 1000;
  };
  const parts: StartLatency = {
    queued: span('Created', 'Admitted'), provisioning: span('Admitted', 'JenkinsQueued'), jenkinsQueue: span('JenkinsQueued', 'BuildStarted'),
    podScheduling: span('BuildStarted', 'PodScheduled'), podStartup: span('PodScheduled', 'Running'), total: span('Created', 'Running'),
  };
  return Object.fromEntries(Object.entries(parts).filter(([, v]) => v !== undefined)) as StartLatency;
}

/** `950ms`, `42s`, `3m 5s`, `2h 1m`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}

function listed(names: readonly string[]): string {
  return names.length <= LISTED ? names.join(', ') : `${names.slice(0, LISTED).join(', ')} and ${names.length - LISTED} more`;
}

function clip(entry: TimelineEntry): TimelineEntry {
  return entry.message !== undefined && entry.message.length > MESSAGE_LIMIT ? { ...entry, message: entry.message.slice(0, MESSAGE_LIMIT) } : entry;
}
