import { realClock, type Clock, type TimerHandle } from './clock';
import { KeyFifo } from './key-fifo';
import { createControllerRateLimiter, type RateLimiter } from './rate-limiter';
import { noopWorkqueueMetrics, type WorkqueueMetrics } from './workqueue-metrics';

/** What get() resolves with: a key to process (call done() after), or the signal that the queue is shut down. */
export type WorkqueueItem<K extends string = string> =
  | { readonly shutdown: false; readonly key: K }
  | { readonly shutdown: true; readonly key?: undefined };

export interface WorkqueueOptions<K extends string = string> {
  /** Names the queue in metrics (the `name` label); usually the controller's name. */
  name: string;
  clock?: Clock;
  /** Default: client-go's controller rate limiter (5 ms..1000 s per key, 10 qps / burst 100 overall). */
  rateLimiter?: RateLimiter<K>;
  metrics?: WorkqueueMetrics;
  /** How often the unfinished-work gauges are refreshed while metrics are bound. client-go: 500 ms. 0 disables. */
  unfinishedWorkUpdatePeriodMs?: number;
}

/** controller-runtime's default graceful shutdown timeout. */
export const DEFAULT_DRAIN_TIMEOUT_MS = 30_000;

interface WaitingKey {
  readyAt: number;
  timer: TimerHandle;
}

const SHUT_DOWN: WorkqueueItem<never> = Object.freeze({ shutdown: true });

/**
 * client-go's rate-limiting, delaying workqueue in one class. It holds keys only; a reconciler re-reads the object.
 *
 * - A key is queued at most once: adding a key already waiting for a worker is a no-op.
 * - A key is never handed to two workers: adding a key while it is processed marks it dirty, and it is queued
 *   again, once, when done() is called for it.
 * - addAfter and addRateLimited hold the key in a delayed set; a second addAfter keeps the earlier time. As in
 *   client-go, an immediate add() does not cancel a delayed entry: a level-based reconcile run twice is harmless.
 * - After shutDown() new keys are ignored and delayed keys dropped; keys already queued are still handed out, so
 *   a caller that wants to stop taking keys stops calling get().
 */
export class Workqueue<K extends string = string> {
  readonly name: string;
  private readonly clock: Clock;
  private readonly rateLimiter: RateLimiter<K>;
  private readonly metrics: WorkqueueMetrics;

  private readonly queue = new KeyFifo<K>();
  /** Keys that need processing: queued, or re-added while processing. */
  private readonly dirty = new Set<K>();
  /** Keys handed out by get() and not yet done(), with the time they were handed out. */
  private readonly processing = new Map<K, number>();
  private readonly addedAt = new Map<K, number>();
  private readonly waiting = new Map<K, WaitingKey>();
  private readonly getters: Array<(item: WorkqueueItem<K>) => void> = [];
  private readonly drainers = new Set<() => void>();
  private shuttingDown = false;
  private ticker: TimerHandle | undefined;

  constructor(options: WorkqueueOptions<K>) {
    this.name = options.name;
    this.clock = options.clock ?? realClock;
    this.rateLimiter = options.rateLimiter ?? createControllerRateLimiter<K>(this.clock);
    this.metrics = options.metrics ?? noopWorkqueueMetrics;
    const period = options.unfinishedWorkUpdatePeriodMs ?? 500;
    // Without bound metrics the ticker would only burn timers.
    if (options.metrics && period > 0) this.startTicker(period);
  }

