// Step logs in the project's MinIO: live chunks while a step runs, one sealed object, the times its lines were
// stored (time-marks.ts) and its line index once it ends (docs/logs.md). Memory stays bounded whatever the size
// of a log: chunks are small buffers, the sealed object is streamed from the chunks with its exact size
// (multipart in `partSize` parts), reads are streams.
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { Client } from 'minio';

import { LogError } from '../logs.errors';
import { LineScanner } from './line-scanner';
import {
  chunkKey, chunkOffset, EXECUTION_UID_METADATA, executionPrefix, indexEntry, indexKey, INDEX_ENTRY_WIDTH, LINE_INDEX_EVERY, LOGS_BUCKET,
  sealedKey, stepPrefix, timesKey, type ExecutionLogRef, type StepLogRef,
} from './log-keys';
import { decodeTimeMarks, encodeTimeMarks, type TimeMark } from './time-marks';
import { logErrorOf } from './minio-errors';
import { minioClient, MINIO_REGION, type LogStoreEndpoint } from './minio-client';

export type { LogStoreEndpoint } from './minio-client';

export interface LogStoreOptions {
  /** An idle request fails after this long (default 10 s). */
  timeoutMs?: number;
  /** Multipart part size of a sealed log (default and minimum 5 MiB): the most a seal holds in memory, twice. */
  partSize?: number;
  bucket?: string;
}

/** Where the archiver stands in one flow node's Jenkins log, stored with the chunk that brought it there. */
export interface ChunkCursor {
  node: string;
  /** Jenkins' next offset (X-Text-Size) after the bytes of this chunk. */
  next: number;
  /** The node's log ended with this chunk. */
  done: boolean;
}

export interface StoredChunk {
  key: string;
  offset: number;
  size: number;
  /** When MinIO stored it (its LastModified, epoch ms): the time of the lines that start in it. */
  time?: number;
}

export interface SealedLog {
  object: string;
  size: number;
  sha256: string;
  lines: number;
  partial: boolean;
}

export interface StepLogView {
  /** Bytes stored so far (contiguous from 0). */
  size: number;
  sealed?: SealedLog;
}

export interface LineIndex {
  every: number;
  lines: number;
  size: number;
  /** Byte offset of line 1 + k·every, for each k with such a line. */
  offsets: number[];
  /** When the lines were stored (time-marks.ts); none for a log sealed before times were kept. */
  times: TimeMark[];
}

const MIN_PART = 5 * 1024 * 1024;

export class MinioLogStore {
  private readonly client: Client;
  private readonly bucket: string;
  private bucketReady?: Promise<void>;

  constructor(endpoint: LogStoreEndpoint, options: LogStoreOptions = {}) {
    this.client = minioClient(endpoint, { timeoutMs: options.timeoutMs, partSize: Math.max(MIN_PART, options.partSize ?? MIN_PART) });
    this.bucket = options.bucket ?? LOGS_BUCKET;
  }

  /** Creates the bucket when it is missing; once per store, again after a failure. */
  ensureBucket(): Promise<void> {
    if (!this.bucketReady) {
      const ready = this.call(`creating bucket ${this.bucket}`, async () => {
        if (await this.client.bucketExists(this.bucket)) return;
        await this.client.makeBucket(this.bucket, MINIO_REGION).catch(async (err: { code?: string }) => {
          if (err?.code !== 'BucketAlreadyOwnedByYou' && err?.code !== 'BucketAlreadyExists') throw err;
        });
      });
      this.bucketReady = ready;
      ready.catch(() => {
        if (this.bucketReady === ready) this.bucketReady = undefined;
      });
    }
    return this.bucketReady;
  }

  async putChunk(ref: StepLogRef, executionUid: string, offset: number, data: Buffer, cursor?: ChunkCursor): Promise<void> {
    await this.ensureBucket();
    const key = chunkKey(ref, offset);
    const meta: Record<string, string> = { 'Content-Type': 'text/plain; charset=utf-8', [EXECUTION_UID_METADATA]: executionUid };
    if (cursor) Object.assign(meta, { node: cursor.node, 'node-next': String(cursor.next), 'node-done': String(cursor.done) });
    await this.call(`writing ${key}`, () => this.client.putObject(this.bucket, key, data, data.length, meta));
  }

  /** The step's live chunks, in byte order. */
  async chunks(ref: StepLogRef): Promise<StoredChunk[]> {
    const prefix = `${stepPrefix(ref)}chunks/`;
    return this.call(`listing ${prefix}`, async () => {
      const out: StoredChunk[] = [];
      for await (const item of this.client.listObjectsV2(this.bucket, prefix, true) as AsyncIterable<{ name?: string; size?: number; lastModified?: Date }>) {
        const offset = item.name ? chunkOffset(item.name) : undefined;
        // MinIO lists LastModified to the millisecond: the chunk's time costs no request of its own.
        const time = item.lastModified?.getTime();
        if (offset !== undefined) out.push({ key: item.name!, offset, size: item.size ?? 0, ...(Number.isFinite(time) && { time }) });
      }
      return out.sort((a, b) => a.offset - b.offset);
    }, true);
  }

