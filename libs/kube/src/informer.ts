import { counter, gauge, Logger, silentLogger } from '@keelson/observability';
import { KubeConnection } from './kube-connection';
import { isGone, KubeError } from './kube-errors';
import { jitteredBackoff } from './backoff';
import { ResourceClient } from './resource-client';
import { KubeObject } from './resource-types';
import { runWatch, WatchEvent } from './watch-stream';

export interface InformerHandlers<T> {
  onAdd?(obj: T): void;
  onUpdate?(oldObj: T, newObj: T): void;
  /** `obj` is the last cached copy; `deleted` the object the watch's DELETED event carried (the deletion's resourceVersion), absent after a relist. */
  onDelete?(obj: T, deleted?: T): void;
  /** After every full list (the first sync, or a relist after 410 Gone), with the list's resourceVersion: events before it may have been summarised. */
  onRelisted?(resourceVersion: string): void;
}

export interface InformerOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  logger?: Logger;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  watchTimeoutSeconds?: number;
  idleTimeoutMs?: number;
  pageSize?: number;
}

/** A watch that ends sooner than this without an event counts as a failure (client-go's "very short watch"). */
const SHORT_WATCH_MS = 1_000;

const restarts = counter('keelson_informer_restarts_total', 'Watch restarts of an informer, by reason (gone: relisted after 410; error: reconnected after a failure).', ['resource', 'reason']);
const synced = gauge('keelson_informer_synced', 'Whether an informer has completed its first list (1) or not (0).', ['resource']);

export function objectKey(obj: KubeObject): string {
  return obj.metadata.namespace ? `${obj.metadata.namespace}/${obj.metadata.name}` : obj.metadata.name!;
}

/**
 * A list+watch cache that never silently stops: a 410 Gone relists at once (and reports what changed in the
 * gap as adds, updates and deletes); any other failure reconnects after a capped, jittered backoff. Every
 * restart increments keelson_informer_restarts_total and logs a line.
 */
export class Informer<T extends KubeObject> {
  private readonly cache = new Map<string, T>();
  private readonly handlers: InformerHandlers<T>[] = [];
  private readonly abort = new AbortController();
  private resourceVersion?: string;
  private loop?: Promise<void>;
  private syncedOnce = false;
  private syncWaiters: Array<() => void> = [];
  private readonly log: Logger;
  private readonly resource: string;

  constructor(private readonly conn: KubeConnection, private readonly client: ResourceClient<T>, private readonly opts: InformerOptions = {}) {
    this.resource = client.type.plural;
    this.log = (opts.logger ?? silentLogger).child({ informer: this.resource, namespace: opts.namespace });
  }

  addHandlers(handlers: InformerHandlers<T>): void {
    this.handlers.push(handlers);
  }

  get hasSynced(): boolean {
    return this.syncedOnce;
  }

  /** The resourceVersion the cache is at: the last list's, then each watch event's. */
  get lastResourceVersion(): string | undefined {
    return this.resourceVersion;
  }

