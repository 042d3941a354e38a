// Counting lines and noting where every N-th begins, over a log that streams by: the line index is built while
// a log is sealed (or read live), holding one number per N lines, never the log. Told where each chunk starts
// (mark), it also notes the first line that starts in each chunk with the chunk's time (time-marks.ts).
import { LINE_INDEX_EVERY } from './log-keys';
import { addTimeMark, type TimeMark } from './time-marks';

export class LineScanner {
  /** Byte offset of line 1, 1 + every, 1 + 2·every, ... */
  readonly offsets: number[] = [];
  private newlines = 0;
  private bytes = 0;
  private lastByte = -1;
  /** Time marks, at most one per second (time-marks.ts). */
  readonly marks: TimeMark[] = [];
  /** The time of the chunk being pushed, until a line starts in it. */
  private markTime: number | undefined;

  constructor(readonly every = LINE_INDEX_EVERY) {}

  /**
   * The bytes pushed from now on are a chunk stored at `time` (epoch ms; undefined: unknown): the first line
   * that starts in them is marked with it. A chunk in which no line starts (the middle of a long line) has no
   * mark; the next chunk's mark replaces it.
   */
  mark(time: number | undefined): void {
    this.markTime = time;
  }

  push(data: Buffer): void {
    if (data.length === 0) return;
    if (this.bytes === 0) this.offsets.push(0);
    if (this.markTime !== undefined && (this.bytes === 0 || this.lastByte === 0x0a)) this.resolveMark();
    let at = data.indexOf(0x0a);
    while (at >= 0) {
      this.newlines++;
      // The line after this newline starts at the next byte: it is line newlines + 1.
      if (this.newlines % this.every === 0) this.offsets.push(this.bytes + at + 1);
      // A newline at the end of `data` starts a line only if more bytes come (checked on the next push).
      if (this.markTime !== undefined && at + 1 < data.length) this.resolveMark();
      at = data.indexOf(0x0a, at + 1);
    }
    this.bytes += data.length;
    this.lastByte = data[data.length - 1];
  }

  /** Marks the line that starts next (line newlines + 1) with the chunk's time. */
  private resolveMark(): void {
    addTimeMark(this.marks, this.newlines + 1, this.markTime!);
    this.markTime = undefined;
  }

  get size(): number {
    return this.bytes;
  }

  /** Lines, the last one counted also without its newline. */
  get lines(): number {
    return this.newlines + (this.bytes > 0 && this.lastByte !== 0x0a ? 1 : 0);
  }

  /** Entries that point at a line that exists (not at the end of a log ending with a newline). */
  get index(): number[] {
    return this.offsets.filter((o) => o < this.bytes);
  }
}
