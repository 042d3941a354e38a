// What one page load costs the viewer, counted rather than timed (console.md T5: no long task while a 100,000-line
// log loads page by page as it scrolls): the work must be the page's, not the whole log's.
import { act, render } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LineRange } from './line-links';
import { RowModel } from './log-rows';
import type { LogSnapshot, LogSource } from './log-source';
import { LogViewer } from './LogViewer';

const EVERY = 1000;

/** A sealed log read in pages of 1000 lines, as StepLogStore reads it; pages load when the test says. */
class PagedSource implements LogSource {
  private readonly pages = new Set<number>();
  private readonly listeners = new Set<() => void>();
  private snap: LogSnapshot = { total: 0, complete: true, live: false, version: 0 };

  constructor(private readonly lines: string[]) {
    this.snap = { ...this.snap, total: lines.length };
  }

  load(k: number): void {
    this.pages.add(k);
    this.snap = { ...this.snap, version: this.snap.version + 1 };
    for (const l of this.listeners) l();
  }

  snapshot(): LogSnapshot {
    return this.snap;
  }

  lineAt(n: number): string | undefined {
    return this.pages.has(Math.floor((n - 1) / EVERY)) ? this.lines[n - 1] : undefined;
  }

  ensure(): void {}

  loadedRanges(): LineRange[] {
    const ranges: LineRange[] = [];
    for (const k of [...this.pages].sort((a, b) => a - b)) {
      const start = k * EVERY + 1;
      const end = Math.min(this.lines.length, start + EVERY - 1);
      const last = ranges.at(-1);
      if (last && last.end + 1 === start) last.end = end;
      else ranges.push({ start, end });
    }
    return ranges;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/** The console benchmark's kind of log: ANSI colours, every tenth line long; with sections, a shell command
 *  (`set -x`) every 100 lines, open at first, so that a page adds sections but hides no line. */
function log(n: number, sections: boolean): string[] {
  return Array.from({ length: n }, (_, i) => {
    if (sections && i % 100 === 0) return `+ make part-${i / 100}`;
    return i % 10 === 9 ? `\u001b[36m${'long '.repeat(60)}\u001b[0m line ${i + 1}` : `line ${i + 1}: \u001b[32mok\u001b[0m`;
  });
}

afterEach(() => vi.restoreAllMocks());

describe('LogViewer paging', () => {
  it.each([['without sections', false], ['with sections', true]])('maps only the rows it shows when a page loads (%s), not every line of the log', (_, sections) => {
    const source = new PagedSource(log(100_000, sections));
    source.load(98);
    source.load(99);
    render(<LogViewer source={source} initialHeight={600} />);
    const rowToLine = vi.spyOn(RowModel.prototype, 'rowToLine');
    const lineAt = vi.spyOn(source, 'lineAt');
    const mapped: number[] = [];
    const read: number[] = [];
    for (let k = 0; k < 10; k++) {
      rowToLine.mockClear();
      lineAt.mockClear();
      act(() => source.load(k));
      mapped.push(rowToLine.mock.calls.length);
      read.push(lineAt.mock.calls.length);
    }
    // A render maps the mounted rows (the viewport and the overscan) a few times; re-keying the whole log would
    // map all 100,000 rows.
    expect(Math.max(...mapped)).toBeLessThan(2000);
    // Sections are parsed from the new page's 1000 lines only (and the mounted rows read their text).
    expect(Math.max(...read)).toBeLessThan(1200);
    expect(Math.min(...read)).toBeGreaterThanOrEqual(1000);
  });
});
