// The recent changes of every kind the API serves, in the order the informers saw them, so a watch that dropped can
// resume from the last event it got (`Last-Event-ID`) without a re-list. Bounded: what fell off the end, or came
// before the informers' last full list, answers "too old, list again".
import type { KubeObject } from '@keelson/kube';

export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface ResourceChange {
  /** The object's resourceVersion after the change: the SSE event id. */
  id: string;
  type: ChangeType;
  /** The resource's plural, e.g. `pipelines`. */
  resource: string;
  namespace: string;
  name: string;
  object: KubeObject;
  /** The labels before a MODIFIED, so a selector can tell an object that left it from one that entered it. */
  oldLabels?: Record<string, string>;
  /** Position in the ring's history; ids are resourceVersions, which kinds do not deliver in one order. */
  seq: number;
}

export type Resume = { changes: ResourceChange[] } | { expired: true };

const RESOURCE_VERSION = /^\d{1,20}$/;

export class EventRing {
  private readonly buffer: Array<ResourceChange | undefined>;
  private start = 0;
  private count = 0;
  private seq = 0;
  /** Nothing before this resourceVersion is known (the last relist of any kind). */
  private floor = 0n;
  /** The highest resourceVersion that fell off the end. */
  private evicted = 0n;
  private readonly listeners = new Set<(change: ResourceChange) => void>();

  constructor(readonly capacity: number) {
    if (!(capacity >= 1)) throw new RangeError(`EventRing needs a capacity >= 1, got ${capacity}`);
    this.buffer = new Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  push(change: Omit<ResourceChange, 'seq'>): void {
    const entry: ResourceChange = { ...change, seq: ++this.seq };
    if (this.count === this.capacity) {
      const old = this.buffer[this.start]!;
      const v = version(old.id);
      if (v !== undefined && v > this.evicted) this.evicted = v;
      this.buffer[this.start] = entry;
      this.start = (this.start + 1) % this.capacity;
    } else {
      this.buffer[(this.start + this.count) % this.capacity] = entry;
      this.count++;
    }
    for (const listener of this.listeners) {
      try {
        listener(entry);
      } catch {
        // One watcher's failure is its own; the others still get the change.
      }
    }
  }

  /**
   * A kind was listed again (the first sync, or after 410 Gone): what the ring held may have missed changes, so
   * it starts over and a resume from before `resourceVersion` must re-list.
   */
  reset(resourceVersion: string): void {
    const v = version(resourceVersion);
    if (v !== undefined && v > this.floor) this.floor = v;
    this.buffer.fill(undefined);
    this.start = 0;
    this.count = 0;
  }

  /** Where a watch starting now stands: the newest change's id, or the floor. */
  currentId(): string {
    return this.count ? this.at(this.count - 1).id : String(this.floor);
  }

  /**
   * The changes after `id`. The id of an event this ring sent resumes right after that event (exact, whatever order
   * the kinds arrived in); another resourceVersion (a list's) resumes after every change above it, if the ring still
   * reaches back that far.
   */
  since(id: string): Resume {
    for (let i = this.count - 1; i >= 0; i--) {
      if (this.at(i).id === id) return { changes: this.slice(i + 1) };
    }
    const v = version(id);
    if (v === undefined || v < this.floor || v < this.evicted) return { expired: true };
    const changes: ResourceChange[] = [];
    for (let i = 0; i < this.count; i++) {
      const c = this.at(i);
      const cv = version(c.id);
      if (cv === undefined || cv > v) changes.push(c);
    }
    return { changes };
  }

  /** Calls `listener` with every change pushed from now on; returns the unsubscribe function. */
  subscribe(listener: (change: ResourceChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private at(i: number): ResourceChange {
    return this.buffer[(this.start + i) % this.capacity]!;
  }

  private slice(from: number): ResourceChange[] {
    const out: ResourceChange[] = [];
    for (let i = from; i < this.count; i++) out.push(this.at(i));
    return out;
  }
}

function version(id: string): bigint | undefined {
  return RESOURCE_VERSION.test(id) ? BigInt(id) : undefined;
}
