// DeliveryLog on Redis: `<prefix>:deliveries:<ns>/<pipeline>` is a capped list (LPUSH + LTRIM), and
// `<prefix>:delivery:<ns>/<pipeline>:<id>` the outcome of one id with a TTL. One MULTI, so a record is all or nothing.
import IORedis from 'ioredis';
import { DELIVERIES_PER_PIPELINE, DELIVERY_ID_TTL_SECONDS, type DeliveryLog, type DeliveryRecord } from './delivery-log.port';

export interface RedisDeliveryLogOptions {
  redisUrl: string;
  prefix: string;
}

export class RedisDeliveryLog implements DeliveryLog {
  private readonly redis: IORedis;

  constructor(private readonly options: RedisDeliveryLogOptions) {
    // Fail fast when Redis is away: the caller answers 503 and the provider retries, rather than hang past its deadline.
    this.redis = new IORedis(options.redisUrl, { maxRetriesPerRequest: 1, commandTimeout: 2000 });
    this.redis.on('error', () => undefined); // surfaced by the commands that fail
  }

  private listKey(namespace: string, pipeline: string): string {
    return `${this.options.prefix}:deliveries:${namespace}/${pipeline}`;
  }

  private idKey(namespace: string, pipeline: string, id: string): string {
    return `${this.options.prefix}:delivery:${namespace}/${pipeline}:${id}`;
  }

  async record(namespace: string, pipeline: string, entry: DeliveryRecord): Promise<void> {
    const json = JSON.stringify(entry);
    const multi = this.redis.multi()
      .lpush(this.listKey(namespace, pipeline), json)
      .ltrim(this.listKey(namespace, pipeline), 0, DELIVERIES_PER_PIPELINE - 1);
    if (entry.id !== undefined) multi.set(this.idKey(namespace, pipeline, entry.id), json, 'EX', DELIVERY_ID_TTL_SECONDS);
    const results = await multi.exec();
    const failed = results?.find(([err]) => err);
    if (!results || failed) throw failed?.[0] ?? new Error('redis transaction was discarded');
  }

  async outcomeOf(namespace: string, pipeline: string, id: string): Promise<DeliveryRecord | undefined> {
    const json = await this.redis.get(this.idKey(namespace, pipeline, id));
    return json === null ? undefined : (JSON.parse(json) as DeliveryRecord);
  }

  async list(namespace: string, pipeline: string, limit = DELIVERIES_PER_PIPELINE): Promise<DeliveryRecord[]> {
    const items = await this.redis.lrange(this.listKey(namespace, pipeline), 0, Math.max(0, Math.min(limit, DELIVERIES_PER_PIPELINE) - 1));
    return items.map((json) => JSON.parse(json) as DeliveryRecord);
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
