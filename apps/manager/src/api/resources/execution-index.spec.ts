import type { KubeObject } from '@keelson/kube';
import { compareNewestFirst, ExecutionIndex } from './execution-index';

function exe(ns: string, name: string, createdSec: number, o: { pipeline?: string; phase?: string } = {}): KubeObject {
  return {
    metadata: { namespace: ns, name, creationTimestamp: new Date(createdSec * 1000).toISOString(), resourceVersion: '1' },
    spec: { pipelineRef: { name: o.pipeline ?? name.replace(/-\d+$/, '') } },
    status: { phase: o.phase ?? 'Succeeded' },
  };
}

function indexOf(objects: KubeObject[], bulk = false): { index: ExecutionIndex; cache: Map<string, KubeObject> } {
  const cache = new Map<string, KubeObject>();
  const index = new ExecutionIndex((key) => cache.get(key));
  for (const o of objects) {
    cache.set(`${o.metadata.namespace}/${o.metadata.name}`, o);
    index.upsert(o, bulk);
  }
  return { index, cache };
}

const names = (items: KubeObject[]) => items.map((i) => `${i.metadata.namespace}/${i.metadata.name}`);
const all = () => true;

describe('compareNewestFirst', () => {
  it('puts the newer first, then namespaces A to Z, then the higher run first', () => {
    const sorted = [
      { t: 1, ns: 'a', name: 'web-9' }, { t: 2, ns: 'b', name: 'web-1' }, { t: 1, ns: 'a', name: 'web-10' }, { t: 1, ns: 'b', name: 'web-11' },
      { t: 1, ns: 'a', name: 'web-010' },
    ].sort(compareNewestFirst);
    expect(sorted.map((e) => `${e.ns}/${e.name}`)).toEqual(['b/web-1', 'a/web-10', 'a/web-010', 'a/web-9', 'b/web-11']);
  });
});

describe('ExecutionIndex', () => {
  const objects = [
    exe('demo', 'web-1', 100), exe('demo', 'web-2', 200, { phase: 'Failed' }), exe('demo', 'api-1', 150),
    exe('other', 'web-1', 300), exe('demo', 'web-3', 300, { phase: 'Running' }), exe('demo', 'web-10', 300),
  ];

  it.each([false, true])('pages newest first with a keyset cursor that resumes exactly (bulk load: %p)', (bulk) => {
    const { index } = indexOf(objects, bulk);
    const seen: string[] = [];
    let after;
    let pages = 0;
    do {
      const page = index.page({ limit: 2, after, accept: all });
      seen.push(...names(page.items));
      after = page.next;
      pages++;
    } while (after);
    expect(seen).toEqual(['demo/web-10', 'demo/web-3', 'other/web-1', 'demo/web-2', 'demo/api-1', 'demo/web-1']);
    expect(pages).toBe(3);
  });

  it('gives no cursor when the page holds the last match', () => {
    const { index } = indexOf(objects);
    expect(index.page({ limit: 6, accept: all }).next).toBeUndefined();
    expect(index.page({ limit: 5, accept: all }).next).toBeDefined();
    expect(index.page({ namespace: 'demo', limit: 1, accept: (o) => (o.status as { phase: string }).phase === 'Failed' }).next).toBeUndefined();
  });

  it('serves one namespace, one pipeline, some namespaces, and a time window', () => {
    const { index } = indexOf(objects);
    expect(names(index.page({ namespace: 'demo', pipeline: 'web', limit: 10, accept: all }).items)).toEqual(['demo/web-10', 'demo/web-3', 'demo/web-2', 'demo/web-1']);
    expect(names(index.page({ namespaces: new Set(['other']), limit: 10, accept: all }).items)).toEqual(['other/web-1']);
    expect(names(index.page({ since: 150_000, until: 200_000, limit: 10, accept: all }).items)).toEqual(['demo/web-2', 'demo/api-1']);
    expect(index.page({ namespace: 'nowhere', limit: 10, accept: all }).items).toEqual([]);
  });

  it('follows adds and deletes, and knows each pipeline\'s newest run', () => {
    const { index, cache } = indexOf(objects);
    expect(index.latest('demo', 'web')?.metadata.name).toBe('web-10');
    const newer = exe('demo', 'web-11', 400);
    cache.set('demo/web-11', newer);
    index.upsert(newer);
    expect(index.latest('demo', 'web')?.metadata.name).toBe('web-11');
    index.remove(newer);
    index.remove(exe('demo', 'web-10', 300));
    expect(index.latest('demo', 'web')?.metadata.name).toBe('web-3');
    expect(index.size).toBe(5);
    expect(index.namespaces()).toEqual(['demo', 'other']);
    index.remove(exe('other', 'web-1', 300));
    expect(index.namespaces()).toEqual(['demo']);
  });

  it('ignores an update that changes nothing it sorts by', () => {
    const { index } = indexOf(objects);
    index.upsert(exe('demo', 'web-1', 100, { phase: 'Failed' }));
    expect(index.size).toBe(6);
    expect(names(index.page({ namespace: 'demo', limit: 10, accept: all }).items)).toHaveLength(5);
  });

  it('walks 10,000 executions in pages of 50 without losing or repeating one', () => {
    const many = Array.from({ length: 10_000 }, (_, i) => exe(`ns-${i % 7}`, `p${i % 13}-${i}`, Math.floor(i / 3)));
    const { index } = indexOf(many, true);
    const seen = new Set<string>();
    let after;
    let previous: number | undefined;
    do {
      const page = index.page({ limit: 50, after, accept: all });
      for (const item of page.items) {
        const t = Date.parse(item.metadata.creationTimestamp!);
        if (previous !== undefined) expect(t).toBeLessThanOrEqual(previous);
        previous = t;
        seen.add(`${item.metadata.namespace}/${item.metadata.name}`);
      }
      after = page.next;
    } while (after);
    expect(seen.size).toBe(10_000);
  });
});
