import type { Clock } from './clock';
import type { RateLimiter } from './rate-limiter';

export interface BucketRateLimiterOptions {
  /** Tokens added per second. */
  qps?: number;
  /** Bucket size: how many retries may happen at once. */
  burst?: number;
}

/**
 * An overall token bucket, shared by all keys (client-go BucketRateLimiter over golang.org/x/time/rate).
 * Each when() reserves one token; when the bucket is empty the reservation is honoured later and the delay says
 * when. It keeps no per-key state, so forget() is a no-op and numRequeues() is always 0.
 */
export class BucketRateLimiter<K extends string = string> implements RateLimiter<K> {
  private readonly qps: number;
  private readonly burst: number;
  private tokens: number;
  private updatedAt: number;

  constructor(private readonly clock: Clock, options: BucketRateLimiterOptions = {}) {
    this.qps = options.qps ?? 10;
    this.burst = options.burst ?? 100;
    if (!(this.qps > 0) || !(this.burst >= 1)) {
      throw new RangeError(`invalid token bucket: ${this.qps} qps, burst ${this.burst}`);
    }
    this.tokens = this.burst;
    this.updatedAt = clock.now();
  }

  when(_key: K): number {
    const now = this.clock.now();
    const refilled = ((now - this.updatedAt) / 1000) * this.qps;
    this.tokens = Math.min(this.burst, this.tokens + Math.max(0, refilled));
    this.updatedAt = now;
    // Tokens may go negative: that debt is what later callers wait out, as rate.Limiter.Reserve does.
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens / this.qps) * 1000);
  }

  forget(_key: K): void {}

  numRequeues(_key: K): number {
    return 0;
  }
}