  async chunkCursor(chunk: StoredChunk): Promise<ChunkCursor | undefined> {
    const stat = await this.call(`reading ${chunk.key}`, () => this.client.statObject(this.bucket, chunk.key));
    const meta = stat.metaData as Record<string, string | undefined>;
    const next = Number(meta['node-next']);
    if (!meta.node || !Number.isSafeInteger(next)) return undefined;
    return { node: meta.node, next, done: meta['node-done'] === 'true' };
  }

  /** The sealed log, when the step's log was sealed (its index is written last: it is the seal). */
  async sealed(ref: StepLogRef): Promise<SealedLog | undefined> {
    const key = indexKey(ref);
    const stat = await this.call(`reading ${key}`, () => this.client.statObject(this.bucket, key)).catch((err: LogError) => {
      if (err.code === 'NotFound') return undefined;
      throw err;
    });
    if (!stat) return undefined;
    const meta = stat.metaData as Record<string, string | undefined>;
    return {
      object: sealedKey(ref), size: Number(meta.size ?? 0), sha256: meta.sha256 ?? '', lines: Number(meta.lines ?? 0), partial: meta.partial === 'true',
    };
  }

  /** Size and seal of a step's log; a log never written has size 0. */
  async view(ref: StepLogRef): Promise<StepLogView> {
    const sealed = await this.sealed(ref);
    if (sealed) return { size: sealed.size, sealed };
    return { size: contiguous(await this.chunks(ref)).size };
  }

  /**
   * Seals the step's chunks into one object, streamed with its exact size, then writes the times of its lines
   * (from the chunks' times, counted as the log streams by), then the line index (with size, sha256 and lines in
   * its metadata), then deletes the chunks. Idempotent: a step already sealed only loses the chunks left. A gap
   * among the chunks makes the log partial.
   */
  async seal(ref: StepLogRef, executionUid: string, options: { partial?: boolean } = {}): Promise<SealedLog> {
    const done = await this.sealed(ref);
    if (done) {
      await this.removeChunks(ref);
      return done;
    }
    await this.ensureBucket();
    const chunks = await this.chunks(ref);
    const { parts, size, gap } = contiguous(chunks);
    const scanner = new LineScanner();
    const hash = createHash('sha256');
    const self = this;
    async function* bytes(): AsyncGenerator<Buffer> {
      for (const part of parts) {
        scanner.mark(part.chunk.time);
        for await (const buf of self.range(part.chunk.key, part.skip, part.chunk.size - part.skip)) {
          hash.update(buf);
          scanner.push(buf);
          yield buf;
        }
      }
    }
    const object = sealedKey(ref);
    const partial = options.partial === true || gap;
    await this.call(`writing ${object}`, () => this.client.putObject(this.bucket, object, size === 0 ? Buffer.alloc(0) : Readable.from(bytes(), { objectMode: false }), size, {
      'Content-Type': 'text/plain; charset=utf-8', [EXECUTION_UID_METADATA]: executionUid, partial: String(partial),
    }));
    if (scanner.size !== size) throw new LogError('Unavailable', `sealing ${object}: read ${scanner.size} bytes of ${size}`);
    const sealed: SealedLog = { object, size, sha256: hash.digest('hex'), lines: scanner.lines, partial };
    // Before the index: a sealed log has its times (an empty object for an empty log), unless sealed before them.
    const times = Buffer.from(encodeTimeMarks(scanner.marks));
    await this.call(`writing ${timesKey(ref)}`, () => this.client.putObject(this.bucket, timesKey(ref), times, times.length, {
      'Content-Type': 'text/plain', [EXECUTION_UID_METADATA]: executionUid,
    }));
    const index = Buffer.from(scanner.index.map(indexEntry).join(''));
    await this.call(`writing ${indexKey(ref)}`, () => this.client.putObject(this.bucket, indexKey(ref), index, index.length, {
      'Content-Type': 'text/plain', [EXECUTION_UID_METADATA]: executionUid, size: String(size), sha256: sealed.sha256,
      lines: String(sealed.lines), partial: String(partial), 'line-index-every': String(scanner.every),
    }));
    await this.removeChunks(ref, chunks);
    return sealed;
  }

  /**
   * The stored bytes from `start` to `end` (exclusive; the end of what is stored when absent), from the sealed
   * object or the live chunks. A chunk sealed away while it is read continues from the sealed object.
   */
  async *read(ref: StepLogRef, start = 0, end?: number): AsyncGenerator<Buffer> {
    let at = start;
    const sealed = await this.sealed(ref);
    if (!sealed) {
      for (const part of contiguous(await this.chunks(ref)).parts) {
        const { chunk } = part;
        const chunkEnd = chunk.offset + chunk.size;
        if (chunkEnd <= at) continue;
        if (end !== undefined && chunk.offset >= end) return;
        const stop = end === undefined ? chunkEnd : Math.min(chunkEnd, end);
        try {
          for await (const buf of this.range(chunk.key, at - chunk.offset, stop - at)) {
            at += buf.length;
            yield buf;
          }
        } catch (err) {
          if (!(err instanceof LogError && err.code === 'NotFound')) throw err;
          yield* this.read(ref, at, end); // sealed meanwhile
          return;
        }
      }
      return;
    }
    const stop = Math.min(end ?? sealed.size, sealed.size);
    if (at < stop) yield* this.range(sealed.object, at, stop - at);
  }

