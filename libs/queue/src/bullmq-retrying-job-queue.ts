import { Job, Queue, Worker } from 'bullmq';
import IORedis from 'ioredis';
import { Logger, silentLogger } from '@keelson/observability';
import { DEFAULT_RETRY_POLICY, type RetriedJobProcessor, type RetryingJobQueue, type RetryPolicy } from './retrying-job-queue.port';

export interface BullmqRetryingJobQueueOptions {
  /** Queue name; with the prefix, the Redis keys are `<prefix>:<name>:*`. */
  name: string;
  redisUrl: string;
  prefix: string;
  retry?: Partial<RetryPolicy>;
  logger?: Logger;
  lockDurationMs?: number;
}

/**
 * The BullMQ driver. BullMQ ignores an add whose jobId it still holds, in any state, so finished jobs are kept
 * (by age) rather than removed: that is what makes a second add of the same id a no-op. Retries are BullMQ's
 * own attempts with its exponential backoff.
 */
export class BullmqRetryingJobQueue<T> implements RetryingJobQueue<T> {
  private readonly queue: Queue;
  private readonly connections: IORedis[] = [];
  private readonly policy: RetryPolicy;
  private worker?: Worker;
  private concurrency?: number;
  private readonly log: Logger;
  private get lockMs(): number {
    return this.options.lockDurationMs ?? 60_000;
  }

  constructor(private readonly options: BullmqRetryingJobQueueOptions) {
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.log = (options.logger ?? silentLogger).child({ queue: options.name });
    this.queue = new Queue(options.name, { connection: this.connect(), prefix: options.prefix });
  }

  async add(id: string, data: T): Promise<boolean> {
    if (await this.queue.getJob(id)) return false;
    const keepSeconds = Math.ceil(this.policy.keepFinishedMs / 1000);
    await this.queue.add('deliver', data, {
      jobId: id, attempts: this.policy.attempts, backoff: { type: 'exponential', delay: this.policy.backoffMs },
      removeOnComplete: { age: keepSeconds }, removeOnFail: { age: keepSeconds },
    });
    return true;
  }

  startWorker(processor: RetriedJobProcessor<T>, options: { concurrency?: number } = {}): void {
    if (this.worker) throw new Error(`queue ${this.options.name} already has a worker in this process`);
    this.worker = new Worker(
      this.options.name,
      async (job: Job) => processor({ id: job.id!, data: job.data as T, attempt: job.attemptsMade + 1, maxAttempts: job.opts.attempts ?? 1 }),
      {
        connection: this.connect(), prefix: this.options.prefix, concurrency: this.concurrency ?? options.concurrency ?? 10,
        lockDuration: this.lockMs, maxStalledCount: 1,
        // A job whose lock expired is found at the next stall check: no later than one lock duration after.
        stalledInterval: Math.min(30_000, this.lockMs),
      },
    );
    this.worker.on('failed', (job, err) => this.log.warn({ jobId: job?.id, attempt: job?.attemptsMade, err: err.message }, 'delivery attempt failed'));
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
    const connection = new IORedis(this.options.redisUrl, { maxRetriesPerRequest: null });
    connection.on('error', (err) => this.log.debug({ err: err.message }, 'redis connection error'));
    this.connections.push(connection);
    return connection;
  }
}
