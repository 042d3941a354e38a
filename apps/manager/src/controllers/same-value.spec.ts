import { sameValue } from './same-value';

describe('sameValue', () => {
  it('ignores key order and undefined members, as the apiserver stores them', () => {
    expect(sameValue({ type: 'Ready', status: 'True', message: undefined }, { status: 'True', type: 'Ready' })).toBe(true);
    expect(sameValue([{ b: 1, a: 2 }], [{ a: 2, b: 1 }])).toBe(true);
  });

  it('sees a changed value or a reordered list', () => {
    expect(sameValue({ a: 1 }, { a: 2 })).toBe(false);
    expect(sameValue([1, 2], [2, 1])).toBe(false);
    expect(sameValue(undefined, {})).toBe(false);
  });
});
