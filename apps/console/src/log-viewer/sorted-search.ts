// One binary search for the viewer's sorted number lists (hidden ranges, time marks).

/** The index of the last entry of `sorted` (ascending) at or before `n`, or -1 when every entry is after it. */
export function lastAtOrBefore(sorted: readonly number[], n: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] <= n) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}
