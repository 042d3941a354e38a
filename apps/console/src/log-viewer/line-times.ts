// When each line of a step's log was stored, from the line index's time marks (docs/logs.md, "Times"): a mark
// [line, epochMs] gives its time to that line and those after it, up to the next mark. Lines appended live are
// noted with the time they arrived, by this browser's clock (the stored marks are MinIO's clock): the two can
// differ by the clocks' skew and the stream's delay.
import { lastAtOrBefore } from './sorted-search';

export type TimeMarkPair = readonly [line: number, epochMs: number];

export class LineTimes {
  private readonly lines: number[] = [];
  private readonly times: number[] = [];

  constructor(marks: readonly TimeMarkPair[] = []) {
    for (const [line, time] of marks) this.note(line, time);
  }

  get empty(): boolean {
    return this.lines.length === 0;
  }

  /**
   * `line` and the lines after it were stored at `time`. Ignored when it is not after the last mark (marks come in
   * line order) or falls in the same second as it (the store keeps one mark per second too).
   */
  note(line: number, time: number): void {
    if (!Number.isInteger(line) || line < 1 || !Number.isFinite(time)) return;
    const n = this.lines.length;
    if (n > 0 && (line <= this.lines[n - 1] || Math.floor(time / 1000) === Math.floor(this.times[n - 1] / 1000))) return;
    this.lines.push(line);
    this.times.push(time);
  }

  /** The time (epoch ms) of line n: that of the last mark at or before it; undefined before the first. */
  at(n: number): number | undefined {
    const found = lastAtOrBefore(this.lines, n);
    return found === -1 ? undefined : this.times[found];
  }
}
