import { randomUUID } from 'node:crypto';
import { realClock, type Clock } from './clock';
import { noopReconcileMetrics, type ReconcileMetrics, type ReconcileOutcomeLabel } from './reconcile-metrics';
import { ReconcileResult } from './reconcile-result';
import { DEFAULT_DRAIN_TIMEOUT_MS, type Workqueue } from './workqueue';

export interface ReconcileContext<K extends string = string> {
  readonly controller: string;
  readonly key: K;
  /** Random id for this one reconcile; put it on every log line it writes. */
  readonly reconcileId: string;
  /** Aborted when stop() gives up waiting for in-flight reconciles: wrap up quickly. */
  readonly signal: AbortSignal;
  /** Rate-limited retries recorded for the key before this run (0 on a fresh attempt). */
  readonly retries: number;
}

export type ReconcileFn<K extends string = string> = (key: K, ctx: ReconcileContext<K>) => Promise<ReconcileResult>;

/** A failed reconcile, handed to the error callbacks with what a log line or a status condition needs. */
export interface ReconcileFailure<K extends string = string> {
  readonly controller: string;
  readonly key: K;
  readonly reconcileId: string;
  readonly error: unknown;
}

export interface ReconcileRunnerOptions<K extends string = string> {
  /** The controller's name: the `controller` metrics label and ReconcileContext.controller. */
  name: string;
  queue: Workqueue<K>;
  reconcile: ReconcileFn<K>;
  /** Concurrent reconciles (controller-runtime MaxConcurrentReconciles); never two on one key. Default 1. */
  workers?: number;
  clock?: Clock;
  metrics?: ReconcileMetrics;
  /**
   * Called, with the key still held, for a terminal error so the caller can write it to status. If it throws or
   * rejects, the status was not written, so the key is retried with backoff like a retryable error.
   */
  onTerminalError?: (failure: ReconcileFailure<K>) => void | Promise<void>;
  /** Called for each retryable error (returned or thrown), e.g. to log it. */
  onRetryableError?: (failure: ReconcileFailure<K>) => void;
  /** How long stop() waits for in-flight reconciles by default. */
  stopTimeoutMs?: number;
  /** Test seam for deterministic ids. */
  newReconcileId?: () => string;
}

/**
 * controller-runtime's controller loop: N workers take keys from the workqueue, run the reconcile function and
 * turn its result into done / forget / addAfter / addRateLimited. The workqueue guarantees one worker per key.
 */
export class ReconcileRunner<K extends string = string> {
  readonly name: string;
  private readonly queue: Workqueue<K>;
  private readonly reconcileFn: ReconcileFn<K>;
  private readonly workerCount: number;
  private readonly clock: Clock;
  private readonly metrics: ReconcileMetrics;
  private readonly options: ReconcileRunnerOptions<K>;
  private readonly newReconcileId: () => string;
  private readonly abort = new AbortController();
  private workers: Promise<void>[] = [];
  private active = 0;
  private started = false;
  private stopping = false;
  private stopped: Promise<boolean> | undefined;

  constructor(options: ReconcileRunnerOptions<K>) {
    const workers = options.workers ?? 1;
    if (!Number.isInteger(workers) || workers < 1) throw new RangeError(`workers must be >= 1, got ${workers}`);
    this.name = options.name;
    this.queue = options.queue;
    this.reconcileFn = options.reconcile;
    this.workerCount = workers;
    this.clock = options.clock ?? realClock;
    this.metrics = options.metrics ?? noopReconcileMetrics;
    this.newReconcileId = options.newReconcileId ?? randomUUID;
    this.options = options;
  }

  /** Workers currently inside a reconcile. */
  get activeWorkers(): number {
    return this.active;
  }

  start(): void {
    if (this.started || this.stopping) throw new Error(`reconcile runner ${this.name} cannot start twice`);
    this.started = true;
    this.metrics.maxConcurrentReconciles(this.name, this.workerCount);
    this.metrics.activeWorkers(this.name, 0);
    this.workers = Array.from({ length: this.workerCount }, () => this.runWorker());
  }

