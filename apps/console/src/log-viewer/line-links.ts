// Line permalinks: #L120 and #L120-L140 (console.md §6.2 item 5). Lines count from 1.
export interface LineRange {
  start: number;
  end: number;
}

export function parseLineHash(hash: string): LineRange | undefined {
  const m = /^#?L(\d{1,9})(?:-L?(\d{1,9}))?$/.exec(hash.trim());
  if (!m) return undefined;
  const a = Number(m[1]);
  const b = m[2] === undefined ? a : Number(m[2]);
  if (a < 1 || b < 1) return undefined;
  return { start: Math.min(a, b), end: Math.max(a, b) };
}

export function formatLineHash(range: LineRange): string {
  return range.start === range.end ? `#L${range.start}` : `#L${range.start}-L${range.end}`;
}

/** A click on line n: alone it selects n; with shift it extends the current selection to n. */
export function selectLine(current: LineRange | undefined, n: number, extend: boolean): LineRange {
  if (!extend || !current) return { start: n, end: n };
  return { start: Math.min(current.start, n), end: Math.max(current.start, n) };
}
