import { DEFAULT_RETRY_POLICY, retryDelayMs, type RetriedJobProcessor, type RetryingJobQueue, type RetryPolicy } from './retrying-job-queue.port';

interface Entry<T> {
  data: T;
  attempt: number;
  finishedAt?: number;
  timer?: NodeJS.Timeout;
}

/** The in-process driver, for unit tests: same semantics as the BullMQ one (ids remembered, exponential retries). */
export class InMemoryRetryingJobQueue<T> implements RetryingJobQueue<T> {
  private readonly jobs = new Map<string, Entry<T>>();
  private readonly policy: RetryPolicy;
  private processor?: RetriedJobProcessor<T>;
  private closed = false;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(policy: Partial<RetryPolicy> = {}, private readonly now: () => number = Date.now) {
    this.policy = { ...DEFAULT_RETRY_POLICY, ...policy };
  }

  async add(id: string, data: T): Promise<boolean> {
    const known = this.jobs.get(id);
    if (known && (known.finishedAt === undefined || this.now() - known.finishedAt < this.policy.keepFinishedMs)) return false;
    if (this.closed) return false;
    const entry: Entry<T> = { data, attempt: 0 };
    this.jobs.set(id, entry);
    this.schedule(id, entry, 0);
    return true;
  }

  /** Ids of jobs waiting or running (not the finished ones it still remembers). */
  pending(): string[] {
    return [...this.jobs].filter(([, e]) => e.finishedAt === undefined).map(([id]) => id);
  }

  /** The in-process driver runs every due job at once, as in startWorker: there is no concurrency to change. */
  setConcurrency(): void {}

  startWorker(processor: RetriedJobProcessor<T>): void {
    this.processor = processor;
    for (const [id, entry] of this.jobs) if (entry.finishedAt === undefined && !entry.timer) this.schedule(id, entry, 0);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const entry of this.jobs.values()) clearTimeout(entry.timer);
    await Promise.allSettled([...this.inFlight]);
  }

  private schedule(id: string, entry: Entry<T>, delayMs: number): void {
    if (!this.processor || this.closed) return;
    entry.timer = setTimeout(() => {
      entry.timer = undefined;
      const run = this.run(id, entry);
      this.inFlight.add(run);
      void run.finally(() => this.inFlight.delete(run));
    }, delayMs);
  }

  private async run(id: string, entry: Entry<T>): Promise<void> {
    entry.attempt++;
    try {
      await this.processor!({ id, data: entry.data, attempt: entry.attempt, maxAttempts: this.policy.attempts });
      entry.finishedAt = this.now();
    } catch {
      if (entry.attempt >= this.policy.attempts || this.closed) entry.finishedAt = this.now();
      else this.schedule(id, entry, retryDelayMs(this.policy, entry.attempt));
    }
  }
}
