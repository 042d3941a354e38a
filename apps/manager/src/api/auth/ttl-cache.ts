import type { Clock } from '@keelson/kube';

export interface TtlCacheOptions {
  ttlMs: number;
  maxEntries: number;
  clock: Clock;
}

interface Entry<V> {
  expiresAt: number;
  value: Promise<V>;
}

/**
 * A small bounded cache of answers that are allowed to be a few seconds old. Concurrent callers of a missing
 * key share one load, so a burst of requests asks the apiserver once; a failed load is forgotten at once, so an
 * outage is never remembered as an answer. When full, the least recently used entry goes.
 */
export class TtlCache<V> {
  private readonly entries = new Map<string, Entry<V>>();

  constructor(private readonly opts: TtlCacheOptions) {
    if (!(opts.maxEntries >= 1)) throw new RangeError(`TtlCache needs maxEntries >= 1, got ${opts.maxEntries}`);
  }

  get size(): number {
    return this.entries.size;
  }

  getOrLoad(key: string, load: () => Promise<V>): Promise<V> {
    const now = this.opts.clock.now();
    const hit = this.entries.get(key);
    this.entries.delete(key);
    if (hit && hit.expiresAt > now) {
      this.entries.set(key, hit); // most recently used goes last
      return hit.value;
    }
    const entry: Entry<V> = { expiresAt: now + this.opts.ttlMs, value: (async () => load())() };
    this.entries.set(key, entry);
    if (this.entries.size > this.opts.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    entry.value.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    return entry.value;
  }
}
