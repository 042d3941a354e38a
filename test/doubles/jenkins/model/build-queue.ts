// The build queue of core hudson.model.Queue, for one kind of task (pipeline jobs, which run as flyweight
// tasks and never wait for an executor): WaitingItem during the quiet period, BuildableItem until it starts,
// then LeftItem, remembered for 5 minutes after leaving (Queue.leftItems, expireAfterWrite).
import type { Clock } from '@keelson/kube';
import type { BuildCause } from './build';
import type { ParameterValue } from './job';

export const LEFT_ITEM_TTL_MS = 5 * 60 * 1000;

export interface QueueItem {
  id: number;
  job: string;
  params: ParameterValue[];
  cause: BuildCause;
  inQueueSince: number;
  /** When the quiet period ends (WaitingItem.timestamp). */
  dueAt: number;
  state: 'waiting' | 'buildable' | 'left';
  buildableSince?: number;
  leftAt?: number;
  cancelled?: boolean;
  buildNumber?: number;
  timer?: unknown;
}

function sameParams(a: ParameterValue[], b: ParameterValue[]): boolean {
  // ParametersAction.shouldSchedule compares the parameter sets.
  const key = (ps: ParameterValue[]) => ps.map((p) => `${p.name}\u0000${p.value}`).sort().join('\u0001');
  return key(a) === key(b);
}

export class BuildQueue {
  private readonly items = new Map<number, QueueItem>();

  constructor(
    private readonly clock: Clock,
    private readonly nextId: () => number,
    private readonly onBuildable: () => void,
  ) {}

  /** Queue.schedule2: an identical item (same job, same parameters) still in the queue is returned instead. */
  schedule(job: string, params: ParameterValue[], quietMs: number, cause: BuildCause): { item: QueueItem; created: boolean } {
    const now = this.clock.now();
    const existing = this.live().find((i) => i.job === job && sameParams(i.params, params));
    if (existing) {
      // The shorter of the due times wins.
      if (existing.state === 'waiting' && now + quietMs < existing.dueAt) this.arm(existing, now + quietMs);
      return { item: existing, created: false };
    }
    const item: QueueItem = { id: this.nextId(), job, params, cause, inQueueSince: now, dueAt: now + quietMs, state: 'waiting' };
    this.items.set(item.id, item);
    this.arm(item, item.dueAt);
    return { item, created: true };
  }

  /** Queue.getItem(id): live items, then left items not yet forgotten. */
  get(id: number): QueueItem | undefined {
    const item = this.items.get(id);
    if (item?.state === 'left' && this.clock.now() - (item.leftAt as number) >= LEFT_ITEM_TTL_MS) {
      this.items.delete(id);
      return undefined;
    }
    return item;
  }

  /** Items still waiting or buildable, oldest first. */
  live(): QueueItem[] {
    return [...this.items.values()].filter((i) => i.state !== 'left').sort((a, b) => a.id - b.id);
  }

  buildable(): QueueItem[] {
    return this.live().filter((i) => i.state === 'buildable');
  }

  cancel(item: QueueItem): boolean {
    if (item.state === 'left') return false; // LeftItem.leave: "there's no leave operation"
    this.disarm(item);
    this.leave(item, { cancelled: true });
    return true;
  }

  leave(item: QueueItem, outcome: { cancelled: true } | { buildNumber: number }): void {
    item.state = 'left';
    item.leftAt = this.clock.now();
    if ('cancelled' in outcome) item.cancelled = true;
    else item.buildNumber = outcome.buildNumber;
  }

  /** Cancels every live item of a job (job deleted). */
  cancelJob(job: string): void {
    for (const i of this.live()) if (i.job === job) this.cancel(i);
  }

  /** Jenkins restarted without its queue: everything, left items included, is forgotten. */
  forget(): void {
    for (const i of this.items.values()) this.disarm(i);
    this.items.clear();
  }

  private disarm(item: QueueItem): void {
    if (item.timer !== undefined) this.clock.clearTimeout(item.timer);
    item.timer = undefined;
  }

  private arm(item: QueueItem, dueAt: number): void {
    this.disarm(item);
    item.dueAt = dueAt;
    item.timer = this.clock.setTimeout(() => {
      if (item.state !== 'waiting') return;
      item.state = 'buildable';
      item.buildableSince = this.clock.now();
      this.onBuildable();
    }, Math.max(0, dueAt - this.clock.now()));
  }
}
