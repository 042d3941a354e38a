// A step's log read from the API in pages aligned to its line index (docs/logs.md): page k holds lines
// 1 + k·every … (k+1)·every and is one ranged read, so line numbers are exact, the last page loads first
// (tail-first) and a jump to line 99,000 is one request. A live step is then followed from the last stored byte on
// the tab's one event stream (closed while the tab is hidden); its LOG frames carry whole lines. Times: the index's
// marks say when the stored lines were stored; a line appended live has the time it arrived, by this browser's clock.
import type { ApiClient } from '../api/client';
import { apiPaths } from '../api/paths';
import type { LogLineIndex } from '../api/types';
import type { StreamState } from '../events/event-stream';
import type { LogFollower } from '../events/log-follow';
import type { LineRange } from './line-links';
import { LineTimes } from './line-times';
import { splitLines } from './log-lines';
import type { LogSearchOptions, LogSearchResult, LogSnapshot, LogSource } from './log-source';

const SEARCH_LIMIT = 10_000;

export interface StepRef {
  ns: string;
  name: string;
  stage: number;
  step: number;
}

export class StepLogStore implements LogSource {
  private every = 1000;
  private offsets: number[] = [];
  private size = 0;
  private total = 0;
  private complete = false;
  private live = false;
  private degraded: string | undefined;
  private times = new LineTimes();
  private readonly pages = new Map<number, string[]>();
  private readonly loading = new Set<number>();
  private readonly listeners = new Set<() => void>();
  private version = 0;
  private readonly abort = new AbortController();
  /** Set when the first read failed: the page shows it. */
  error: unknown;
  ready = false;

  /** `logs`: the tab's event stream (stream-context.tsx), which carries a live step's log; without it none is followed. */
  constructor(
    private readonly api: ApiClient, private readonly ref: StepRef, private readonly tailPages = 2,
    private readonly logs?: LogFollower,
  ) {}

  /** Reads the index, then the last pages; then follows the step if it is not sealed. */
  async open(): Promise<void> {
    try {
      const index = await this.api.get<LogLineIndex>(apiPaths.logIndex(this.ref.ns, this.ref.name), {
        query: { stage: this.ref.stage, step: this.ref.step }, signal: this.abort.signal,
      });
      this.applyIndex(index);
      const last = this.offsets.length - 1;
      for (let k = Math.max(0, last - this.tailPages + 1); k <= last; k++) await this.loadPage(k);
      this.ready = true;
      this.changed();
      if (!this.complete) this.follow();
    } catch (err) {
      if (this.abort.signal.aborted) return;
      this.error = err;
      this.ready = true;
      this.changed();
    }
  }

  close(): void {
    this.abort.abort();
    this.listeners.clear();
  }

  private snap: LogSnapshot | undefined;

  snapshot(): LogSnapshot {
    this.snap ??= { total: this.total, complete: this.complete, live: this.live, degraded: this.degraded, version: this.version };
    return this.snap;
  }

  lineAt(n: number): string | undefined {
    return this.pages.get(Math.floor((n - 1) / this.every))?.[(n - 1) % this.every];
  }

  timeAt(n: number): number | undefined {
    return this.times.at(n);
  }

  ensure(first: number, last: number): void {
    if (this.total === 0) return;
    const a = Math.floor((Math.max(1, first) - 1) / this.every);
    const b = Math.floor((Math.min(this.total, last) - 1) / this.every);
    for (let k = a; k <= b; k++) if (!this.pages.has(k) && k < this.offsets.length) void this.loadPage(k).catch(() => undefined);
  }

  private ranges: { version: number; ranges: LineRange[] } | undefined;

