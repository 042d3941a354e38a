// The `.devops.yml` `concurrency` block of a pipeline (DESIGN §3): `limit` runs of the pipeline at once, and
// `cancelSuperseded`, a new run of a branch stopping the older runs of that branch. Pure, over the pipeline's
// executions as the controller sees them; each execution is judged by its own config snapshot (spec.config), so a
// change to the file applies from the first run made at a commit that has it. See docs/adr/0006.
import type { ExecutionPhase } from '@keelson/crds';
import { isAdmitted } from './admission';

/** What the concurrency decisions need to know about one execution. */
export interface ConcurrencyCandidate {
  name: string;
  pipeline: string;
  run?: number;
  phase?: ExecutionPhase;
  /** spec.stop: it ends as soon as the controller or the sync loop gets to it. */
  stop?: boolean;
  /** Which runs supersede each other (`supersessionLine`); absent for runs nothing supersedes (tags). */
  line?: string;
  /** `concurrency.limit` of its own config snapshot; absent means no pipeline limit. */
  limit?: number;
  /** `concurrency.cancelSuperseded` of its own config snapshot. */
  cancelSuperseded?: boolean;
}

/** The parts of an execution the line is made of. */
export interface LineFacts {
  event?: string;
  branch?: string;
  tag?: string;
  ref?: string;
}

const FINAL: ReadonlySet<string> = new Set(['Succeeded', 'Failed', 'Aborted']);
const WAITING: ReadonlySet<string | undefined> = new Set([undefined, 'Pending', 'Queued']);
/** Names listed in a reason before "and N more" (status.reason holds 1024 characters). */
const LISTED = 5;

/**
 * The runs that supersede each other: those of one branch (push, manual, rerun, image), or of one pull request
 * (its ref), never a tag's; runs of other branches and tags are never touched.
 */
export function supersessionLine(facts: LineFacts): string | undefined {
  if (facts.tag) return undefined;
  if (facts.event === 'pull_request') return facts.ref ? `pull:${facts.ref}` : undefined;
  return facts.branch ? `branch:${facts.branch}` : undefined;
}

/**
 * The newest run that supersedes `target`: a later run (by run number) of the same pipeline and line whose config
 * says `cancelSuperseded`. Undefined when `target` has ended, or nothing newer cancels it.
 */
export function supersededBy(target: ConcurrencyCandidate, executions: readonly ConcurrencyCandidate[]): string | undefined {
  if (FINAL.has(target.phase ?? '') || !target.line || target.run === undefined) return undefined;
  let newest: ConcurrencyCandidate | undefined;
  for (const e of executions) {
    if (e.pipeline !== target.pipeline || e.line !== target.line || !e.cancelSuperseded || e.run === undefined || e.run <= target.run) continue;
    if (!newest || e.run > newest.run!) newest = e;
  }
  return newest?.name;
}

/** The runs that `newer` supersedes: older runs of its pipeline and line that have not ended. */
export function supersededRuns(newer: ConcurrencyCandidate, executions: readonly ConcurrencyCandidate[]): string[] {
  if (!newer.cancelSuperseded || !newer.line || newer.run === undefined) return [];
  return executions
    .filter((e) => e.pipeline === newer.pipeline && e.line === newer.line && e.run !== undefined && e.run < newer.run! && !FINAL.has(e.phase ?? ''))
    .map((e) => e.name);
}

/**
 * The waiting runs that the pipeline limit holds back, with the reason. A waiting run may start when the runs of
 * its pipeline holding a slot, plus the waiting runs ahead of it (lower run numbers), are fewer than its limit:
 * so runs start in run-number order, however the project's own limit interleaves pipelines. Stopped runs and runs
 * without a number are not waiting for a slot.
 */
export function heldByPipelineLimit(executions: readonly ConcurrencyCandidate[]): Map<string, string> {
  const held = new Map<string, string>();
  const byPipeline = new Map<string, ConcurrencyCandidate[]>();
  for (const e of executions) byPipeline.set(e.pipeline, [...(byPipeline.get(e.pipeline) ?? []), e]);
  for (const [pipeline, runs] of byPipeline) {
    // Admitted runs hold a slot until they end, a stopped one included: its build still runs until Jenkins aborts it.
    // A build Jenkins keeps queued, or one waiting for an approval, is Running and holds its slot too.
    const running = runs.filter((e) => isAdmitted(e.phase)).sort(byRun).map((e) => e.name);
    const waiting = runs.filter((e) => WAITING.has(e.phase) && !e.stop && e.run !== undefined).sort(byRun);
    waiting.forEach((e, ahead) => {
      if (e.limit === undefined || running.length + ahead < e.limit) return;
      const aheadNames = waiting.slice(0, ahead).map((w) => w.name);
      const first = aheadNames.length ? `older runs go first: ${listed(aheadNames)}` : '';
      const reason = running.length === 0
        ? `waiting: ${first} (limit ${e.limit} of pipeline ${pipeline})`
        : `waiting: ${running.length} of ${e.limit} ${e.limit === 1 ? 'run' : 'runs'} of pipeline ${pipeline} ${running.length === 1 ? 'is' : 'are'} running: ${listed(running)}${first ? `; ${first}` : ''}`;
      held.set(e.name, reason.slice(0, 1024));
    });
  }
  return held;
}

function byRun(a: ConcurrencyCandidate, b: ConcurrencyCandidate): number {
  return (a.run ?? 0) - (b.run ?? 0) || a.name.localeCompare(b.name);
}

function listed(names: string[]): string {
  return names.length <= LISTED ? names.join(', ') : `${names.slice(0, LISTED).join(', ')} and ${names.length - LISTED} more`;
}
