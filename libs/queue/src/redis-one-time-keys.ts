// OneTimeKeys on Redis: `<prefix>:once:<key>` set with NX and an expiry, so the claim is one atomic command.
import IORedis from 'ioredis';
import type { OneTimeKeys } from './one-time-keys.port';

export interface RedisOneTimeKeysOptions {
  redisUrl: string;
  prefix: string;
}

export class RedisOneTimeKeys implements OneTimeKeys {
  private readonly redis: IORedis;

  constructor(private readonly options: RedisOneTimeKeysOptions) {
    // Fail fast when Redis is away: the caller refuses rather than hangs (a claim that cannot be made is not won).
    this.redis = new IORedis(options.redisUrl, { maxRetriesPerRequest: 1, commandTimeout: 2000, lazyConnect: true });
    this.redis.on('error', () => undefined); // surfaced by the commands that fail
  }

  async claim(key: string, ttlSeconds: number): Promise<boolean> {
    const answer = await this.redis.set(`${this.options.prefix}:once:${key}`, '1', 'EX', Math.max(1, Math.ceil(ttlSeconds)), 'NX');
    return answer === 'OK';
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

/** For tests and a single process: remembered in memory. */
export class InMemoryOneTimeKeys implements OneTimeKeys {
  private readonly claimed = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  async claim(key: string, ttlSeconds: number): Promise<boolean> {
    const until = this.claimed.get(key);
    if (until !== undefined && until > this.now()) return false;
    this.claimed.set(key, this.now() + ttlSeconds * 1000);
    return true;
  }

  async close(): Promise<void> {
    this.claimed.clear();
  }
}
