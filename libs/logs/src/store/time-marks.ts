// When a step's lines were stored (docs/logs.md, "Times"). Jenkins' plain output has no time per line, so the
// time is the write time of the chunk a line starts in: a mark {line, time} says that `line` is the first line
// starting in a chunk written at `time` (epoch ms), and a line's time is that of the last mark at or before it.
// A mark in the same second as the one before it is dropped, so a log has at most one mark per second of its run.

export interface TimeMark {
  /** 1-based. */
  line: number;
  /** Epoch milliseconds. */
  time: number;
}

/** Appends a mark, unless it falls in the same second as the last mark kept (or is not a time at all). */
export function addTimeMark(marks: TimeMark[], line: number, time: number): void {
  if (!Number.isFinite(time)) return;
  const last = marks[marks.length - 1];
  if (last && Math.floor(last.time / 1000) === Math.floor(time / 1000)) return;
  marks.push({ line, time });
}

/** The `times` object's text: one mark per text line, `<line> <epoch ms>`. */
export function encodeTimeMarks(marks: readonly TimeMark[]): string {
  return marks.map((m) => `${m.line} ${m.time}\n`).join('');
}

/** Reads a `times` object; a line that is not two numbers is skipped (a reader never fails on times). */
export function decodeTimeMarks(text: string): TimeMark[] {
  const marks: TimeMark[] = [];
  for (const row of text.split('\n')) {
    const m = /^(\d+) (\d+)$/.exec(row);
    if (m) marks.push({ line: Number(m[1]), time: Number(m[2]) });
  }
  return marks;
}

/** The time of line n: the last mark at or before it, or undefined before the first mark. */
export function lineTime(marks: readonly TimeMark[], n: number): number | undefined {
  let lo = 0;
  let hi = marks.length - 1;
  let found: number | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (marks[mid].line <= n) {
      found = marks[mid].time;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}
