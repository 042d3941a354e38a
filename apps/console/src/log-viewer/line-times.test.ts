import { describe, expect, it } from 'vitest';
import { LineTimes } from './line-times';

const T0 = Date.UTC(2026, 11, 3, 19, 0, 0);

describe('LineTimes', () => {
  it('gives each line the time of the last mark at or before it', () => {
    const times = new LineTimes([[1, T0], [5, T0 + 2000], [9, T0 + 7000]]);
    expect([1, 4, 5, 8, 9, 100_000].map((n) => times.at(n))).toEqual([T0, T0, T0 + 2000, T0 + 2000, T0 + 7000, T0 + 7000]);
  });

  it('has no time for a line before the first mark, nor for any line of a log without marks', () => {
    expect(new LineTimes([[3, T0]]).at(2)).toBeUndefined();
    const none = new LineTimes();
    expect(none.empty).toBe(true);
    expect(none.at(1)).toBeUndefined();
  });

  it('notes lines appended live after the stored marks, one mark per second', () => {
    const times = new LineTimes([[1, T0]]);
    times.note(10, T0 + 500); // same second as line 1: line 10 keeps line 1's time
    times.note(11, T0 + 3000);
    times.note(11, T0 + 9000); // not after the last mark: ignored
    expect(times.at(10)).toBe(T0);
    expect(times.at(11)).toBe(T0 + 3000);
    expect(times.at(12)).toBe(T0 + 3000);
  });

  it('ignores marks that are not a line and a time', () => {
    const times = new LineTimes([[0, T0], [2, Number.NaN], [1.5, T0]]);
    expect(times.empty).toBe(true);
  });
});
