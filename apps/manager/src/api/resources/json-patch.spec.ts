import { applyJsonPatch, applyMergePatch, deepEqual, PatchError } from './json-patch';

describe('applyMergePatch (RFC 7396)', () => {
  // The examples of RFC 7396 §3.
  it.each<[unknown, unknown, unknown]>([
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [['a', 'b'], ['c', 'd'], ['c', 'd']],
    [{ a: 'b' }, ['c'], ['c']],
    [{ a: 'foo' }, null, null],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ])('%j patched with %j is %j', (target, patch, expected) => {
    expect(applyMergePatch(target, patch)).toEqual(expected);
  });

  it('leaves the target as it was', () => {
    const target = { spec: { a: 1 } };
    applyMergePatch(target, { spec: { a: 2 } });
    expect(target).toEqual({ spec: { a: 1 } });
  });

  it('takes __proto__ as an ordinary key, never as the prototype', () => {
    const result = applyMergePatch({}, JSON.parse('{"__proto__": {"polluted": true}, "a": 1}')) as Record<string, unknown>;
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(result.polluted).toBeUndefined();
    expect(Object.keys(result)).toEqual(['__proto__', 'a']);
  });
});

describe('applyJsonPatch (RFC 6902)', () => {
  const doc = { metadata: { labels: { 'a/b': 'x' } }, spec: { list: [1, 2, 3], flag: false } };

  it('adds, removes, replaces, moves, copies and tests', () => {
    const result = applyJsonPatch(doc, [
      { op: 'test', path: '/spec/flag', value: false },
      { op: 'add', path: '/spec/list/1', value: 9 },
      { op: 'add', path: '/spec/list/-', value: 4 },
      { op: 'remove', path: '/spec/list/0' },
      { op: 'replace', path: '/spec/flag', value: true },
      { op: 'copy', from: '/spec/flag', path: '/spec/copied' },
      { op: 'move', from: '/metadata/labels/a~1b', path: '/metadata/labels/moved' },
    ]);
    expect(result).toEqual({ metadata: { labels: { moved: 'x' } }, spec: { list: [9, 2, 3, 4], flag: true, copied: true } });
    expect(doc.spec.list).toEqual([1, 2, 3]);
  });

  it('replaces the whole document at the empty pointer', () => {
    expect(applyJsonPatch({ a: 1 }, [{ op: 'replace', path: '', value: { b: 2 } }])).toEqual({ b: 2 });
  });

  it.each<[string, unknown, string]>([
    ['a failed test', [{ op: 'test', path: '/spec/flag', value: true }], '/0'],
    ['a missing path', [{ op: 'add', path: '/spec/missing/x', value: 1 }], '/0'],
    ['a replace of nothing', [{ op: 'replace', path: '/spec/nothing', value: 1 }], '/0'],
    ['an index out of range', [{ op: 'add', path: '/spec/list/9', value: 1 }], '/0'],
    ['a bad index', [{ op: 'remove', path: '/spec/list/01' }], '/0'],
    ['an unknown op', [{ op: 'merge', path: '/spec' }], '/0/op'],
    ['no value', [{ op: 'add', path: '/spec/x' }], '/0/value'],
    ['no from', [{ op: 'move', path: '/spec/x' }], '/0/from'],
    ['a move into itself', [{ op: 'move', from: '/spec', path: '/spec/inner' }], '/0/path'],
    ['a pointer without a slash', [{ op: 'remove', path: 'spec' }], '/0'],
    ['the second operation', [{ op: 'test', path: '/spec/flag', value: false }, { op: 'remove', path: '/nope' }], '/1'],
    ['not an array', { op: 'add' }, ''],
  ])('names %s by its pointer into the patch', (_what, patch, pointer) => {
    let error: unknown;
    try {
      applyJsonPatch(doc, patch);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(PatchError);
    expect((error as PatchError).pointer).toBe(pointer);
  });

  it('refuses more than 1000 operations', () => {
    expect(() => applyJsonPatch({}, Array.from({ length: 1001 }, () => ({ op: 'test', path: '', value: {} })))).toThrow(/at most 1000/);
  });

  it('adds __proto__ as an own key', () => {
    const result = applyJsonPatch({ a: {} }, [{ op: 'add', path: '/a/__proto__', value: { polluted: true } }]) as { a: Record<string, unknown> };
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(result.a)).toEqual(['__proto__']);
  });
});

describe('deepEqual', () => {
  it('compares JSON values by content, key order aside', () => {
    expect(deepEqual({ a: [1, { b: 2 }], c: null }, { c: null, a: [1, { b: 2 }] })).toBe(true);
    expect(deepEqual({ a: 1 }, { a: 1, b: undefined })).toBe(false);
    expect(deepEqual([1], { 0: 1 })).toBe(false);
  });
});
