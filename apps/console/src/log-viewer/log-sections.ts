// Collapsible sections of a log, from the markers builds print:
// - GitHub Actions: `::group::<title>` … `::endgroup::` (also `##[group]` / `##[endgroup]`); collapsed at first;
// - GitLab: `section_start:<unix>:<name>[collapsed=true]\r\e[0K<header>` … `section_end:<unix>:<name>\r\e[0K`,
//   anywhere in a line (the runner prefixes `\e[0K`, and an end and a start can share a line); their unix times
//   are the only times a stored log carries, so only they give a section a duration;
// - Keelson's own step scripts run under `/bin/sh -xe` (libs/engine-jenkins step-script), so the shell echoes each
//   command as `+ <command>` before its output: each such line starts a command section that lasts until the next
//   command or marker. `++` lines (command substitutions) stay inside the command that runs them.
//
// Sections are derived from the loaded lines only: a log read tail-first has blocks of consecutive loaded lines
// with gaps between them, and each block is parsed on its own. An end marker without its start in a block that
// does not begin at line 1 means a section began above what is loaded: the block's first line stands for it
// (`continued`). A streamed chunk extends its block's parse where it stopped (nothing is re-split); a page loaded
// just above a block is parsed and the block appended to it without re-parsing its lines, unless the page ends
// inside an explicit section (then the block's lines are parsed again, since they sit inside it).
import type { LineRange } from './line-links';

export type SectionKind = 'group' | 'gitlab' | 'command' | 'continued';

export interface LogSection {
  /** Stable while the lines do not change: the collapse state is kept by it. */
  id: string;
  kind: SectionKind;
  /** The group's title, the GitLab header (or its name), or the command. */
  title: string;
  /** GitLab's section name (what its end marker names). */
  name?: string;
  /** The header line (1-based). */
  start: number;
  /** The last line, or undefined while the section is open (then it reaches `loadedEnd`). */
  end?: number;
  /** The last loaded line of its block: where an open section stops for now. */
  loadedEnd: number;
  /** How many explicit sections hold this one. */
  depth: number;
  /** Unix seconds of GitLab's section_start / section_end. */
  startTime?: number;
  endTime?: number;
  collapsedByDefault: boolean;
}

