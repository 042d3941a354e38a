// The streaming masker: bytes in, the same bytes with every secret form replaced by `***` out. A literal may be
// cut by a read boundary, so the last line waits until its newline arrives (or the stream ends) before it is
// masked and let out. A line longer than `maxLineBytes` is let out in part, keeping back only what could still
// begin a secret form, so memory stays bounded whatever a build prints.
import { ByteAutomaton } from './byte-automaton';
import { maskForms, type SecretSource } from './secret-forms';

export const MASK = Buffer.from('***');
export const MAX_LINE_BYTES = 1024 * 1024;
const NEWLINE = 0x0a;
const EMPTY = Buffer.alloc(0);

export class SecretMasker {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private readonly maxLineBytes: number;

  constructor(private readonly automaton: ByteAutomaton, options: { maxLineBytes?: number } = {}) {
    this.maxLineBytes = Math.max(options.maxLineBytes ?? MAX_LINE_BYTES, automaton.maxLength * 2);
  }

  /** A masker for these values; the warnings say which values (by source) are too short to be masked. */
  static for(secrets: readonly SecretSource[], options: { maxLineBytes?: number } = {}): { masker: SecretMasker; warnings: string[] } {
    const { forms, warnings } = maskForms(secrets);
    return { masker: new SecretMasker(new ByteAutomaton(forms.map((f) => Buffer.from(f, 'utf8'))), options), warnings };
  }

  /** Bytes held back: the start of a line whose end has not arrived. */
  get held(): number {
    return this.pendingBytes;
  }

  /** The masked bytes of every line completed by `data`; an incomplete last line waits for more. */
  push(data: Buffer): Buffer {
    if (data.length === 0) return EMPTY;
    const newline = data.lastIndexOf(NEWLINE);
    if (newline < 0) {
      this.hold(data);
      return this.pendingBytes > this.maxLineBytes ? this.releaseOverlong() : EMPTY;
    }
    const block = this.take(data.subarray(0, newline + 1));
    if (newline + 1 < data.length) this.hold(data.subarray(newline + 1));
    const masked = this.mask(block);
    return this.pendingBytes > this.maxLineBytes ? Buffer.concat([masked, this.releaseOverlong()]) : masked;
  }

  /** The end of the stream: whatever waits is masked and let out. */
  end(): Buffer {
    if (this.pendingBytes === 0) return EMPTY;
    return this.mask(this.take(EMPTY));
  }

  private hold(data: Buffer): void {
    // A copy: the caller's buffer may be reused.
    this.pending.push(Buffer.from(data));
    this.pendingBytes += data.length;
  }

  private take(tail: Buffer): Buffer {
    const block = this.pending.length === 0 ? tail : Buffer.concat([...this.pending, tail]);
    this.pending = [];
    this.pendingBytes = 0;
    return block;
  }

  /**
   * Lets out the start of an overlong line. Every form that begins before `cut` ends inside the buffer, so it is
   * found; a range that straddles the cut moves the cut back to its start and waits whole. Only when that would
   * let nothing out (one huge run of secrets) does the cut move forward past the range instead.
   */
  private releaseOverlong(): Buffer {
    const buf = this.take(EMPTY);
    const ranges = this.automaton.ranges(buf);
    let cut = buf.length - Math.max(0, this.automaton.maxLength - 1);
    const straddling = ranges.find(([start, end]) => start < cut && end > cut);
    if (straddling) cut = straddling[0] > 0 ? straddling[0] : straddling[1];
    if (cut < buf.length) this.hold(buf.subarray(cut));
    return replace(buf.subarray(0, cut), ranges.filter(([, end]) => end <= cut));
  }

  private mask(block: Buffer): Buffer {
    return replace(block, this.automaton.ranges(block));
  }
}

function replace(data: Buffer, ranges: Array<[number, number]>): Buffer {
  if (ranges.length === 0) return data;
  const parts: Buffer[] = [];
  let at = 0;
  for (const [start, end] of ranges) {
    parts.push(data.subarray(at, start), MASK);
    at = end;
  }
  parts.push(data.subarray(at));
  return Buffer.concat(parts);
}
