// A build's console log as Jenkins stores it: UTF-8 bytes in which some lines carry hidden ConsoleNote
// annotations (`ESC[8mha:...ESC[0m`). Plain-text readers (progressiveText, consoleText) strip the notes, but
// offsets (X-Text-Size) count the raw bytes: a client must resume from the header, never from the text length.
// Stored in blocks of 1 MiB, so a step printing 50 MB costs 50 MB, and a read from an offset copies only the rest.
import { createHash } from 'node:crypto';

const NOTE = /\u001b\[8mha:[^\u001b]*\u001b\[0m/g;
const BLOCK = 1024 * 1024;

export function stripNotes(text: string): string {
  return text.replace(NOTE, '');
}

/** A deterministic, note-like annotation (real ones are serialized Java objects in base64). */
function note(line: string): string {
  const payload = createHash('sha256').update(line).digest('base64');
  return `\u001b[8mha:////4${payload}${payload}\u001b[0m`;
}

export class ConsoleLog {
  private readonly blocks: Buffer[] = [];
  private used = 0;
  private size = 0;

  /** False until the first line is written: Jenkins then has no log file yet. */
  get exists(): boolean {
    return this.size > 0;
  }

  /** Raw length in bytes, notes included. */
  get length(): number {
    return this.size;
  }

  /** Appends one line; `annotated` lines (the `[Pipeline]` ones) carry a hidden note, as in Jenkins. */
  line(text: string, annotated = false): void {
    this.append(Buffer.from(`${annotated ? note(text) : ''}${text}\n`, 'utf8'));
  }

  /** Plain text from raw byte offset `start` to the end, and the raw offset to ask for next. */
  read(start: number): { text: string; next: number } {
    const { bytes, next } = this.readBytes(start);
    return { text: bytes.toString('utf8'), next };
  }

  /** The same as bytes: notes stripped, and the raw offset to ask for next. */
  readBytes(start: number): { bytes: Buffer; next: number } {
    const from = Math.max(0, Math.min(start, this.size));
    const parts: Buffer[] = [];
    for (let i = Math.floor(from / BLOCK); i < this.blocks.length; i++) {
      const blockStart = i * BLOCK;
      const end = Math.min(BLOCK, this.size - blockStart);
      parts.push(this.blocks[i].subarray(Math.max(0, from - blockStart), end));
    }
    const raw = Buffer.concat(parts);
    return { bytes: raw.includes(0x1b) ? Buffer.from(stripNotes(raw.toString('utf8')), 'utf8') : raw, next: this.size };
  }

  plain(): string {
    return this.read(0).text;
  }

  private append(data: Buffer): void {
    let at = 0;
    while (at < data.length) {
      if (this.blocks.length === 0 || this.used === BLOCK) {
        this.blocks.push(Buffer.allocUnsafe(BLOCK));
        this.used = 0;
      }
      const n = data.copy(this.blocks[this.blocks.length - 1], this.used, at);
      this.used += n;
      at += n;
    }
    this.size += data.length;
  }
}
