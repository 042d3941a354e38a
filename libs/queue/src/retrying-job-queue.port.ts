// A queue of one-shot jobs that are retried with exponential backoff: one job per id for as long as the queue
// remembers it (waiting, running, and for a while after it finished), so adding the same id twice does nothing.
// Report deliveries (commit statuses, notifications) use it; the sync loop's self-rescheduling jobs do not.

export interface RetriedJob<T> {
  id: string;
  data: T;
  /** 1 on the first run. */
  attempt: number;
  maxAttempts: number;
}

/** Throw to have the job retried after a backoff; on the last attempt a throw ends it as failed. */
export type RetriedJobProcessor<T> = (job: RetriedJob<T>) => Promise<void>;

export interface RetryPolicy {
  /** Runs in all, the first included. */
  attempts: number;
  /** Delay before the second run; doubles before each further one. */
  backoffMs: number;
  /** How long a finished job (done or failed) still blocks its id. */
  keepFinishedMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { attempts: 6, backoffMs: 2_000, keepFinishedMs: 7 * 24 * 3600_000 };

export interface RetryingJobQueue<T> {
  /** Adds the job unless this id is waiting, running, or finished within `keepFinishedMs`; true when added. */
  add(id: string, data: T): Promise<boolean>;
  /** Starts processing in this process; several processes may each run workers on one queue. */
  startWorker(processor: RetriedJobProcessor<T>, options?: { concurrency?: number }): void;
  /** Jobs this process's worker runs at once from now on (config reload); kept for a worker started later. */
  setConcurrency(concurrency: number): void;
  close(): Promise<void>;
}

/** The delay before attempt `attempt + 1`, after `attempt` failed runs (BullMQ's exponential strategy). */
export function retryDelayMs(policy: Pick<RetryPolicy, 'backoffMs'>, attempt: number): number {
  return Math.round(policy.backoffMs * 2 ** (attempt - 1));
}
