// Which finished executions go (issue 12 §4): each pipeline keeps its newest `historyLimit` (the Pipeline's own,
// else the project's PipelineSetting's, else 100), and the project as a whole keeps its newest
// `projectHistoryLimit` (1000 by default) of what the pipelines kept. Oldest finished go first. Deleting one runs
// its finalizer: its Jenkins job and its logs go with it. Pure.

export const DEFAULT_HISTORY_LIMIT = 100;
export const DEFAULT_PROJECT_HISTORY_LIMIT = 1000;

export interface FinishedExecution {
  name: string;
  uid?: string;
  pipeline: string;
  run?: number;
  /** status.completionTime (RFC 3339); the creation time when a run never recorded one. */
  finished: string;
}

export interface HistoryLimits {
  /** The limit of one pipeline. */
  pipeline(name: string): number;
  project: number;
}

export interface Pruned {
  name: string;
  uid?: string;
  /** Which limit it was beyond. */
  limit: 'pipeline' | 'project';
}

/** Newest first: by finish time, then run number, then name (so the order is total). */
function newestFirst(a: FinishedExecution, b: FinishedExecution): number {
  return b.finished.localeCompare(a.finished) || (b.run ?? 0) - (a.run ?? 0) || a.name.localeCompare(b.name);
}

export function executionsToPrune(finished: readonly FinishedExecution[], limits: HistoryLimits): Pruned[] {
  const byPipeline = new Map<string, FinishedExecution[]>();
  for (const e of finished) byPipeline.set(e.pipeline, [...(byPipeline.get(e.pipeline) ?? []), e]);
  const pruned: Pruned[] = [];
  const kept: FinishedExecution[] = [];
  for (const [pipeline, runs] of byPipeline) {
    const limit = limits.pipeline(pipeline);
    // Sorting only when over the limit: this runs on every finished execution's reconcile.
    if (runs.length <= limit) {
      kept.push(...runs);
      continue;
    }
    const sorted = [...runs].sort(newestFirst);
    kept.push(...sorted.slice(0, limit));
    for (const e of sorted.slice(limit)) pruned.push({ name: e.name, uid: e.uid, limit: 'pipeline' });
  }
  if (kept.length > limits.project) {
    for (const e of kept.sort(newestFirst).slice(limits.project)) pruned.push({ name: e.name, uid: e.uid, limit: 'project' });
  }
  return pruned;
}

/** A Pipeline's limit: its own, else the project's setting, else the default. */
export function pipelineHistoryLimit(pipelineLimit: number | undefined, settingLimit: number | undefined): number {
  return pipelineLimit ?? settingLimit ?? DEFAULT_HISTORY_LIMIT;
}
