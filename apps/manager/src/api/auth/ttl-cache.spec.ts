import { FakeClock } from '@keelson/kube';
import { TtlCache } from './ttl-cache';

function counter(): { calls: number; load: () => Promise<number> } {
  const c = { calls: 0, load: async () => ++c.calls };
  return c;
}

describe('TtlCache', () => {
  it('answers from memory until the lifetime has passed, then loads again', async () => {
    const clock = new FakeClock();
    const cache = new TtlCache<number>({ ttlMs: 10_000, maxEntries: 10, clock });
    const c = counter();
    expect(await cache.getOrLoad('k', c.load)).toBe(1);
    clock.advance(9_999);
    expect(await cache.getOrLoad('k', c.load)).toBe(1);
    clock.advance(1);
    expect(await cache.getOrLoad('k', c.load)).toBe(2);
    expect(c.calls).toBe(2);
  });

  it('shares one load among concurrent callers of the same key', async () => {
    const cache = new TtlCache<number>({ ttlMs: 10_000, maxEntries: 10, clock: new FakeClock() });
    const c = counter();
    const answers = await Promise.all(Array.from({ length: 20 }, () => cache.getOrLoad('k', c.load)));
    expect(answers).toEqual(Array(20).fill(1));
    expect(c.calls).toBe(1);
  });

  it('forgets a failed load, so the next caller asks again', async () => {
    const cache = new TtlCache<number>({ ttlMs: 10_000, maxEntries: 10, clock: new FakeClock() });
    await expect(cache.getOrLoad('k', async () => Promise.reject(new Error('apiserver down')))).rejects.toThrow('apiserver down');
    expect(cache.size).toBe(0);
    expect(await cache.getOrLoad('k', async () => 7)).toBe(7);
  });

  it('forgets a load that throws before returning a promise', async () => {
    const cache = new TtlCache<number>({ ttlMs: 10_000, maxEntries: 10, clock: new FakeClock() });
    await expect(cache.getOrLoad('k', () => {
      throw new Error('sync failure');
    })).rejects.toThrow('sync failure');
    expect(cache.size).toBe(0);
  });

  it('keeps at most maxEntries and drops the least recently used first', async () => {
    const cache = new TtlCache<string>({ ttlMs: 10_000, maxEntries: 2, clock: new FakeClock() });
    await cache.getOrLoad('a', async () => 'a1');
    await cache.getOrLoad('b', async () => 'b1');
    await cache.getOrLoad('a', async () => 'a2'); // a is now the most recently used
    await cache.getOrLoad('c', async () => 'c1'); // evicts b
    expect(cache.size).toBe(2);
    expect(await cache.getOrLoad('a', async () => 'a3')).toBe('a1');
    expect(await cache.getOrLoad('b', async () => 'b2')).toBe('b2');
  });
});
