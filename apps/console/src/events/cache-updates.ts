// Writes the event stream's changes into TanStack Query's cache: an object's own query gets the new object at
// once; lists that may hold it are invalidated (refetched if shown), batched so a burst costs one refetch.
import type { QueryClient } from '@tanstack/react-query';
import { keys } from '../api/queries';
import type { ObjectMeta } from '../api/types';
import type { SseEvent } from './sse-parser';

interface Changed {
  kind?: string;
  metadata?: ObjectMeta;
}

const CHANGE_EVENTS = new Set(['ADDED', 'MODIFIED', 'DELETED']);
/** Lists across every project (home, approvals inbox) are keyed with `*` for the namespace. */
const EVERY_PROJECT = '*';

export class CacheUpdater {
  private pending = new Set<string>();
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly client: QueryClient, private readonly batchMs = 250) {}

  apply(e: SseEvent): void {
    if (!CHANGE_EVENTS.has(e.event)) return; // SUBSCRIBED, BOOKMARK: nothing to cache
    let obj: Changed;
    try {
      obj = JSON.parse(e.data) as Changed;
    } catch {
      return;
    }
    const ns = obj.metadata?.namespace;
    const name = obj.metadata?.name;
    if (!ns || !name) return;
    const deleted = e.event === 'DELETED';
    if (obj.kind === 'PipelineExecution') {
      if (deleted) this.client.removeQueries({ queryKey: keys.execution(ns, name) });
      else this.client.setQueryData(keys.execution(ns, name), obj);
      this.invalidateLater(JSON.stringify(keys.executionsOf(ns)));
      this.invalidateLater(JSON.stringify(keys.executionsOf(EVERY_PROJECT))); // an answered gate leaves the inbox
      this.invalidateLater(JSON.stringify(keys.pipelines(ns))); // lastExecution changes with it
      this.invalidateLater(JSON.stringify(keys.pipelines(EVERY_PROJECT)));
      this.invalidateLater(JSON.stringify(keys.queue(ns)));
      this.invalidateLater(JSON.stringify(keys.projects()));
    } else if (obj.kind === 'Pipeline') {
      if (deleted) this.client.removeQueries({ queryKey: keys.pipeline(ns, name) });
      else this.client.setQueryData(keys.pipeline(ns, name), obj);
      this.invalidateLater(JSON.stringify(keys.pipelines(ns)));
      this.invalidateLater(JSON.stringify(keys.pipelines(EVERY_PROJECT)));
      this.invalidateLater(JSON.stringify(keys.projects()));
    }
  }

  /** After a lost resume point: everything cached may be stale. */
  resync(): void {
    void this.client.invalidateQueries();
  }

  private invalidateLater(key: string): void {
    this.pending.add(key);
    this.timer ??= setTimeout(() => this.flush(), this.batchMs);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const due = [...this.pending];
    this.pending.clear();
    for (const k of due) void this.client.invalidateQueries({ queryKey: JSON.parse(k) as unknown[] });
  }
}
