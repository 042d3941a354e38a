// A log's reads regrouped as batches of whole lines, for search: lines are cut where reads end (a UTF-8
// character too), so a batch holds only complete lines, each cut to the bytes search looks at. Lines that sit
// whole inside one read are not copied one by one: a batch is a few large slices of the reads, joined once.
// The reads are kept until their batch is out, so a source must not reuse its buffers (streams do not).

export interface LineBatch {
  /** The lines, each cut to `maxLineBytes` and ended by `\n` (the log's last line may have none). */
  bytes: Buffer;
  /** Per line: where it ends in `bytes` (the index of its `\n`, or `bytes.length`). */
  ends: number[];
  /** Per line: the byte offset in the log where it starts. */
  starts: number[];
  /** The number (1-based) of the batch's first line. */
  firstLine: number;
  /** The byte offset in the log just after the batch's last line. */
  endOffset: number;
}

const NEWLINE = Buffer.from('\n');

export class LineBatcher {
  private segments: Buffer[] = [];
  private size = 0;
  private ends: number[] = [];
  private starts: number[] = [];
  private firstLine = 1;
  private nextLine = 1;
  /** The log offset of the line not yet ended, and its first bytes (up to maxLineBytes) from earlier reads. */
  private lineStart = 0;
  private carry: Buffer[] = [];
  private carryBytes = 0;
  private carrying = false;
  private position = 0;

  constructor(private readonly maxLineBytes: number, private readonly batchBytes: number) {}

  /** Takes the next read; answers the batches it completed (most reads complete none). */
  push(buf: Buffer): LineBatch[] {
    const out: LineBatch[] = [];
    let from = 0;
    /** Start of the current run of lines that are whole in this read and short enough: one slice later. */
    let run = 0;
    for (let nl = buf.indexOf(0x0a); nl >= 0; nl = buf.indexOf(0x0a, from)) {
      if (this.carrying) {
        this.keep(buf, 0, nl);
        this.add(Buffer.concat([...this.carry, NEWLINE]));
        this.carry = [];
        this.carryBytes = 0;
        this.carrying = false;
        run = nl + 1;
      } else if (nl - from > this.maxLineBytes) {
        this.add(buf.subarray(run, from));
        this.add(Buffer.concat([buf.subarray(from, from + this.maxLineBytes), NEWLINE]));
        run = nl + 1;
      }
      this.ends.push(this.size + (nl - run));
      this.starts.push(this.lineStart);
      this.nextLine++;
      this.lineStart = this.position + nl + 1;
      from = nl + 1;
      if (this.size + (from - run) >= this.batchBytes) {
        this.add(buf.subarray(run, from));
        run = from;
        out.push(this.emit());
      }
    }
    this.add(buf.subarray(run, from));
    if (from < buf.length) {
      this.carrying = true;
      this.keep(buf, from, buf.length);
    }
    this.position += buf.length;
    return out;
  }

  /** The log ended: the last batch, with a last line that has no newline. */
  end(): LineBatch | undefined {
    if (this.carrying) {
      this.add(Buffer.concat(this.carry));
      this.ends.push(this.size);
      this.starts.push(this.lineStart);
      this.nextLine++;
      this.lineStart = this.position;
      this.carry = [];
      this.carrying = false;
    }
    return this.ends.length > 0 ? this.emit() : undefined;
  }

  /** Keeps a copy of a line's bytes from `from` to `to` of this read, as far as search looks at them. */
  private keep(buf: Buffer, from: number, to: number): void {
    const take = Math.min(to - from, this.maxLineBytes - this.carryBytes);
    if (take <= 0) return;
    this.carry.push(Buffer.from(buf.subarray(from, from + take)));
    this.carryBytes += take;
  }

  private add(bytes: Buffer): void {
    if (bytes.length === 0) return;
    this.segments.push(bytes);
    this.size += bytes.length;
  }

  private emit(): LineBatch {
    const batch: LineBatch = {
      bytes: this.segments.length === 1 ? this.segments[0] : Buffer.concat(this.segments, this.size),
      ends: this.ends, starts: this.starts, firstLine: this.firstLine, endOffset: this.lineStart,
    };
    this.segments = [];
    this.size = 0;
    this.ends = [];
    this.starts = [];
    this.firstLine = this.nextLine;
    return batch;
  }
}
