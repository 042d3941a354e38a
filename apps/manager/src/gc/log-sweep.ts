// What a sweep of one project's logs deletes (issue 12 §4), decided from a listing of its objects and the
// executions the manager knows: the logs of executions finished longer ago than `logRetentionDays` (their status
// then says Expired), and orphans, objects of an execution that no longer exists or of an older execution that had
// the same pipeline and run (its `execution-uid` differs). Pure; the key layout is @keelson/logs'.
import type { LogObject } from '@keelson/logs';

export interface SweptExecution {
  name: string;
  uid?: string;
  pipeline: string;
  run?: number;
  /** status.completionTime, when it has finished. */
  completionTime?: string;
  /** status.log.state, when the log writer recorded one. */
  logState?: string;
}

export interface ExpiringLogs {
  name: string;
  uid?: string;
  keys: string[];
  /** Whether status.log must still say Expired. */
  mark: boolean;
}

export interface LogSweepPlan {
  expire: ExpiringLogs[];
  /** Keys under `<namespace>/<pipeline>/<run>/` that no execution owns. */
  orphans: string[];
}

const DAY_MS = 86_400_000;

/** `<namespace>/<pipeline>/<run>/...` → pipeline and run; undefined for a key of another layout (left alone). */
export function logKeyOwner(namespace: string, key: string): { pipeline: string; run: number } | undefined {
  const parts = key.split('/');
  if (parts.length < 4 || parts[0] !== namespace || !parts[1] || !/^[1-9]\d{0,9}$/.test(parts[2])) return undefined;
  return { pipeline: parts[1], run: Number(parts[2]) };
}

export function planLogSweep(input: {
  namespace: string;
  objects: readonly LogObject[];
  executions: readonly SweptExecution[];
  retentionDays: number;
  now: number;
}): LogSweepPlan {
  const byRun = new Map<string, SweptExecution[]>();
  for (const e of input.executions) {
    if (e.run === undefined) continue;
    const key = `${e.pipeline}/${e.run}`;
    byRun.set(key, [...(byRun.get(key) ?? []), e]);
  }
  const keysOf = new Map<SweptExecution, string[]>();
  const orphans: string[] = [];
  for (const object of input.objects) {
    const owner = logKeyOwner(input.namespace, object.key);
    if (!owner) continue;
    const candidates = byRun.get(`${owner.pipeline}/${owner.run}`) ?? [];
    // An object without a uid cannot be told apart: it belongs to whichever execution has its pipeline and run.
    const execution = object.executionUid === undefined ? candidates[0] : candidates.find((e) => e.uid === object.executionUid);
    if (!execution) orphans.push(object.key);
    else keysOf.set(execution, [...(keysOf.get(execution) ?? []), object.key]);
  }
  const cutoff = input.now - input.retentionDays * DAY_MS;
  const expire: ExpiringLogs[] = [];
  for (const e of input.executions) {
    const finished = e.completionTime ? Date.parse(e.completionTime) : NaN;
    if (Number.isNaN(finished) || finished >= cutoff) continue;
    const keys = keysOf.get(e) ?? [];
    const mark = e.logState !== 'Expired' && (keys.length > 0 || e.logState !== undefined);
    if (keys.length > 0 || mark) expire.push({ name: e.name, uid: e.uid, keys, mark });
  }
  return { expire, orphans };
}
