// What the viewer reads: a log of `total` lines of which some are loaded. The viewer asks for the lines it shows
// (ensure) and re-renders when the source says something changed (subscribe). StepLogStore reads the API;
// tests use MemoryLogSource.
import type { LineRange } from './line-links';
import { LineTimes, type TimeMarkPair } from './line-times';
export interface LogSnapshot {
  total: number;
  /** The log is sealed: no line will be added. */
  complete: boolean;
  /** Lines are being added live. */
  live: boolean;
  /** Set when the log cannot be read now (e.g. "log temporarily unavailable"). */
  degraded?: string;
  /** Some output could not be stored. */
  partial?: boolean;
  version: number;
}

export interface LogSearchOptions {
  ignoreCase: boolean;
  regex: boolean;
}

export interface LogSearchResult {
  /** Matching line numbers (1-based), in order. */
  lines: number[];
  /** Stopped at the limit: there may be more. */
  truncated: boolean;
  /** The search ran out of time before the end of the log. */
  timedOut?: boolean;
}

export interface LogSource {
  /** Searches the whole log, loaded or not (the API searches server-side). */
  search?(query: string, options: LogSearchOptions): Promise<LogSearchResult>;
  /** The same object until something changes (useSyncExternalStore compares it by identity). */
  snapshot(): LogSnapshot;
  /** The raw line (1-based), or undefined while not loaded. */
  lineAt(n: number): string | undefined;
  /** When line n was stored (epoch ms), or undefined when the log keeps no time for it (log-time.ts). */
  timeAt?(n: number): number | undefined;
  /** Asks for lines first..last (1-based, inclusive) to be loaded. */
  ensure(first: number, last: number): void;
  /** The runs of consecutive loaded lines, ascending (sections are parsed from these). Absent: every line of
   *  `total` is loaded. */
  loadedRanges?(): readonly LineRange[];
  subscribe(listener: () => void): () => void;
}

export class MemoryLogSource implements LogSource {
  private version = 0;
  private readonly listeners = new Set<() => void>();
  private snap: LogSnapshot | undefined;

  private readonly times: LineTimes;

  /** `times`: the log's time marks, as the line index answers them. */
  constructor(private readonly lines: string[], private complete = true, times: readonly TimeMarkPair[] = []) {
    this.times = new LineTimes(times);
  }

  snapshot(): LogSnapshot {
    this.snap ??= { total: this.lines.length, complete: this.complete, live: !this.complete, version: this.version };
    return this.snap;
  }

  lineAt(n: number): string | undefined {
    return this.lines[n - 1];
  }

  timeAt(n: number): number | undefined {
    return this.times.at(n);
  }

  ensure(): void {}

  loadedRanges(): LineRange[] {
    return this.lines.length ? [{ start: 1, end: this.lines.length }] : [];
  }

  async search(query: string, options: LogSearchOptions): Promise<LogSearchResult> {
    const flags = options.ignoreCase ? 'i' : '';
    const pattern = options.regex ? new RegExp(query, flags) : new RegExp(query.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), flags);
    const lines: number[] = [];
    this.lines.forEach((l, i) => {
      if (pattern.test(l)) lines.push(i + 1);
    });
    return { lines, truncated: false };
  }

  append(...lines: string[]): void {
    this.lines.push(...lines);
    this.version++;
    this.snap = undefined;
    for (const l of this.listeners) l();
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