export type LineMarker =
  | { type: 'start'; kind: 'group' | 'gitlab'; name: string; title: string; time?: number; collapsed: boolean }
  | { type: 'end'; kind: 'group' | 'gitlab'; name?: string; time?: number }
  | { type: 'command'; command: string };

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;?]*[A-Za-z]/g;
const GROUP_START = /^(?:::group::|##\[group\])(.*)$/;
const GROUP_END = /^(?:::endgroup::|##\[endgroup\])/;
// eslint-disable-next-line no-control-regex
const GITLAB = /section_(start|end):(\d+):([A-Za-z0-9_.-]+)(?:\[([^\]\r\n]*)\])?\r(?:\u001b\[0K)?/g;

/** The section markers of one raw line, in order. */
export function lineMarkers(raw: string): LineMarker[] {
  const first = raw.charCodeAt(0);
  // A cheap test first: most lines have no marker.
  if (first === 43 /* + */) {
    if (raw.startsWith('+ ') && raw.length > 2) return [{ type: 'command', command: stripAnsi(raw.slice(2)).trim() }];
    return [];
  }
  if (raw.includes('section_')) {
    const out: LineMarker[] = [];
    GITLAB.lastIndex = 0;
    for (let m = GITLAB.exec(raw); m; m = GITLAB.exec(raw)) {
      const time = Number(m[2]);
      if (m[1] === 'end') out.push({ type: 'end', kind: 'gitlab', name: m[3], time });
      else {
        // The header runs to the next marker or the end of the line.
        const rest = raw.slice(GITLAB.lastIndex);
        const next = rest.search(/section_(?:start|end):\d+:/);
        const title = stripAnsi(next === -1 ? rest : rest.slice(0, next)).replace(/\r/g, '').trim();
        out.push({ type: 'start', kind: 'gitlab', name: m[3], title: title || m[3], time, collapsed: /(?:^|,)\s*collapsed\s*=\s*true\b/.test(m[4] ?? '') });
      }
    }
    if (out.length) return out;
  }
  if (raw.includes('group')) {
    const plain = stripAnsi(raw).replace(/\r$/, '');
    const start = GROUP_START.exec(plain);
    if (start) return [{ type: 'start', kind: 'group', name: start[1].trim(), title: start[1].trim() || 'group', collapsed: true }];
    if (GROUP_END.test(plain)) return [{ type: 'end', kind: 'group' }];
  }
  return [];
}

export function stripAnsi(s: string): string {
  return s.includes('\u001b') ? s.replace(ANSI, '') : s;
}

/** One block of consecutive loaded lines and the parse state at its last line. */
class Block {
  last: number;
  readonly sections: LogSection[] = [];
  /** Open explicit sections, outermost first. */
  private stack: LogSection[] = [];
  private command: LogSection | undefined;
  private continued: LogSection | undefined;
  /** The first line with a marker: before it, the block's lines belong to no section of its own. */
  private firstMarker: number | undefined;

  constructor(readonly first: number) {
    this.last = first - 1;
  }

  /** Parses the block's next line. */
  push(raw: string | undefined): void {
    const n = ++this.last;
    if (raw !== undefined) {
      for (const m of lineMarkers(raw)) {
        this.firstMarker ??= n;
        this.apply(m, n);
      }
    }
    for (const s of this.stack) s.loadedEnd = n;
    if (this.command) this.command.loadedEnd = n;
  }

  /** Appends the block that starts right after this one without parsing its lines again, when the result is the
   *  same as parsing them: this block must end with no explicit section open (the next block was parsed from an
   *  empty stack). A command open here runs on to the next block's first marker; the next block's "started
   *  above" section now starts above this block. Returns false when a re-parse is needed. */
  absorb(next: Block): boolean {
    if (this.stack.length > 0 || next.first !== this.last + 1) return false;
    if (this.command) {
      if (next.firstMarker === undefined) this.command.loadedEnd = next.last;
      else {
        this.command.end = Math.max(this.command.start, next.firstMarker - 1);
        this.command.loadedEnd = this.command.end;
        this.command = undefined;
      }
    }
    let moved = next.sections;
    if (next.continued) {
      const carried = next.continued;
      moved = moved.filter((s) => s !== carried);
      if (this.first > 1) {
        this.continued ??= this.sectionAt('continued', carried.title, this.first, false, `continued:${this.first}`);
        this.continued.end = carried.end;
        this.continued.endTime = carried.endTime;
        this.continued.loadedEnd = carried.loadedEnd;
      }
    }
    for (const s of moved) this.sections.push(s);
    this.last = next.last;
    this.stack = next.stack;
    this.command = next.command ?? this.command;
    this.firstMarker ??= next.firstMarker;
    return true;
  }

  private apply(m: LineMarker, n: number): void {
    if (m.type === 'command') {
      this.closeCommand(n - 1);
      this.command = this.open('command', m.command, n, false);
      return;
    }
    this.closeCommand(n - 1);
    if (m.type === 'start') {
      const s = this.open(m.kind, m.title, n, m.collapsed, m.name);
      s.startTime = m.time;
      this.stack.push(s);
      return;
    }
    // An end closes its section and any left open inside it (unterminated).
    let at = -1;
    for (let i = this.stack.length - 1; i >= 0; i--) {
      const s = this.stack[i];
      if (s.kind === m.kind && (m.kind === 'group' || s.name === m.name)) {
        at = i;
        break;
      }
    }
    if (at === -1) {
      // Its start is above the loaded lines (or the log never printed it, at line 1: a stray end is ignored).
      if (this.first > 1 && this.stack.length === 0) {
        this.continued ??= this.sectionAt('continued', m.name ? `${m.name} (started above)` : 'section started above', this.first, false, `continued:${this.first}`);
        this.continued.end = n;
        this.continued.endTime = m.time;
        this.continued.loadedEnd = n;
      }
      return;
    }
    const closed = this.stack.splice(at);
    for (const s of closed) {
      s.end = n;
      s.loadedEnd = n;
    }
    closed[0].endTime = m.time; // the ones left open inside it get no duration
  }

  private closeCommand(end: number): void {
    if (!this.command) return;
    this.command.end = Math.max(this.command.start, end);
    this.command.loadedEnd = this.command.end;
    this.command = undefined;
  }

  private open(kind: SectionKind, title: string, n: number, collapsed: boolean, name?: string): LogSection {
    const s = this.sectionAt(kind, title, n, collapsed, name === undefined ? `${n}:${kind}` : `${n}:${kind}:${name}`);
    if (name !== undefined && kind === 'gitlab') s.name = name;
    return s;
  }

  private sectionAt(kind: SectionKind, title: string, n: number, collapsed: boolean, id: string): LogSection {
    const s: LogSection = { id, kind, title, start: n, loadedEnd: n, depth: this.stack.length, collapsedByDefault: collapsed };
    if (kind === 'continued') this.sections.unshift(s);
    else this.sections.push(s);
    return s;
  }
}

/** The sections of a log, kept up to date as lines load or stream in. */
export class SectionIndex {
  private blocks: Block[] = [];
  private list: LogSection[] = [];
  /** Bumped whenever the sections change. */
  version = 0;
  /** Lines parsed so far (tests prove a streamed line is parsed once). */
  parsedLines = 0;
  /** Blocks appended to a page loaded above them without a re-parse. */
  absorbed = 0;

  /** Brings the index up to the loaded ranges (consecutive, ascending, non-overlapping). */
  sync(ranges: readonly LineRange[], lineAt: (n: number) => string | undefined): void {
    let changed = ranges.length !== this.blocks.length;
    const next: Block[] = [];
    const old = new Map(this.blocks.map((b) => [b.first, b]));
    for (const r of ranges) {
      // Continue the block that starts here, or start one; then walk to the range's end, taking over the blocks
      // already parsed inside it (a page loaded above or between them) and parsing only the new lines.
      let block = old.get(r.start);
      if (!block || block.last > r.end) {
        block = new Block(r.start);
        changed = true;
      } else old.delete(r.start);
      while (block.last < r.end) {
        changed = true;
        const known = old.get(block.last + 1);
        if (known && known.last <= r.end) {
          old.delete(known.first);
          if (block.absorb(known)) {
            this.absorbed++;
            continue;
          }
        }
        block.push(lineAt(block.last + 1));
        this.parsedLines++;
      }
      next.push(block);
    }
    if (!changed && next.every((b, i) => b === this.blocks[i])) return;
    this.blocks = next;
    // The lists are concatenated, never re-parsed: ordered by header line.
    this.list = next.length === 1 ? next[0].sections : next.flatMap((b) => b.sections);
    this.version++;
  }

  sections(): readonly LogSection[] {
    return this.list;
  }
}

/** The line a section reaches now. */
export function sectionEnd(s: LogSection): number {
  return s.end ?? s.loadedEnd;
}

/** Seconds between a GitLab section's start and end, when it has both. */
export function sectionSeconds(s: LogSection): number | undefined {
  return s.startTime !== undefined && s.endTime !== undefined ? s.endTime - s.startTime : undefined;
}
