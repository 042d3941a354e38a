import type { DelayedJobQueue, JobProcessor, QueuedJob } from './delayed-job-queue.port';

interface Entry<T> {
  data: T;
  timer?: NodeJS.Timeout;
  running: boolean;
}

/** The in-process driver: same semantics as the BullMQ one (one job per id, never two runs of it at once). */
export class InMemoryJobQueue<T> implements DelayedJobQueue<T> {
  private readonly jobs = new Map<string, Entry<T>>();
  private processor?: JobProcessor<T>;
  private closed = false;
  private readonly inFlight = new Set<Promise<void>>();

  async ensure(id: string, data: T, delayMs = 0): Promise<boolean> {
    if (this.jobs.has(id) || this.closed) return false;
    const entry: Entry<T> = { data, running: false };
    this.jobs.set(id, entry);
    this.schedule(id, entry, delayMs);
    return true;
  }

  async nudge(id: string): Promise<void> {
    const entry = this.jobs.get(id);
    if (entry?.timer) {
      clearTimeout(entry.timer);
      this.schedule(id, entry, 0);
    }
  }

  async ids(): Promise<string[]> {
    return [...this.jobs.keys()];
  }

  /** The in-process driver runs every due job at once, as in startWorker: there is no concurrency to change. */
  setConcurrency(): void {}

  startWorker(processor: JobProcessor<T>): void {
    this.processor = processor;
    for (const [id, entry] of this.jobs) if (!entry.timer && !entry.running) this.schedule(id, entry, 0);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const entry of this.jobs.values()) clearTimeout(entry.timer);
    await Promise.allSettled([...this.inFlight]);
    this.jobs.clear();
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
    entry.running = true;
    // Like BullMQ's Job.updateData, the running job sees its new data too.
    const job: QueuedJob<T> = { id, data: entry.data, updateData: async (data) => void (entry.data = job.data = data) };
    try {
      const outcome = await this.processor!(job);
      entry.running = false;
      if (outcome.kind === 'again' && !this.closed) this.schedule(id, entry, outcome.afterMs);
      else this.jobs.delete(id);
    } catch {
      // Like a BullMQ job that failed for good: removed, so a resync may add it again.
      entry.running = false;
      this.jobs.delete(id);
    }
  }
}
