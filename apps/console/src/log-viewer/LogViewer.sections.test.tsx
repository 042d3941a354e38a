// The viewer's sections, marks, links, wrap and preferences (LogViewer.test.tsx covers the rest).
import { act, fireEvent, render, screen, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { PREFERENCES_KEY } from '../settings/preferences';
import { MemoryLogSource } from './log-source';
import { LINE_HEIGHT, LogViewer } from './LogViewer';

const E = '\u001b';
const mountedRows = (c: HTMLElement) => [...c.querySelectorAll<HTMLElement>('[data-line]')];
const canvasHeight = (c: HTMLElement) => c.querySelector<HTMLElement>('[data-testid="log-scroll"] > div')!.style.height;
const BOUND = 600 / LINE_HEIGHT + 2 * 10 + 2;

/** 100,000 lines in 100 groups of 1000 (header, 998 lines, end), each collapsed at first as GitHub does. */
function groupedLog(): string[] {
  return Array.from({ length: 100_000 }, (_, i) => {
    const k = Math.floor(i / 1000);
    if (i % 1000 === 0) return `::group::chunk ${k}`;
    if (i % 1000 === 999) return '::endgroup::';
    return `chunk ${k} line ${i + 1}`;
  });
}

describe('LogViewer sections', () => {
  it('shows collapsed groups as one row each, with line counts; expanding one keeps the mounted rows bounded', () => {
    const { container } = render(<LogViewer source={new MemoryLogSource(groupedLog())} />);
    expect(canvasHeight(container)).toBe(`${100 * LINE_HEIGHT}px`); // 100 headers
    const last = mountedRows(container).at(-1)!;
    expect(last.dataset.line).toBe('99001');
    expect(within(last).getByText('1,000 lines')).toBeTruthy();
    expect(last.textContent).toContain('chunk 99');
    expect(last.textContent).not.toContain('::group::'); // the title, as GitHub shows it
    const expand = within(last).getByRole('button', { name: 'Expand section chunk 99' });
    expect(expand.getAttribute('aria-expanded')).toBe('false');
    fireEvent.click(expand);
    expect(canvasHeight(container)).toBe(`${(100 + 999) * LINE_HEIGHT}px`);
    expect(mountedRows(container).length).toBeLessThanOrEqual(BOUND);
    expect(mountedRows(container).at(-1)!.dataset.line).toBe('100000'); // still following the end
    const scroll = container.querySelector<HTMLElement>('[data-testid="log-scroll"]')!;
    act(() => scroll.scrollTo({ top: 99 * LINE_HEIGHT })); // up to the header
    fireEvent.click(screen.getByRole('button', { name: 'Collapse section chunk 99' }));
    expect(canvasHeight(container)).toBe(`${100 * LINE_HEIGHT}px`);
  });

  it('finds a line inside a collapsed section and opens the section to show it, even after the user closed it', async () => {
    const { userEvent } = await import('@testing-library/user-event');
    const user = userEvent.setup();
    const lines = groupedLog();
    lines[50_004] = 'the needle';
    const { container } = render(<LogViewer source={new MemoryLogSource(lines)} />);
    const current = () => container.querySelector<HTMLElement>('[aria-current="true"]')?.dataset.line;
    const box = screen.getByRole('searchbox', { name: 'Search the log' });
    await user.type(box, 'needle{Enter}');
    expect(await screen.findByText('1 of 1')).toBeTruthy();
    expect(current()).toBe('50005');
    expect(mountedRows(container).length).toBeLessThanOrEqual(BOUND);
    const header = screen.getByRole('button', { name: 'Collapse section chunk 50' });
    await user.click(header); // the user folds it again
    expect(current()).toBeUndefined();
    await user.type(box, '{Enter}'); // next match (the same one): opened again
    expect(current()).toBe('50005');
  });

  it('opens the section holding a linked line (#L5-L6)', () => {
    const { container } = render(<LogViewer source={new MemoryLogSource(groupedLog())} highlight={{ start: 5, end: 6 }} />);
    const marked = mountedRows(container).filter((r) => r.className.includes('highlight'));
    expect(marked.map((r) => r.dataset.line)).toEqual(['5', '6']);
    expect(screen.getByRole('button', { name: 'Collapse section chunk 0' })).toBeTruthy();
  });

  it('makes each set -x command a section (open), with GitLab sections timed in the chosen zone or from the step start', () => {
    localStorage.setItem(PREFERENCES_KEY, JSON.stringify({ timestamps: 'absolute', timeZone: 'UTC' }));
    const source = new MemoryLogSource([
      '+ npm ci', 'added 1 package',
      `${E}[0Ksection_start:1700000000:tests\r${E}[0KRunning tests`, 'ok', `section_end:1700000065:tests\r${E}[0K`,
    ]);
    const { container, rerender } = render(<LogViewer source={source} stepStart="2023-11-14T22:13:00Z" />);
    expect(screen.getByRole('button', { name: 'Collapse section npm ci' })).toBeTruthy();
    expect(container.querySelector('[data-line="1"] [data-section-meta]')!.textContent).toBe('2 lines');
    const header = container.querySelector<HTMLElement>('[data-line="3"]')!;
    expect(within(header).getByText('Running tests')).toBeTruthy();
    expect(header.querySelector('[data-section-meta]')!.textContent).toMatch(/^3 lines · 1m 5s · 22:13:20 UTC$/);
    expect(screen.getByText(/started 22:13:00 UTC/)).toBeTruthy();
    fireEvent.change(screen.getByRole('combobox', { name: 'Times' }), { target: { value: 'elapsed' } });
    rerender(<LogViewer source={source} stepStart="2023-11-14T22:13:00Z" />);
    expect(header.querySelector('[data-section-meta]')!.textContent).toBe('3 lines · 1m 5s · +20s');
    fireEvent.change(screen.getByRole('combobox', { name: 'Times' }), { target: { value: 'off' } });
    expect(header.querySelector('[data-section-meta]')!.textContent).toBe('3 lines · 1m 5s');
    expect(JSON.parse(localStorage.getItem(PREFERENCES_KEY)!).timestamps).toBe('off');
  });

  it('shows a section whose start is not loaded yet as continuing from above', () => {
    const lines = Array.from({ length: 3000 }, (_, i) => `line ${i + 1}`);
    lines[1999] = '::group::early'; // line 2000, not loaded
    lines[2049] = '::endgroup::';
    class TailOnly extends MemoryLogSource {
      lineAt(n: number) {
        return n > 2000 ? super.lineAt(n) : undefined;
      }
      loadedRanges() {
        return [{ start: 2001, end: 3000 }];
      }
    }
    const { container } = render(<LogViewer source={new TailOnly(lines)} highlight={{ start: 2001, end: 2001 }} />);
    const first = container.querySelector<HTMLElement>('[data-line="2001"]')!;
    expect(first.querySelector('[data-section-meta]')!.textContent).toBe('started above the loaded lines · 50 lines');
    expect(container.querySelector('[data-line="2000"] [aria-busy="true"]')).toBeTruthy(); // not loaded: pending
  });
});

describe('LogViewer marks, links, wrap and preferences', () => {
  it('tints error and warning lines with a glyph and a word for screen readers', () => {
    const { container } = render(<LogViewer source={new MemoryLogSource(['ERROR: it broke', 'npm WARN deprecated x', 'fine'])} />);
    const [error, warning, fine] = mountedRows(container);
    expect(error.className).toContain('error');
    expect(error.querySelector('.visually-hidden')!.textContent).toBe('error: ');
    expect(error.textContent).toContain('✖');
    expect(warning.className).toContain('warning');
    expect(warning.querySelector('.visually-hidden')!.textContent).toBe('warning: ');
    expect(fine.dataset.severity).toBeUndefined();
    expect(fine.querySelector('.visually-hidden')).toBeNull();
  });

  it('links http(s) URLs in a new tab without opener or referrer, and leaves javascript: as text', () => {
    render(<LogViewer source={new MemoryLogSource([`see ${E}[34mhttps://ci.example.com/r/1${E}[0m or javascript:alert(1)`])} />);
    const link = screen.getByRole('link', { name: 'https://ci.example.com/r/1' });
    expect(link.getAttribute('href')).toBe('https://ci.example.com/r/1');
    expect(link.getAttribute('rel')).toBe('noopener noreferrer');
    expect(link.getAttribute('target')).toBe('_blank');
    expect(screen.getAllByRole('link').map((a) => a.textContent)).toEqual(['1', 'https://ci.example.com/r/1']); // the line number and the URL
    expect(screen.getByText(/javascript:alert\(1\)/).tagName).toBe('SPAN');
  });

  it('wraps long lines when asked, measuring each row, and keeps the choice', () => {
    // jsdom has no layout: a wrapped line 2 is three rows tall.
    const height = vi.spyOn(HTMLElement.prototype, 'offsetHeight', 'get').mockImplementation(function (this: HTMLElement) {
      return this.dataset.line === '2' ? 3 * LINE_HEIGHT : LINE_HEIGHT;
    });
    try {
      const lines = Array.from({ length: 10 }, (_, i) => (i === 1 ? 'x'.repeat(500) : `line ${i + 1}`));
      const { container } = render(<LogViewer source={new MemoryLogSource(lines)} />);
      const scroll = container.querySelector<HTMLElement>('[data-testid="log-scroll"]')!;
      expect(canvasHeight(container)).toBe(`${10 * LINE_HEIGHT}px`);
      const wrap = screen.getByRole('button', { name: 'Wrap' });
      expect(wrap.getAttribute('aria-pressed')).toBe('false');
      fireEvent.click(wrap);
      expect(wrap.getAttribute('aria-pressed')).toBe('true');
      expect(scroll.dataset.wrap).toBe('true');
      expect(scroll.className).toContain('wrap');
      expect(canvasHeight(container)).toBe(`${12 * LINE_HEIGHT}px`);
      expect(JSON.parse(localStorage.getItem(PREFERENCES_KEY)!).wrap).toBe(true);
      fireEvent.click(wrap);
      expect(canvasHeight(container)).toBe(`${10 * LINE_HEIGHT}px`);
    } finally {
      height.mockRestore();
    }
  });

  it('reads the font size and wrap from the stored preferences; rows stay bounded at 100,000 lines with wrap on', () => {
    localStorage.setItem(PREFERENCES_KEY, JSON.stringify({ fontSize: 15, wrap: true }));
    const { container } = render(<LogViewer source={new MemoryLogSource(Array.from({ length: 100_000 }, (_, i) => `line ${i + 1}`))} />);
    const scroll = container.querySelector<HTMLElement>('[data-testid="log-scroll"]')!;
    expect(scroll.style.fontSize).toBe('15px');
    expect(scroll.style.getPropertyValue('--log-line-height')).toBe('24px');
    expect(scroll.dataset.wrap).toBe('true');
    expect(mountedRows(container).length).toBeLessThanOrEqual(600 / 24 + 2 * 20 + 2);
    act(() => undefined);
  });
});
