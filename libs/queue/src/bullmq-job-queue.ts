import { DelayedError, Job, Queue, Worker } from 'bullmq';
import IORedis from 'ioredis';
import { Logger, silentLogger } from '@keelson/observability';
import type { DelayedJobQueue, JobProcessor, QueuedJob } from './delayed-job-queue.port';

export interface BullmqJobQueueOptions {
  /** Queue name; with the prefix, the Redis keys are `<prefix>:<name>:*`. */
  name: string;
  redisUrl: string;
  prefix: string;
  logger?: Logger;
  /** Longer than the worst event-loop block, so a busy worker keeps its jobs (scenarios.md §5.4). */
  lockDurationMs?: number;
}

const ACTIVE_STATES = ['waiting', 'delayed', 'active', 'prioritized', 'waiting-children'] as const;

/**
 * The BullMQ driver. A job that wants to run again moves itself back to delayed with the same id (BullMQ's
 * step-job pattern), so at most one job per id exists and a worker that dies mid-run loses its lock and the job
 * is picked up by another worker (stalled, at most once more).
 */
export class BullmqJobQueue<T> implements DelayedJobQueue<T> {
  private readonly queue: Queue;
  private readonly connections: IORedis[] = [];
  private worker?: Worker;
  private concurrency?: number;
  private readonly log: Logger;
  private get lockMs(): number {
    return this.options.lockDurationMs ?? 60_000;
  }

  constructor(private readonly options: BullmqJobQueueOptions) {
    this.log = (options.logger ?? silentLogger).child({ queue: options.name });
    this.queue = new Queue(options.name, { connection: this.connect(), prefix: options.prefix });
  }

  async ensure(id: string, data: T, delayMs = 0): Promise<boolean> {
    if (await this.queue.getJob(id)) return false;
    await this.queue.add('sync', data, { jobId: id, delay: delayMs, removeOnComplete: true, removeOnFail: true });
    return true;
  }

  async nudge(id: string): Promise<void> {
    const job = await this.queue.getJob(id);
    if (job && (await job.isDelayed())) await job.promote().catch(() => undefined); // it may have just started
  }

  async ids(): Promise<string[]> {
    const jobs = await this.queue.getJobs([...ACTIVE_STATES]);
    return jobs.filter((j): j is Job => Boolean(j?.id)).map((j) => j.id!);
  }

  startWorker(processor: JobProcessor<T>, options: { concurrency?: number } = {}): void {
    if (this.worker) throw new Error(`queue ${this.options.name} already has a worker in this process`);
    this.worker = new Worker(
      this.options.name,
      async (job: Job, token?: string) => {
        // Job.updateData changes the Job, not this view of it: keep the view current so that the run sees what it
        // saved (the in-memory driver behaves the same).
        const queued: QueuedJob<T> = { id: job.id!, data: job.data as T, updateData: async (data) => void (await job.updateData(data), (queued.data = data)) };
        const outcome = await processor(queued);
        if (outcome.kind === 'again') {
          await job.moveToDelayed(Date.now() + outcome.afterMs, token);
          throw new DelayedError();
        }
      },
      {
        connection: this.connect(), prefix: this.options.prefix, concurrency: this.concurrency ?? options.concurrency ?? 10,
        lockDuration: this.lockMs, maxStalledCount: 1,
        // A job whose lock expired is found at the next stall check: no later than one lock duration after.
        stalledInterval: Math.min(30_000, this.lockMs),
      },
    );
    this.worker.on('failed', (job, err) => this.log.error({ jobId: job?.id, err: err.message }, 'job failed'));
    this.worker.on('stalled', (jobId) => this.log.warn({ jobId }, 'job stalled, retrying it'));
    this.worker.on('error', (err) => this.log.warn({ err: err.message }, 'queue worker error'));
  }

  setConcurrency(concurrency: number): void {
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error(`concurrency must be a whole number from 1, got ${concurrency}`);
    this.concurrency = concurrency;
    // BullMQ's worker reads it before fetching each further job: running jobs finish, no more than this start.
    if (this.worker) this.worker.concurrency = concurrency;
  }

  async close(): Promise<void> {
    await this.worker?.close();
    await this.queue.close();
    await Promise.all(this.connections.map((c) => c.quit().catch(() => c.disconnect())));
  }

  private connect(): IORedis {
    // maxRetriesPerRequest null: BullMQ workers block on Redis and must wait out a restart instead of failing.
    const connection = new IORedis(this.options.redisUrl, { maxRetriesPerRequest: null, lazyConnect: false });
    connection.on('error', (err) => this.log.debug({ err: err.message }, 'redis connection error'));
    this.connections.push(connection);
    return connection;
  }
}