  /** The line index and the lines' times: read from the seal, or counted over the live chunks. */
  async lineIndex(ref: StepLogRef): Promise<LineIndex & { sealed: boolean }> {
    const sealed = await this.sealed(ref);
    if (sealed) {
      const [index, times] = await Promise.all([collect(this.range(indexKey(ref), 0)), this.sealedTimes(ref)]);
      const text = Buffer.concat(index).toString('latin1');
      const offsets: number[] = [];
      for (let at = 0; at + INDEX_ENTRY_WIDTH <= text.length; at += INDEX_ENTRY_WIDTH) offsets.push(Number(text.slice(at, at + INDEX_ENTRY_WIDTH - 1)));
      return { every: LINE_INDEX_EVERY, lines: sealed.lines, size: sealed.size, offsets, times, sealed: true };
    }
    const scanner = new LineScanner();
    try {
      for (const part of contiguous(await this.chunks(ref)).parts) {
        scanner.mark(part.chunk.time);
        for await (const buf of this.range(part.chunk.key, part.skip, part.chunk.size - part.skip)) scanner.push(buf);
      }
    } catch (err) {
      // A chunk deleted while it was read: the log was sealed meanwhile, and its seal answers.
      if (err instanceof LogError && err.code === 'NotFound' && (await this.sealed(ref))) return this.lineIndex(ref);
      throw err;
    }
    return { every: scanner.every, lines: scanner.lines, size: scanner.size, offsets: scanner.index, times: scanner.marks, sealed: false };
  }

  /** The sealed log's times; none when it was sealed before times were kept. */
  private async sealedTimes(ref: StepLogRef): Promise<TimeMark[]> {
    try {
      return decodeTimeMarks(Buffer.concat(await collect(this.range(timesKey(ref), 0))).toString('latin1'));
    } catch (err) {
      if (err instanceof LogError && err.code === 'NotFound') return [];
      throw err;
    }
  }

  /** Every object of an execution (for the garbage collector's tests and orphan sweeps). */
  async keys(ref: ExecutionLogRef): Promise<string[]> {
    const prefix = executionPrefix(ref);
    return this.call(`listing ${prefix}`, async () => {
      const out: string[] = [];
      for await (const item of this.client.listObjectsV2(this.bucket, prefix, true) as AsyncIterable<{ name?: string }>) if (item.name) out.push(item.name);
      return out;
    }, true);
  }

  /** Deletes keys, checking each key's result (removeObjects does not throw per key). */
  async remove(keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    const results = await this.call(`deleting ${keys.length} objects`, () => this.client.removeObjects(this.bucket, keys));
    const failed = (results ?? []).filter((r) => r && r.Error && r.Error.Code !== 'NoSuchKey');
    if (failed.length > 0) {
      throw new LogError('Unavailable', `deleting ${keys.length} objects: ${failed.length} not deleted (${failed[0]?.Error?.Code ?? 'error'} on ${failed[0]?.Error?.Key ?? '?'})`);
    }
  }

  private async removeChunks(ref: StepLogRef, chunks?: StoredChunk[]): Promise<void> {
    await this.remove((chunks ?? (await this.chunks(ref))).map((c) => c.key));
  }

  /** Bytes of one object from `offset`, `length` of them (to its end when absent). */
  private async *range(key: string, offset: number, length?: number): AsyncGenerator<Buffer> {
    if (length === 0) return;
    const stream = await this.call(`reading ${key}`, () => this.client.getPartialObject(this.bucket, key, offset, length));
    try {
      for await (const buf of stream as AsyncIterable<Buffer>) yield buf;
    } catch (err) {
      throw logErrorOf(err, `reading ${key}`);
    } finally {
      stream.destroy();
    }
  }

  /** Runs a minio call, translating its errors; `noBucketIsEmpty`: a missing bucket means nothing stored yet. */
  private async call<T>(what: string, fn: () => Promise<T>, noBucketIsEmpty = false): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (noBucketIsEmpty && (err as { code?: string })?.code === 'NoSuchBucket') return [] as T;
      throw logErrorOf(err, what);
    }
  }
}

/** The chunks that make the log contiguous from byte 0, skipping what an earlier chunk already holds. */
function contiguous(chunks: StoredChunk[]): { parts: Array<{ chunk: StoredChunk; skip: number }>; size: number; gap: boolean } {
  const parts: Array<{ chunk: StoredChunk; skip: number }> = [];
  let size = 0;
  for (const chunk of chunks) {
    if (chunk.offset > size) return { parts, size, gap: true };
    if (chunk.offset + chunk.size <= size) continue;
    parts.push({ chunk, skip: size - chunk.offset });
    size = chunk.offset + chunk.size;
  }
  return { parts, size, gap: false };
}

async function collect(gen: AsyncIterable<Buffer>): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for await (const b of gen) out.push(b);
  return out;
}
