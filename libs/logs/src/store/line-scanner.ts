// Counting lines and noting where every N-th begins, over a log that streams by: the line index is built while
// a log is sealed (or read live), holding one number per N lines, never the log.
import { LINE_INDEX_EVERY } from './log-keys';

export class LineScanner {
  /** Byte offset of line 1, 1 + every, 1 + 2·every, ... */
  readonly offsets: number[] = [];
  private newlines = 0;
  private bytes = 0;
  private lastByte = -1;

  constructor(readonly every = LINE_INDEX_EVERY) {}

  push(data: Buffer): void {
    if (data.length === 0) return;
    if (this.bytes === 0) this.offsets.push(0);
    let at = data.indexOf(0x0a);
    while (at >= 0) {
      this.newlines++;
      // The line after this newline starts at the next byte: it is line newlines + 1.
      if (this.newlines % this.every === 0) this.offsets.push(this.bytes + at + 1);
      at = data.indexOf(0x0a, at + 1);
    }
    this.bytes += data.length;
    this.lastByte = data[data.length - 1];
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
