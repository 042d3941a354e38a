// Rows of the virtualised list: the log's lines minus those inside collapsed sections (a collapsed section keeps
// its header row). Built from the collapsed sections only, so its cost is the number of sections, not of lines,
// and a row maps to its line (and back) by binary search.
import { sectionEnd, type LogSection } from './log-sections';
import { lastAtOrBefore } from './sorted-search';

export class RowModel {
  /** The visible rows. */
  readonly rows: number;
  /** The first line of each hidden range, its last line, and the lines hidden before it. */
  private readonly from: number[] = [];
  private readonly to: number[] = [];
  private readonly before: number[] = [];
  /** Header line -> its (outermost) section. */
  readonly headers = new Map<number, LogSection>();

  constructor(readonly total: number, sections: readonly LogSection[], isCollapsed: (s: LogSection) => boolean) {
    let hidden = 0;
    let lastEnd = 0;
    for (const s of sections) {
      if (!this.headers.has(s.start)) this.headers.set(s.start, s);
      if (!isCollapsed(s)) continue;
      const a = s.start + 1;
      const b = Math.min(sectionEnd(s), total);
      if (b < a || a <= lastEnd) continue; // empty, or inside a range already hidden
      this.from.push(a);
      this.to.push(b);
      this.before.push(hidden);
      hidden += b - a + 1;
      lastEnd = b;
    }
    this.rows = total - hidden;
  }

  /** Says which lines are hidden: two models with the same key map rows to lines alike. */
  hiddenKey(): string {
    return `${this.total}:${this.from.join(',')}:${this.to.join(',')}`;
  }

  /** The line (1-based) shown at row r (0-based). */
  rowToLine(r: number): number {
    // The last hidden range whose header row is at or before r: rows before range i are from[i] - 1 - before[i].
    let lo = 0;
    let hi = this.from.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.from[mid] - 1 - this.before[mid] <= r) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (found === -1) return r + 1;
    return r + 1 + this.before[found] + (this.to[found] - this.from[found] + 1);
  }

  /** The row showing line n: its own, or its collapsed section's header row. */
  lineToRow(n: number): number {
    const i = this.rangeAt(n);
    if (i === -1) return n - 1;
    if (n <= this.to[i]) return this.from[i] - 2 - this.before[i];
    return n - 1 - this.before[i] - (this.to[i] - this.from[i] + 1);
  }

  isHidden(n: number): boolean {
    const i = this.rangeAt(n);
    return i !== -1 && n <= this.to[i];
  }

  /** The last hidden range starting at or before line n, or -1. */
  private rangeAt(n: number): number {
    return lastAtOrBefore(this.from, n);
  }
}

/** The sections that hold line n (its header line excluded), outermost first. */
export function sectionsHolding(sections: readonly LogSection[], n: number): LogSection[] {
  return sections.filter((s) => s.start < n && n <= sectionEnd(s));
}
