import { BucketRateLimiter } from './bucket-rate-limiter';
import { FakeClock } from './fake-clock';
import { createControllerRateLimiter, ExponentialFailureRateLimiter, MaxOfRateLimiter } from './rate-limiter';

describe('ExponentialFailureRateLimiter', () => {
  it('doubles the delay per failure from a 5 ms base, as client-go', () => {
    const limiter = new ExponentialFailureRateLimiter();
    expect([1, 2, 3, 4, 5].map(() => limiter.when('ns/a'))).toEqual([5, 10, 20, 40, 80]);
    expect(limiter.numRequeues('ns/a')).toBe(5);
  });

  it('caps the delay at 1000 s by default, and stays capped however many failures follow', () => {
    const limiter = new ExponentialFailureRateLimiter();
    const delays = Array.from({ length: 2_000 }, () => limiter.when('ns/a'));
    expect(delays[17]).toBe(655_360);
    expect(delays[18]).toBe(1_000_000);
    expect(delays[1_999]).toBe(1_000_000);
  });

  it('honours a configured base and cap', () => {
    const limiter = new ExponentialFailureRateLimiter({ baseDelayMs: 100, maxDelayMs: 350 });
    expect([1, 2, 3, 4].map(() => limiter.when('k'))).toEqual([100, 200, 350, 350]);
  });

  it('keeps backoff per key', () => {
    const limiter = new ExponentialFailureRateLimiter();
    limiter.when('ns/a');
    limiter.when('ns/a');
    expect(limiter.when('ns/b')).toBe(5);
    expect(limiter.numRequeues('ns/a')).toBe(2);
  });

  it('starts again from the base after forget', () => {
    const limiter = new ExponentialFailureRateLimiter();
    limiter.when('ns/a');
    limiter.when('ns/a');
    limiter.forget('ns/a');
    expect(limiter.numRequeues('ns/a')).toBe(0);
    expect(limiter.when('ns/a')).toBe(5);
  });

  it('rejects a cap below the base', () => {
    expect(() => new ExponentialFailureRateLimiter({ baseDelayMs: 10, maxDelayMs: 5 })).toThrow(RangeError);
  });
});

describe('BucketRateLimiter', () => {
  it('lets a burst through at once, then spaces retries by 1/qps', () => {
    const limiter = new BucketRateLimiter(new FakeClock(0), { qps: 10, burst: 3 });
    expect([1, 2, 3, 4, 5].map(() => limiter.when('k'))).toEqual([0, 0, 0, 100, 200]);
  });

  it('refills over time, up to the burst', () => {
    const clock = new FakeClock(0);
    const limiter = new BucketRateLimiter(clock, { qps: 10, burst: 2 });
    limiter.when('a');
    limiter.when('b');
    clock.advance(100);
    expect(limiter.when('c')).toBe(0);
    expect(limiter.when('d')).toBe(100);
    clock.advance(60_000);
    expect([limiter.when('e'), limiter.when('f'), limiter.when('g')]).toEqual([0, 0, 100]);
  });

  it('keeps no per-key history', () => {
    const limiter = new BucketRateLimiter(new FakeClock(0));
    limiter.when('k');
    expect(limiter.numRequeues('k')).toBe(0);
  });
});

describe('MaxOfRateLimiter', () => {
  it('waits for the longest of its limiters and forgets in all of them', () => {
    const clock = new FakeClock(0);
    const limiter = new MaxOfRateLimiter(
      new ExponentialFailureRateLimiter({ baseDelayMs: 5 }),
      new BucketRateLimiter(clock, { qps: 1, burst: 1 }),
    );
    expect(limiter.when('k')).toBe(5);
    expect(limiter.when('k')).toBe(1_000);
    expect(limiter.numRequeues('k')).toBe(2);
    limiter.forget('k');
    expect(limiter.numRequeues('k')).toBe(0);
  });
});

describe('createControllerRateLimiter', () => {
  it('backs off per key and, past a burst of 100, holds all keys to 10 qps', () => {
    const limiter = createControllerRateLimiter(new FakeClock(0));
    const firstDelays = Array.from({ length: 100 }, (_, i) => limiter.when(`ns/k${i}`));
    expect(new Set(firstDelays)).toEqual(new Set([5]));
    expect(limiter.when('ns/k100')).toBe(100);
  });
});