  waitForSync(): Promise<void> {
    return this.syncedOnce ? Promise.resolve() : new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  get(key: string): T | undefined {
    return this.cache.get(key);
  }

  list(): T[] {
    return [...this.cache.values()];
  }

  start(): void {
    if (!this.loop) this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.abort.signal.aborted) {
      try {
        if (!this.resourceVersion) await this.relist();
        const openedAt = Date.now();
        let events = 0;
        await runWatch<T>(this.conn, {
          path: this.client.path(this.opts.namespace), resourceVersion: this.resourceVersion!,
          labelSelector: this.opts.labelSelector, fieldSelector: this.opts.fieldSelector,
          timeoutSeconds: this.opts.watchTimeoutSeconds ?? 240 + Math.floor(Math.random() * 120),
          idleTimeoutMs: this.opts.idleTimeoutMs ?? 150_000,
        }, (event) => {
          this.apply(event);
          events++;
          failures = 0;
        }, this.abort.signal);
        // As client-go's reflector: a watch closed within a second with nothing delivered was cut (a proxy, a load
        // balancer, an apiserver shedding load), not ended by its timeout; resuming at once would be a hot loop.
        const livedMs = Date.now() - openedAt;
        if (events === 0 && livedMs < SHORT_WATCH_MS) throw new KubeError(0, 'WatchTooShort', `watch closed after ${livedMs} ms without an event`);
        // The server ended the watch on its timeout: resume from the last version, no backoff.
      } catch (err) {
        if (this.abort.signal.aborted) break;
        if (isGone(err)) {
          restarts.inc({ resource: this.resource, reason: 'gone' });
          this.log.warn({ resourceVersion: this.resourceVersion }, 'watch expired (410 Gone), relisting');
          this.resourceVersion = undefined;
          continue;
        }
        const delayMs = jitteredBackoff(failures++, this.opts.backoffBaseMs ?? 500, this.opts.backoffMaxMs ?? 30_000);
        restarts.inc({ resource: this.resource, reason: 'error' });
        this.log.warn({ err: (err as Error).message, attempt: failures, delayMs }, 'watch failed, reconnecting');
        await sleep(delayMs, this.abort.signal);
      }
    }
  }

  /** Lists everything (in pages) and reconciles the cache with it, emitting the differences. */
  private async relist(): Promise<void> {
    const seen = new Map<string, T>();
    let cont: string | undefined;
    let version = '';
    do {
      const page = await this.client.list(this.opts.namespace, {
        labelSelector: this.opts.labelSelector, fieldSelector: this.opts.fieldSelector, limit: this.opts.pageSize ?? 500, continue: cont,
      });
      for (const item of page.items) seen.set(objectKey(item), item);
      cont = page.metadata.continue || undefined;
      version = page.metadata.resourceVersion;
    } while (cont);
    for (const [key, old] of this.cache) {
      if (!seen.has(key)) {
        this.cache.delete(key);
        this.emit((h) => h.onDelete?.(old));
      }
    }
    for (const [key, obj] of seen) this.upsert(key, obj);
    this.resourceVersion = version;
    this.emit((h) => h.onRelisted?.(version));
    if (!this.syncedOnce) {
      this.syncedOnce = true;
      synced.set({ resource: this.resource }, 1);
      this.log.info({ objects: seen.size }, 'informer synced');
      for (const resolve of this.syncWaiters.splice(0)) resolve();
    }
  }

  private apply(event: WatchEvent<T>): void {
    this.resourceVersion = event.object.metadata.resourceVersion ?? this.resourceVersion;
    if (event.type === 'BOOKMARK') return;
    const key = objectKey(event.object);
    if (event.type === 'DELETED') {
      const old = this.cache.get(key) ?? event.object;
      this.cache.delete(key);
      this.emit((h) => h.onDelete?.(old, event.object));
      return;
    }
    this.upsert(key, event.object);
  }

  private upsert(key: string, obj: T): void {
    const old = this.cache.get(key);
    if (old && old.metadata.resourceVersion === obj.metadata.resourceVersion) return;
    // Field managers' bookkeeping is often the largest part of an object and nobody reads it from a cache
    // (client-go informers drop it the same way, with a transform).
    delete (obj.metadata as { managedFields?: unknown }).managedFields;
    this.cache.set(key, obj);
    this.emit((h) => (old ? h.onUpdate?.(old, obj) : h.onAdd?.(obj)));
  }

  private emit(call: (h: InformerHandlers<T>) => void): void {
    for (const h of this.handlers) {
      try {
        call(h);
      } catch (err) {
        this.log.error({ err: (err as Error).message }, 'informer handler threw');
      }
    }
  }
}

/** Waits, or less when aborted; the abort listener goes with the wait, so a long run of retries adds none. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
