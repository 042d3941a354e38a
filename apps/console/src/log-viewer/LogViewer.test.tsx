import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { MemoryLogSource } from './log-source';
import { LINE_HEIGHT, LogViewer } from './LogViewer';

function bigLog(n: number): string[] {
  return Array.from({ length: n }, (_, i) => (i % 10 === 0 ? `\u001b[32mline ${i + 1}\u001b[0m ok` : `line ${i + 1}`));
}

function mountedRows(container: HTMLElement): HTMLElement[] {
  return [...container.querySelectorAll<HTMLElement>('[data-line]')];
}

describe('LogViewer', () => {
  it('mounts a bounded number of rows for a 100,000-line log, starting at its end (tail first)', () => {
    const { container } = render(<LogViewer source={new MemoryLogSource(bigLog(100_000))} initialHeight={600} />);
    const rows = mountedRows(container);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.length).toBeLessThanOrEqual(600 / LINE_HEIGHT + 2 * 10 + 2); // the viewport plus the overscan
    expect(rows.at(-1)!.dataset.line).toBe('100000');
    expect(screen.getByText('100,000 lines')).toBeTruthy();
    // The scroll area is as tall as the whole log, so the scrollbar stands for every line.
    expect(container.querySelector<HTMLElement>('[data-testid="log-scroll"] > div')!.style.height).toBe(`${100_000 * LINE_HEIGHT}px`);
  });

  it('renders ANSI as spans with classes and markup as text, never as HTML', () => {
    const source = new MemoryLogSource(['\u001b[1;31mERROR\u001b[0m <b>not bold</b>', 'plain']);
    const { container } = render(<LogViewer source={source} />);
    const error = screen.getByText('ERROR');
    expect(error.tagName).toBe('SPAN');
    expect(error.className.split(' ')).toEqual(expect.arrayContaining(['fg-red', 'bold']));
    expect(container.querySelector('b')).toBeNull();
    expect(screen.getByText('<b>not bold</b>', { exact: false })).toBeTruthy();
  });

  it('shows a \\r progress line at its last state', () => {
    render(<LogViewer source={new MemoryLogSource(['Downloading 10%\rDownloading 60%\rDownloading 100%'])} />);
    expect(screen.getByText('Downloading 100%')).toBeTruthy();
    expect(screen.queryByText(/10%/)).toBeNull();
  });

  it('highlights the lines of #L120-L140, mounts them, and reports clicks on line numbers', () => {
    const onSelect = vi.fn();
    const { container } = render(<LogViewer source={new MemoryLogSource(bigLog(100_000))} highlight={{ start: 99_000, end: 99_002 }} onSelectLine={onSelect} />);
    const marked = mountedRows(container).filter((r) => r.className.includes('highlight'));
    expect(marked.map((r) => r.dataset.line)).toEqual(['99000', '99001', '99002']);
    fireEvent.click(screen.getByRole('link', { name: '99001' }), { shiftKey: true });
    expect(onSelect).toHaveBeenCalledWith(99_001, true);
  });

  it('follows new lines while at the end; scrolling up pauses it and offers Jump to live', () => {
    const source = new MemoryLogSource(bigLog(1000), false);
    const { container } = render(<LogViewer source={source} initialHeight={600} />);
    act(() => source.append('new line 1001'));
    expect(mountedRows(container).at(-1)!.dataset.line).toBe('1001');
    expect(screen.queryByRole('button', { name: /jump to live/i })).toBeNull();

    const scroll = container.querySelector<HTMLElement>('[data-testid="log-scroll"]')!;
    act(() => scroll.scrollTo({ top: 0 })); // the user scrolls to the top
    const jump = screen.getByRole('button', { name: /jump to live/i });
    act(() => source.append('new line 1002'));
    expect(mountedRows(container).some((r) => r.dataset.line === '1002')).toBe(false); // paused: stays where the user is

    fireEvent.click(jump);
    expect(mountedRows(container).at(-1)!.dataset.line).toBe('1002');
    expect(screen.queryByRole('button', { name: /jump to live/i })).toBeNull();
  });

  it('designs the empty states', () => {
    const { rerender } = render(<LogViewer source={new MemoryLogSource([], true)} />);
    expect(screen.getByText('This step printed nothing.')).toBeTruthy();
    rerender(<LogViewer source={new MemoryLogSource([], false)} />);
    expect(screen.getByText('Waiting for output…')).toBeTruthy();
  });
});

describe('LogViewer search', () => {
  it('finds every match over the whole log, goes to the next and previous, and marks the current line', async () => {
    const { userEvent } = await import('@testing-library/user-event');
    const user = userEvent.setup();
    const lines = bigLog(100_000);
    lines[1_499] = 'FATAL: first';
    lines[88_799] = 'fatal: second';
    const { container } = render(<LogViewer source={new MemoryLogSource(lines)} />);
    const box = screen.getByRole('searchbox', { name: 'Search the log' });
    await user.type(box, 'fatal{Enter}');
    expect(await screen.findByText('1 of 2')).toBeTruthy();
    const current = () => container.querySelector<HTMLElement>('[aria-current="true"]')?.dataset.line;
    expect(current()).toBe('1500');
    await user.type(box, '{Enter}');
    expect(screen.getByText('2 of 2')).toBeTruthy();
    expect(current()).toBe('88800');
    await user.type(box, '{Shift>}{Enter}{/Shift}');
    expect(current()).toBe('1500');
    await user.click(screen.getByRole('checkbox', { name: 'Aa' })); // case-sensitive now
    await user.type(box, '{Enter}');
    expect(await screen.findByText('1 of 1')).toBeTruthy();
    expect(current()).toBe('88800');
    await user.clear(box);
    await user.type(box, 'nowhere{Enter}');
    expect(await screen.findByText('No match')).toBeTruthy();
  });
});

describe('LogViewer next error', () => {
  it('finds error words (also right after an ANSI colour), not parts of other words, and goes from one to the next', async () => {
    const { ERROR_PATTERN } = await import('./LogViewer');
    const re = new RegExp(ERROR_PATTERN, 'i');
    for (const yes of ['ERROR: x', 'make: *** [all] Error 2', '\u001b[1;31mERROR\u001b[0m x', 'tests FAILED', 'panic: nil map', 'java.lang.RuntimeException: x']) {
      expect({ line: yes, match: re.test(yes) }).toEqual({ line: yes, match: !yes.includes('RuntimeException') });
    }
    for (const no of ['terror', 'errorless', 'all good', 'failedover']) expect({ line: no, match: re.test(no) }).toEqual({ line: no, match: false });

    const lines = bigLog(5000);
    lines[99] = '\u001b[31mERROR\u001b[0m one';
    lines[3999] = 'build failed';
    const { container } = render(<LogViewer source={new MemoryLogSource(lines)} />);
    const current = () => container.querySelector<HTMLElement>('[aria-current="true"]')?.dataset.line;
    fireEvent.click(screen.getByRole('button', { name: 'Next error' }));
    await waitFor(() => expect(current()).toBe('100')); // from the end of the log (tail first) it wraps to the first
    fireEvent.click(screen.getByRole('button', { name: 'Next error' }));
    await waitFor(() => expect(current()).toBe('4000'));
  });
});
