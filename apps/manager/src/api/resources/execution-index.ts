// Executions newest first, which the apiserver cannot give (it lists by name): sorted keys over the informer's
// cache, per namespace, per pipeline and across namespaces, paged by an opaque keyset cursor (ADR 0011). The
// index holds keys only; the objects stay in the informer's cache.
import type { KubeObject } from '@keelson/kube';
import type { KeysetCursor } from './list-cursor';
import { createdAt } from './list-filters';

export interface IndexedExecution {
  key: string;
  ns: string;
  name: string;
  /** Creation time, ms. */
  t: number;
  pipeline: string;
}

type Position = Pick<IndexedExecution, 't' | 'ns' | 'name'>;

/** Names with numbers in them by number (`web-10` after `web-9`), then by code unit so no two names tie. */
function compareNames(a: string, b: string): number {
  const ra = a.match(/\d+|\D+/g) ?? [];
  const rb = b.match(/\d+|\D+/g) ?? [];
  for (let i = 0; i < Math.min(ra.length, rb.length); i++) {
    const x = ra[i];
    const y = rb[i];
    if (x === y) continue;
    const digits = /^\d/.test(x) && /^\d/.test(y);
    if (digits) {
      const nx = x.replace(/^0+(?=\d)/, '');
      const ny = y.replace(/^0+(?=\d)/, '');
      if (nx.length !== ny.length) return nx.length - ny.length;
      if (nx !== ny) return nx < ny ? -1 : 1;
      continue;
    }
    return x < y ? -1 : 1;
  }
  if (ra.length !== rb.length) return ra.length - rb.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Negative when `a` comes first: newer first, then namespace A→Z, then the higher name (run) first. */
export function compareNewestFirst(a: Position, b: Position): number {
  if (a.t !== b.t) return b.t - a.t;
  if (a.ns !== b.ns) return a.ns < b.ns ? -1 : 1;
  return compareNames(b.name, a.name);
}

/** A sorted array that takes a bulk load unsorted (the informer's first list) and sorts once, when first read. */
class SortedKeys {
  private items: IndexedExecution[] = [];
  private dirty = false;

  get size(): number {
    return this.items.length;
  }

  add(e: IndexedExecution, bulk: boolean): void {
    if (bulk || this.dirty) {
      this.items.push(e);
      this.dirty = true;
      return;
    }
    this.items.splice(this.firstAfter(e, true), 0, e);
  }

  remove(e: IndexedExecution): void {
    const list = this.view();
    const i = this.firstAfter(e, true);
    if (list[i]?.key === e.key) list.splice(i, 1);
  }

  view(): IndexedExecution[] {
    if (this.dirty) {
      this.items.sort(compareNewestFirst);
      this.dirty = false;
    }
    return this.items;
  }

  /** Index of the first entry after `p` (or at it, when `inclusive`). */
  firstAfter(p: Position, inclusive = false): number {
    const list = this.view();
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const c = compareNewestFirst(list[mid], p);
      if (c < 0 || (c === 0 && !inclusive)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Index of the first entry created at or before `t`. */
  firstAtOrBefore(t: number): number {
    const list = this.view();
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (list[mid].t > t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

export interface IndexPageRequest {
  /** Only these namespaces; all when absent. */
  namespaces?: ReadonlySet<string>;
  /** One namespace's (faster than a set of one). */
  namespace?: string;
  pipeline?: string;
  since?: number;
  until?: number;
  after?: KeysetCursor;
  limit: number;
  /** The other filters, on the cached object. */
  accept(obj: KubeObject): boolean;
}

export interface IndexPage {
  items: KubeObject[];
  next?: KeysetCursor;
}

export class ExecutionIndex {
  private readonly entries = new Map<string, IndexedExecution>();
  private readonly all = new SortedKeys();
  private readonly byNamespace = new Map<string, SortedKeys>();
  private readonly byPipeline = new Map<string, SortedKeys>();

  /** `lookup` reads the current object of a key from the informer's cache. */
  constructor(private readonly lookup: (key: string) => KubeObject | undefined) {}

  get size(): number {
    return this.entries.size;
  }

  upsert(obj: KubeObject, bulk = false): void {
    const e = entryOf(obj);
    const old = this.entries.get(e.key);
    // Name, namespace and creation time never change; the pipeline does not either (the admission policy).
    if (old && old.t === e.t && old.pipeline === e.pipeline) return;
    if (old) this.remove(obj);
    this.entries.set(e.key, e);
    this.all.add(e, bulk);
    bucket(this.byNamespace, e.ns).add(e, bulk);
    bucket(this.byPipeline, `${e.ns}/${e.pipeline}`).add(e, bulk);
  }

  remove(obj: KubeObject): void {
    const key = `${obj.metadata.namespace}/${obj.metadata.name}`;
    const e = this.entries.get(key);
    if (!e) return;
    this.entries.delete(key);
    this.all.remove(e);
    drop(this.byNamespace, e.ns, e);
    drop(this.byPipeline, `${e.ns}/${e.pipeline}`, e);
  }

  namespaces(): string[] {
    return [...this.byNamespace.keys()].sort();
  }

  /** The newest execution of a pipeline. */
  latest(namespace: string, pipeline: string): KubeObject | undefined {
    const first = this.byPipeline.get(`${namespace}/${pipeline}`)?.view()[0];
    return first && this.lookup(first.key);
  }

  /** Every execution of a namespace, newest first (for counts). */
  *inNamespace(namespace: string): Iterable<KubeObject> {
    for (const e of this.byNamespace.get(namespace)?.view() ?? []) {
      const obj = this.lookup(e.key);
      if (obj) yield obj;
    }
  }

  page(req: IndexPageRequest): IndexPage {
    const source = req.namespace !== undefined
      ? (req.pipeline !== undefined ? this.byPipeline.get(`${req.namespace}/${req.pipeline}`) : this.byNamespace.get(req.namespace))
      : this.all;
    if (!source) return { items: [] };
    const list = source.view();
    let i = 0;
    if (req.after) i = Math.max(i, source.firstAfter({ t: req.after.t, ns: req.after.ns, name: req.after.n }));
    if (req.until !== undefined) i = Math.max(i, source.firstAtOrBefore(req.until));
    const items: KubeObject[] = [];
    let last: IndexedExecution | undefined;
    for (; i < list.length; i++) {
      const e = list[i];
      if (req.since !== undefined && e.t < req.since) break;
      if (req.namespaces && !req.namespaces.has(e.ns)) continue;
      if (req.pipeline !== undefined && e.pipeline !== req.pipeline) continue;
      const obj = this.lookup(e.key);
      if (!obj || !req.accept(obj)) continue;
      // One match past a full page: there is a next page, and it starts after the last item of this one.
      if (items.length === req.limit) return { items, next: { k: 'keyset', t: last!.t, ns: last!.ns, n: last!.name } };
      items.push(obj);
      last = e;
    }
    return { items };
  }
}

function entryOf(obj: KubeObject): IndexedExecution {
  const ns = obj.metadata.namespace ?? '';
  const name = obj.metadata.name ?? '';
  const pipeline = (obj as { spec?: { pipelineRef?: { name?: string } } }).spec?.pipelineRef?.name ?? '';
  return { key: `${ns}/${name}`, ns, name, t: createdAt(obj), pipeline };
}

function bucket(map: Map<string, SortedKeys>, key: string): SortedKeys {
  let b = map.get(key);
  if (!b) map.set(key, (b = new SortedKeys()));
  return b;
}

function drop(map: Map<string, SortedKeys>, key: string, e: IndexedExecution): void {
  const b = map.get(key);
  if (!b) return;
  b.remove(e);
  if (b.size === 0) map.delete(key);
}
