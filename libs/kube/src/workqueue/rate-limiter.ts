import { BucketRateLimiter } from './bucket-rate-limiter';
import type { Clock } from './clock';

/**
 * Decides how long a key waits before it is retried, as client-go's workqueue.TypedRateLimiter.
 * when() records a failure and returns the delay in milliseconds; forget() clears the key's history.
 */
export interface RateLimiter<K extends string = string> {
  when(key: K): number;
  forget(key: K): void;
  /** Failures recorded for the key since it was last forgotten. */
  numRequeues(key: K): number;
}

export interface ExponentialFailureOptions {
  /** Delay after the first failure. client-go default: 5 ms. */
  baseDelayMs?: number;
  /** Upper bound on any delay. client-go default: 1000 s. */
  maxDelayMs?: number;
}

export const DEFAULT_BASE_DELAY_MS = 5;
export const DEFAULT_MAX_DELAY_MS = 1_000_000;

/** Per-key exponential backoff: base * 2^failures, capped (client-go ItemExponentialFailureRateLimiter). */
export class ExponentialFailureRateLimiter<K extends string = string> implements RateLimiter<K> {
  private readonly failures = new Map<K, number>();
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;

  constructor(options: ExponentialFailureOptions = {}) {
    this.baseDelayMs = options.baseDelayMs ?? DEFAULT_BASE_DELAY_MS;
    this.maxDelayMs = options.maxDelayMs ?? DEFAULT_MAX_DELAY_MS;
    if (!(this.baseDelayMs >= 0) || !(this.maxDelayMs >= this.baseDelayMs)) {
      throw new RangeError(`invalid backoff: base ${this.baseDelayMs} ms, max ${this.maxDelayMs} ms`);
    }
  }

  when(key: K): number {
    const exponent = this.failures.get(key) ?? 0;
    this.failures.set(key, exponent + 1);
    // 2 ** exponent becomes Infinity long before the counter overflows, and Math.min turns that into the cap.
    return Math.min(this.baseDelayMs * 2 ** exponent, this.maxDelayMs);
  }

  forget(key: K): void {
    this.failures.delete(key);
  }

  numRequeues(key: K): number {
    return this.failures.get(key) ?? 0;
  }
}

/** The longest delay of several limiters, so per-key backoff and an overall rate both hold (client-go MaxOf). */
export class MaxOfRateLimiter<K extends string = string> implements RateLimiter<K> {
  private readonly limiters: readonly RateLimiter<K>[];

  constructor(...limiters: RateLimiter<K>[]) {
    if (limiters.length === 0) throw new RangeError('MaxOfRateLimiter needs at least one limiter');
    this.limiters = limiters;
  }

  when(key: K): number {
    // Every limiter is asked, so each records the failure (and the bucket spends its token).
    return Math.max(...this.limiters.map((limiter) => limiter.when(key)));
  }

  forget(key: K): void {
    for (const limiter of this.limiters) limiter.forget(key);
  }

  numRequeues(key: K): number {
    return Math.max(...this.limiters.map((limiter) => limiter.numRequeues(key)));
  }
}

export interface ControllerRateLimiterOptions extends ExponentialFailureOptions {
  /** Overall retries per second across all keys. client-go default: 10. */
  qps?: number;
  /** Retries allowed at once before qps applies. client-go default: 100. */
  burst?: number;
}

/**
 * client-go's DefaultTypedControllerRateLimiter, which controller-runtime uses: per-key exponential backoff
 * (5 ms to 1000 s) combined with an overall token bucket (10 qps, burst 100).
 */
export function createControllerRateLimiter<K extends string = string>(
  clock: Clock,
  options: ControllerRateLimiterOptions = {},
): RateLimiter<K> {
  return new MaxOfRateLimiter<K>(
    new ExponentialFailureRateLimiter<K>(options),
    new BucketRateLimiter<K>(clock, { qps: options.qps, burst: options.burst }),
  );
}