  /** The loaded pages as runs of consecutive lines (a page read or filled live from its first line). */
  loadedRanges(): readonly LineRange[] {
    if (this.ranges?.version === this.version) return this.ranges.ranges;
    const ranges: LineRange[] = [];
    for (const k of [...this.pages.keys()].sort((a, b) => a - b)) {
      const page = this.pages.get(k)!;
      if (page.length === 0 || page[0] === undefined) continue;
      const start = k * this.every + 1;
      const end = Math.min(this.total, start + page.length - 1);
      const last = ranges[ranges.length - 1];
      if (last && last.end + 1 === start) last.end = end;
      else ranges.push({ start, end });
    }
    this.ranges = { version: this.version, ranges };
    return ranges;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Server-side search over every stored line (GET …/logs/search): numbers only, the text stays there. */
  async search(query: string, options: LogSearchOptions): Promise<LogSearchResult> {
    const answer = await this.api.get<{ matches: Array<{ line: number }>; truncated: boolean; timedOut: boolean }>(
      apiPaths.logSearch(this.ref.ns, this.ref.name), {
        query: {
          stage: this.ref.stage, step: this.ref.step, limit: SEARCH_LIMIT, ...(options.ignoreCase && { ignoreCase: '1' }),
          ...(options.regex ? { regex: query } : { q: query }),
        },
        signal: this.abort.signal,
      },
    );
    return { lines: answer.matches.map((m) => m.line), truncated: answer.truncated, timedOut: answer.timedOut };
  }

  /** The exact stored bytes, as a file the browser saves (the bearer token rules out a plain link). */
  async download(): Promise<Blob> {
    const res = await this.api.request('GET', apiPaths.logs(this.ref.ns, this.ref.name), {
      query: { stage: this.ref.stage, step: this.ref.step, download: 1 }, headers: { Accept: 'text/plain' }, signal: this.abort.signal,
    });
    return res.blob();
  }

  private applyIndex(index: LogLineIndex): void {
    this.every = index.every > 0 ? index.every : 1000;
    this.offsets = index.offsets;
    this.size = index.size;
    this.total = index.lines;
    this.complete = index.complete;
    this.times = new LineTimes(index.times ?? []);
  }

  private async loadPage(k: number): Promise<void> {
    if (this.loading.has(k) || this.pages.has(k)) return;
    const start = this.offsets[k];
    const end = k + 1 < this.offsets.length ? this.offsets[k + 1] : this.size;
    if (start === undefined || end <= start) {
      this.pages.set(k, []);
      return;
    }
    this.loading.add(k);
    try {
      const res = await this.api.request('GET', apiPaths.logs(this.ref.ns, this.ref.name), {
        query: { stage: this.ref.stage, step: this.ref.step },
        headers: { Range: `bytes=${start}-${end - 1}`, Accept: 'text/plain' },
        signal: this.abort.signal,
      });
      const lines = splitLines(await res.text());
      // Lines appended live to this page meanwhile stay after the stored ones.
      const appended = this.pages.get(k) ?? [];
      this.pages.set(k, [...lines, ...appended.slice(lines.length)]);
      this.changed();
    } finally {
      this.loading.delete(k);
    }
  }

  /**
   * Follows a live step from the last stored byte until LOG_END, on the tab's one event stream (console.md T4): that
   * stream closes while the tab is hidden and, when it reconnects, asks for the log from the bytes received.
   */
  private follow(): void {
    if (!this.logs || this.abort.signal.aborted) return;
    const interrupted = (detail?: string) => `Live log interrupted (${detail ?? 'the stream ended'}); reconnecting.`;
    const unfollow = this.logs.followLog(this.ref, this.size, {
      onText: (text) => {
        this.degraded = undefined;
        this.append(splitLines(text));
        this.changed();
      },
      onUnavailable: () => {
        this.degraded = 'Log temporarily unavailable: the log store does not answer; the stream waits for it.';
        this.changed();
      },
      onEnd: () => {
        this.complete = true;
        this.live = false;
        this.degraded = undefined;
        this.changed();
        unfollow();
      },
      onRefused: (err) => {
        this.live = false;
        this.degraded = `Live log not followed: ${err.problem.detail || err.message}`;
        this.changed();
      },
      onStreamState: (state: StreamState, detail?: string) => {
        this.live = state === 'open' || state === 'connecting' || state === 'retrying';
        if (state === 'retrying') this.degraded = interrupted(detail);
        else if (state === 'open' && this.degraded?.startsWith('Live log interrupted')) this.degraded = undefined;
        this.changed();
      },
    });
    this.abort.signal.addEventListener('abort', unfollow);
  }

  private append(lines: string[]): void {
    // Not stored yet as far as this page knows: the time they arrived (client clock, see the header).
    if (lines.length > 0) this.times.note(this.total + 1, Date.now());
    for (const line of lines) {
      const k = Math.floor(this.total / this.every);
      let page = this.pages.get(k);
      if (!page) {
        page = [];
        this.pages.set(k, page);
        this.offsets[k] ??= Number.NaN; // a page that exists only in memory: never read back
      }
      page[this.total % this.every] = line;
      this.total++;
    }
  }

  private changed(): void {
    this.version++;
    this.snap = undefined;
    for (const l of this.listeners) l();
  }
}