  add(key: K): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.metrics.add(this.name);
    this.dirty.add(key);
    if (!this.addedAt.has(key)) this.addedAt.set(key, this.clock.now());
    this.metrics.depth(this.name, this.dirty.size);
    if (this.processing.has(key)) return; // queued again by done()
    this.queue.push(key);
    this.dispatch();
  }

  /** Adds the key once ms have passed; ms <= 0 adds it now. */
  addAfter(key: K, ms: number): void {
    if (this.shuttingDown) return;
    this.metrics.retry(this.name);
    if (!(ms > 0)) {
      this.add(key);
      return;
    }
    const readyAt = this.clock.now() + ms;
    const existing = this.waiting.get(key);
    if (existing) {
      if (existing.readyAt <= readyAt) return;
      this.clock.clearTimeout(existing.timer);
    }
    const timer = this.clock.setTimeout(() => {
      this.waiting.delete(key);
      this.add(key);
    }, ms);
    this.waiting.set(key, { readyAt, timer });
  }

  /** Adds the key after the rate limiter's delay, which grows with each call until forget(). */
  addRateLimited(key: K): void {
    if (this.shuttingDown) return;
    this.addAfter(key, this.rateLimiter.when(key));
  }

  /** Clears the key's backoff; call it when the key was processed successfully. */
  forget(key: K): void {
    this.rateLimiter.forget(key);
  }

  numRequeues(key: K): number {
    return this.rateLimiter.numRequeues(key);
  }

  /** Resolves with the next ready key, waiting for one if needed, or with shutdown once the queue is shut down. */
  get(): Promise<WorkqueueItem<K>> {
    if (this.queue.length > 0) return Promise.resolve(this.take());
    if (this.shuttingDown) return Promise.resolve(SHUT_DOWN);
    return new Promise((resolve) => this.getters.push(resolve));
  }

  /** Marks the key's processing finished; if it was re-added meanwhile, it is queued again now. */
  done(key: K): void {
    const startedAt = this.processing.get(key);
    if (startedAt === undefined) return; // not handed out: nothing to finish, and re-queueing would duplicate it
    this.processing.delete(key);
    this.metrics.workDuration(this.name, (this.clock.now() - startedAt) / 1000);
    if (this.dirty.has(key)) {
      this.queue.push(key);
      this.dispatch();
    }
    if (this.processing.size === 0) this.releaseDrainers();
  }

  /** Keys ready for a worker (not counting keys re-added while processing). */
  len(): number {
    return this.queue.length;
  }

  isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  /** Stops accepting keys, drops delayed ones and releases every waiting get() with the shutdown signal. */
  shutDown(): void {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    for (const { timer } of this.waiting.values()) this.clock.clearTimeout(timer);
    this.waiting.clear();
    if (this.ticker !== undefined) this.clock.clearTimeout(this.ticker);
    this.ticker = undefined;
    for (const resolve of this.getters.splice(0)) resolve(SHUT_DOWN);
  }

  /**
   * shutDown(), then waits until every key handed out has been marked done. Resolves true when drained, false
   * when timeoutMs passed first (the keys still processing are left to their workers).
   */
  shutDownWithDrain(timeoutMs = DEFAULT_DRAIN_TIMEOUT_MS): Promise<boolean> {
    this.shutDown();
    if (this.processing.size === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const drained = (): void => {
        this.clock.clearTimeout(timer);
        resolve(true);
      };
      const timer = this.clock.setTimeout(() => {
        this.drainers.delete(drained);
        resolve(false);
      }, timeoutMs);
      this.drainers.add(drained);
    });
  }

  /** Refreshes workqueue_unfinished_work_seconds and workqueue_longest_running_processor_seconds. */
  updateUnfinishedWorkMetrics(): void {
    const now = this.clock.now();
    let total = 0;
    let longest = 0;
    for (const startedAt of this.processing.values()) {
      const age = now - startedAt;
      total += age;
      longest = Math.max(longest, age);
    }
    this.metrics.unfinishedWork(this.name, total / 1000);
    this.metrics.longestRunningProcessor(this.name, longest / 1000);
  }

  /** Hands queued keys to waiting get() calls, oldest caller first. */
  private dispatch(): void {
    while (this.getters.length > 0 && this.queue.length > 0) {
      const resolve = this.getters.shift()!;
      resolve(this.take());
    }
  }

  /** Moves the head key from queued to processing; synchronous, so no other get() can take the same key. */
  private take(): WorkqueueItem<K> {
    const key = this.queue.shift()!;
    const now = this.clock.now();
    this.dirty.delete(key);
    this.processing.set(key, now);
    this.metrics.depth(this.name, this.dirty.size);
    this.metrics.queueDuration(this.name, (now - (this.addedAt.get(key) ?? now)) / 1000);
    this.addedAt.delete(key);
    return { shutdown: false, key };
  }

  private releaseDrainers(): void {
    for (const release of [...this.drainers]) release();
    this.drainers.clear();
  }

  private startTicker(periodMs: number): void {
    const tick = (): void => {
      this.updateUnfinishedWorkMetrics();
      this.ticker = this.clock.setTimeout(tick, periodMs, { unref: true });
    };
    this.ticker = this.clock.setTimeout(tick, periodMs, { unref: true });
  }
}
