// A queue of keyed, self-rescheduling jobs: one job per id (the execution UID), which either finishes or asks to
// run again after a delay. The sync loop knows only this port; BullMQ sits behind it, and unit tests use the
// in-memory driver.

export interface QueuedJob<T> {
  id: string;
  data: T;
  /** Replaces the job's data (kept in Redis, not in the apiserver): `data` shows it at once, and so does the next run. */
  updateData(data: T): Promise<void>;
}

export type JobOutcome = { kind: 'done' } | { kind: 'again'; afterMs: number };

export const JobOutcome = {
  done: (): JobOutcome => ({ kind: 'done' }),
  again: (afterMs: number): JobOutcome => ({ kind: 'again', afterMs: Math.max(0, Math.round(afterMs)) }),
};

export type JobProcessor<T> = (job: QueuedJob<T>) => Promise<JobOutcome>;

export interface DelayedJobQueue<T> {
  /** Adds the job unless one with this id is already waiting, delayed or running; true when added. */
  ensure(id: string, data: T, delayMs?: number): Promise<boolean>;
  /** Runs a delayed job now instead of at its time (a stop or an approval should not wait for the next poll). */
  nudge(id: string): Promise<void>;
  /** Ids of every job the queue holds (waiting, delayed or running). */
  ids(): Promise<string[]>;
  /** Starts processing in this process; several processes may each run workers on one queue. */
  startWorker(processor: JobProcessor<T>, options?: { concurrency?: number }): void;
  /** Jobs this process's worker runs at once from now on (config reload); kept for a worker started later. */
  setConcurrency(concurrency: number): void;
  close(): Promise<void>;
}