  /**
   * Stops taking keys (the queue is shut down) and waits for in-flight reconciles, at most timeoutMs. Resolves
   * true when all finished; false on timeout, after aborting ReconcileContext.signal. Safe to call repeatedly.
   */
  stop(timeoutMs = this.options.stopTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS): Promise<boolean> {
    this.stopped ??= this.drain(timeoutMs);
    return this.stopped;
  }

  private async drain(timeoutMs: number): Promise<boolean> {
    this.stopping = true;
    const drained = await this.queue.shutDownWithDrain(timeoutMs);
    if (!drained) {
      this.abort.abort(new Error(`reconcile runner ${this.name} stopped before its reconciles finished`));
      return false;
    }
    await Promise.all(this.workers);
    return true;
  }

  private async runWorker(): Promise<void> {
    // The stopping check is what "stop taking keys" means: a shut-down queue still hands out queued keys.
    while (!this.stopping) {
      const item = await this.queue.get();
      if (item.shutdown) return;
      try {
        await this.processKey(item.key);
      } catch {
        // Only a throwing hook gets here, after done(); losing a worker to it would silently halve throughput.
      }
    }
  }

  private async processKey(key: K): Promise<void> {
    const ctx: ReconcileContext<K> = {
      controller: this.name,
      key,
      reconcileId: this.newReconcileId(),
      signal: this.abort.signal,
      retries: this.queue.numRequeues(key),
    };
    this.setActive(+1);
    const startedAt = this.clock.now();
    try {
      let result: ReconcileResult;
      try {
        result = await this.reconcileFn(key, ctx);
      } catch (error) {
        result = ReconcileResult.retryableError(error);
      } finally {
        this.metrics.reconcileTime(this.name, (this.clock.now() - startedAt) / 1000);
      }
      // Applied before done(), so an immediate re-add finds the key processing and queues it once, afterwards.
      await this.apply(key, result, ctx);
    } finally {
      this.setActive(-1);
      this.queue.done(key);
    }
  }

  private async apply(key: K, result: ReconcileResult, ctx: ReconcileContext<K>): Promise<void> {
    switch (result?.kind) {
      case 'done':
        this.queue.forget(key);
        return this.count('success');
      case 'requeue':
        this.queue.addRateLimited(key);
        return this.count('requeue');
      case 'requeueAfter':
        // Polling is not failing: the backoff restarts from the base the next time the key does fail.
        this.queue.forget(key);
        this.queue.addAfter(key, result.afterMs);
        return this.count('requeue_after');
      case 'terminalError':
        return this.applyTerminalError(key, result.error, ctx);
      case 'retryableError':
        return this.applyRetryableError(key, result.error, ctx);
      default: {
        // Only reachable from untyped callers; a retry with backoff is safer than dropping the key.
        const error = new TypeError(`reconcile returned ${String(result)}, not a ReconcileResult`);
        return this.applyRetryableError(key, error, ctx);
      }
    }
  }

  private async applyTerminalError(key: K, error: unknown, ctx: ReconcileContext<K>): Promise<void> {
    try {
      await this.options.onTerminalError?.(this.failure(ctx, error));
    } catch (reportError) {
      // The caller could not record the failure; retry so the next run can try again.
      return this.applyRetryableError(key, reportError, ctx);
    }
    this.queue.forget(key);
    this.metrics.terminalReconcileError(this.name);
    this.metrics.reconcileError(this.name);
    this.count('error');
  }

  private applyRetryableError(key: K, error: unknown, ctx: ReconcileContext<K>): void {
    this.queue.addRateLimited(key);
    this.metrics.reconcileError(this.name);
    this.count('error');
    try {
      this.options.onRetryableError?.(this.failure(ctx, error));
    } catch {
      // A failing log hook must not stop the worker; the retry is already queued.
    }
  }

  private failure(ctx: ReconcileContext<K>, error: unknown): ReconcileFailure<K> {
    return { controller: ctx.controller, key: ctx.key, reconcileId: ctx.reconcileId, error };
  }

  private count(result: ReconcileOutcomeLabel): void {
    this.metrics.reconcileTotal(this.name, result);
  }

  private setActive(delta: number): void {
    this.active += delta;
    this.metrics.activeWorkers(this.name, this.active);
  }
}
