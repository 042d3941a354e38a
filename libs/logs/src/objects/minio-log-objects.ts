// LogObjects over the minio client: one ListObjectsV2 request with MinIO's `metadata=true` per 1000 keys (so the
// execution uid comes with the listing, not one HEAD per object), DeleteObjects per 1000 keys with each key's result
// checked (removeObjects does not throw per key: minio/minio-js#1110), and a deadline on every request (the client
// sets none: minio/minio-js#1181).
import type { Client } from 'minio';

import { LogError } from '../logs.errors';
import { EXECUTION_UID_METADATA, LOGS_BUCKET } from '../store/log-keys';
import { minioClient, type LogStoreEndpoint } from '../store/minio-client';
import { logErrorOf } from '../store/minio-errors';
import type { LogObject, LogObjects } from './log-objects.port';

export interface MinioLogObjectsOptions {
  /** An idle request fails after this long (default 10 s). */
  timeoutMs?: number;
  bucket?: string;
}

/** Keys per DeleteObjects request (the S3 limit). */
const DELETE_BATCH = 1000;
const UID_HEADER = `x-amz-meta-${EXECUTION_UID_METADATA}`;
/**
 * Nothing can be stored: no bucket yet, or no MinIO (its Service name does not resolve: the data plane was never
 * provisioned, or is gone). Any other failure is an error, retried by the caller.
 */
const NOTHING_STORED = new Set(['NoSuchBucket', 'ENOTFOUND']);

interface ListedItem {
  name?: string;
  size?: number;
  lastModified?: Date;
  metadata?: Record<string, unknown> | null;
}

export class MinioLogObjects implements LogObjects {
  private readonly client: Client;
  private readonly bucket: string;

  constructor(endpoint: LogStoreEndpoint, options: MinioLogObjectsOptions = {}) {
    this.client = minioClient(endpoint, { timeoutMs: options.timeoutMs });
    this.bucket = options.bucket ?? LOGS_BUCKET;
  }

  async *list(prefix: string): AsyncIterable<LogObject> {
    const stream = this.client.extensions.listObjectsV2WithMetadata(this.bucket, prefix, true, '');
    try {
      for await (const item of stream as AsyncIterable<ListedItem>) {
        if (!item.name) continue;
        const uid = metadataValue(item.metadata, UID_HEADER);
        yield { key: item.name, size: Number(item.size ?? 0), ...(item.lastModified && { lastModified: item.lastModified }), ...(uid && { executionUid: uid }) };
      }
    } catch (err) {
      if (NOTHING_STORED.has((err as { code?: string })?.code ?? '')) return;
      throw logErrorOf(err, `listing ${prefix}`);
    } finally {
      stream.destroy();
    }
  }

  async remove(keys: readonly string[]): Promise<number> {
    let failed = 0;
    let first: string | undefined;
    for (let i = 0; i < keys.length; i += DELETE_BATCH) {
      const batch = keys.slice(i, i + DELETE_BATCH);
      let results: Awaited<ReturnType<Client['removeObjects']>>;
      try {
        results = await this.client.removeObjects(this.bucket, batch as string[]);
      } catch (err) {
        if ((err as { code?: string })?.code === 'NoSuchBucket') continue;
        throw logErrorOf(err, `deleting ${batch.length} objects`);
      }
      for (const r of results ?? []) {
        if (!r?.Error || r.Error.Code === 'NoSuchKey') continue;
        failed++;
        first ??= `${r.Error.Code ?? 'error'} on ${r.Error.Key ?? '?'}`;
      }
    }
    if (failed > 0) throw new LogError('Unavailable', `deleting ${keys.length} objects: ${failed} not deleted (${first})`);
    return keys.length;
  }
}

/** A user metadata value from a listing: MinIO names it `X-Amz-Meta-<Key>`, in any case. */
function metadataValue(metadata: Record<string, unknown> | null | undefined, header: string): string | undefined {
  if (!metadata || typeof metadata !== 'object') return undefined;
  for (const [name, value] of Object.entries(metadata)) {
    // The XML parser turns a value that looks like a number into one: a uid is text.
    if (name.toLowerCase() === header && value !== undefined && value !== null) return String(value);
  }
  return undefined;
}
