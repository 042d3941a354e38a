// A build's console log as Jenkins stores it: UTF-8 bytes in which some lines carry hidden ConsoleNote
// annotations (`ESC[8mha:...ESC[0m`). Plain-text readers (progressiveText, consoleText) strip the notes, but
// offsets (X-Text-Size) count the raw bytes: a client must resume from the header, never from the text length.
import { createHash } from 'node:crypto';

const NOTE = /\u001b\[8mha:[^\u001b]*\u001b\[0m/g;

export function stripNotes(text: string): string {
  return text.replace(NOTE, '');
}

/** A deterministic, note-like annotation (real ones are serialized Java objects in base64). */
function note(line: string): string {
  const payload = createHash('sha256').update(line).digest('base64');
  return `\u001b[8mha:////4${payload}${payload}\u001b[0m`;
}

export class ConsoleLog {
  private readonly chunks: Buffer[] = [];
  private size = 0;

  /** False until the first line is written: Jenkins then has no log file yet. */
  get exists(): boolean {
    return this.chunks.length > 0;
  }

  /** Raw length in bytes, notes included. */
  get length(): number {
    return this.size;
  }

  /** Appends one line; `annotated` lines (the `[Pipeline]` ones) carry a hidden note, as in Jenkins. */
  line(text: string, annotated = false): void {
    const chunk = Buffer.from(`${annotated ? note(text) : ''}${text}\n`, 'utf8');
    this.chunks.push(chunk);
    this.size += chunk.length;
  }

  /** Plain text from raw byte offset `start` to the end, and the raw offset to ask for next. */
  read(start: number): { text: string; next: number } {
    const raw = Buffer.concat(this.chunks, this.size);
    const from = Math.max(0, Math.min(start, raw.length));
    return { text: stripNotes(raw.subarray(from).toString('utf8')), next: raw.length };
  }

  plain(): string {
    return this.read(0).text;
  }
}
