// The Times toggle's per-line column: when each line was stored, as a clock time or elapsed since the step start.
import { fireEvent, render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { PREFERENCES_KEY } from '../settings/preferences';
import { MemoryLogSource } from './log-source';
import { LINE_HEIGHT, LogViewer } from './LogViewer';

const START = Date.UTC(2026, 11, 3, 19, 0, 0);
const timeOf = (c: HTMLElement, n: number) => c.querySelector(`[data-line="${n}"] time`);
const mountedRows = (c: HTMLElement) => [...c.querySelectorAll<HTMLElement>('[data-line]')];

describe('LogViewer times', () => {
  it('shows each line\'s stored time, in the chosen zone, from the last mark at or before it', () => {
    localStorage.setItem(PREFERENCES_KEY, JSON.stringify({ timestamps: 'absolute', timeZone: 'UTC' }));
    const source = new MemoryLogSource(['a', 'b', 'c', 'd'], true, [[1, START + 1_000], [3, START + 65_000]]);
    const { container } = render(<LogViewer source={source} />);
    expect([1, 2, 3, 4].map((n) => timeOf(container, n)?.textContent)).toEqual(['19:00:01 UTC', '19:00:01 UTC', '19:01:05 UTC', '19:01:05 UTC']);
    expect(timeOf(container, 3)!.getAttribute('dateTime')).toBe('2026-12-03T19:01:05.000Z');
    // The column is not part of the line's text (copying the lines leaves it out, like the line numbers).
    expect(container.querySelector('[data-line="3"] [class*="text"]')!.textContent).toBe('c');
  });

  it('counts from the step\'s start with Elapsed, and shows no column with Times off', () => {
    localStorage.setItem(PREFERENCES_KEY, JSON.stringify({ timestamps: 'elapsed', timeZone: 'UTC' }));
    const source = new MemoryLogSource(['a', 'b'], true, [[1, START + 2_000], [2, START + 125_000]]);
    const { container } = render(<LogViewer source={source} stepStart="2026-12-03T19:00:00Z" />);
    expect([1, 2].map((n) => timeOf(container, n)?.textContent)).toEqual(['+2s', '+2m 5s']);
    fireEvent.change(screen.getByRole('combobox', { name: 'Times' }), { target: { value: 'off' } });
    expect(container.querySelector('time')).toBeNull();
  });

  it('says so when the log has no line times (stored before Keelson kept them), and shows no empty column', () => {
    localStorage.setItem(PREFERENCES_KEY, JSON.stringify({ timestamps: 'absolute', timeZone: 'UTC' }));
    const { container } = render(<LogViewer source={new MemoryLogSource(['a', 'b'])} />);
    expect(screen.getByText(/no line times/)).toBeTruthy();
    expect(container.querySelector('[data-line="1"]')!.children).toHaveLength(4); // number, fold gutter, mark, text
  });

  it('keeps the rows bounded for a 100,000-line log with a mark per line', () => {
    localStorage.setItem(PREFERENCES_KEY, JSON.stringify({ timestamps: 'absolute', timeZone: 'UTC' }));
    const lines = Array.from({ length: 100_000 }, (_, i) => `line ${i + 1}`);
    const marks = lines.map((_, i) => [i + 1, START + i * 1000] as const);
    const { container } = render(<LogViewer source={new MemoryLogSource(lines, true, marks)} />);
    const rows = mountedRows(container);
    expect(rows.length).toBeLessThanOrEqual(600 / LINE_HEIGHT + 2 * 20 + 2);
    expect(timeOf(container, 100_000)!.getAttribute('dateTime')).toBe(new Date(START + 99_999_000).toISOString());
  });
});
