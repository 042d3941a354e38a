import type { KubeObject, ListOptions, ObjectList } from '@keelson/kube';
import { pageFromApiserver } from './apiserver-pager';

/** An apiserver double: namespaces of numbered objects, paged by limit with continue tokens as it pages. */
function apiserver(contents: Record<string, number[]>, version = '500') {
  const calls: Array<{ ns?: string; limit?: number; continue?: string }> = [];
  const list = async (ns: string | undefined, o: ListOptions): Promise<ObjectList<KubeObject>> => {
    calls.push({ ns, limit: o.limit, continue: o.continue });
    const all = ns === undefined ? Object.entries(contents).flatMap(([n, xs]) => xs.map((x) => [n, x] as const)) : (contents[ns] ?? []).map((x) => [ns, x] as const);
    const start = o.continue ? Number(o.continue) : 0;
    const slice = all.slice(start, start + (o.limit ?? all.length));
    const next = start + slice.length;
    return {
      metadata: { resourceVersion: version, ...(next < all.length && { continue: String(next) }) },
      items: slice.map(([n, x]) => ({ metadata: { namespace: n, name: `o-${x}` }, value: x })),
    };
  };
  return { list, calls };
}

const values = (items: KubeObject[]) => items.map((i) => i.value as number);

describe('pageFromApiserver', () => {
  it('passes limit and continue through when nothing filters', async () => {
    const api = apiserver({ demo: [1, 2, 3, 4, 5] });
    const first = await pageFromApiserver({ list: api.list, namespaces: ['demo'], limit: 2, maxPages: 10 });
    expect(values(first.items)).toEqual([1, 2]);
    const second = await pageFromApiserver({ list: api.list, namespaces: ['demo'], limit: 2, cursor: first.next, maxPages: 10 });
    expect(values(second.items)).toEqual([3, 4]);
    const third = await pageFromApiserver({ list: api.list, namespaces: ['demo'], limit: 2, cursor: second.next, maxPages: 10 });
    expect([values(third.items), third.next]).toEqual([[5], undefined]);
    expect(api.calls).toHaveLength(3);
  });

  it('filters each apiserver page, asking only for what is still missing, and never skips a match', async () => {
    const api = apiserver({ demo: Array.from({ length: 20 }, (_, i) => i) });
    const even = (o: KubeObject) => (o.value as number) % 2 === 0;
    const seen: number[] = [];
    let cursor;
    do {
      const page = await pageFromApiserver({ list: api.list, namespaces: ['demo'], limit: 3, accept: even, cursor, maxPages: 10 });
      expect(page.items.length).toBeLessThanOrEqual(3);
      seen.push(...values(page.items));
      cursor = page.next;
    } while (cursor);
    expect(seen).toEqual([0, 2, 4, 6, 8, 10, 12, 14, 16, 18]);
    expect(api.calls.every((c) => (c.limit ?? 0) <= 3)).toBe(true);
  });

  it('stops after maxPages apiserver pages with a short page and a token that resumes there', async () => {
    const api = apiserver({ demo: Array.from({ length: 100 }, (_, i) => i) });
    const rare = (o: KubeObject) => (o.value as number) === 90;
    const first = await pageFromApiserver({ list: api.list, namespaces: ['demo'], limit: 5, accept: rare, maxPages: 3 });
    expect(first.items).toEqual([]);
    expect(first.next).toEqual({ k: 'apiserver', ns: 'demo', c: '15' });
    expect(api.calls).toHaveLength(3);
    let cursor = first.next;
    const found: number[] = [];
    while (cursor) {
      const page = await pageFromApiserver({ list: api.list, namespaces: ['demo'], limit: 5, accept: rare, cursor, maxPages: 3 });
      found.push(...values(page.items));
      cursor = page.next;
    }
    expect(found).toEqual([90]);
  });

  it('walks several namespaces in order and resumes in the one it stopped in', async () => {
    const api = apiserver({ a: [1, 2], b: [3], c: [4, 5, 6] });
    const seen: number[] = [];
    const tokens: unknown[] = [];
    let cursor;
    do {
      const page = await pageFromApiserver({ list: api.list, namespaces: ['a', 'b', 'c'], limit: 2, cursor, maxPages: 10 });
      seen.push(...values(page.items));
      cursor = page.next;
      tokens.push(cursor);
    } while (cursor);
    expect(seen).toEqual([1, 2, 3, 4, 5, 6]);
    expect(tokens).toEqual([{ k: 'apiserver', ns: 'b' }, { k: 'apiserver', ns: 'c', c: '1' }, undefined]);
  });

  it('skips to the next namespace when the token\'s one is no longer listable', async () => {
    const api = apiserver({ a: [1], c: [4] });
    const page = await pageFromApiserver({ list: api.list, namespaces: ['a', 'c'], limit: 5, cursor: { k: 'apiserver', ns: 'b', c: '7' }, maxPages: 10 });
    expect(values(page.items)).toEqual([4]);
    expect(api.calls).toEqual([{ ns: 'c', limit: 5, continue: undefined }]);
  });

  it('leaves the namespace out of the token of a listing across every namespace', async () => {
    const api = apiserver({ a: [1, 2], b: [3] });
    const page = await pageFromApiserver({ list: api.list, namespaces: [undefined], limit: 2, maxPages: 10 });
    expect(page.next).toEqual({ k: 'apiserver', c: '2' });
    expect(api.calls).toEqual([{ ns: undefined, limit: 2, continue: undefined }]);
  });

  it('answers the lowest resourceVersion of the listings it made', async () => {
    const api = apiserver({ a: [1], b: [2] }, '42');
    expect((await pageFromApiserver({ list: api.list, namespaces: ['a', 'b'], limit: 5, maxPages: 10 })).resourceVersion).toBe('42');
  });
});
