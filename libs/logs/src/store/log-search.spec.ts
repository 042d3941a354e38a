import { LineScanner } from './line-scanner';
import { searchLog } from './log-search';

async function* from(...parts: string[]): AsyncGenerator<Buffer> {
  for (const p of parts) yield Buffer.from(p);
}

describe('searchLog', () => {
  it('answers the numbers and offsets of matching lines, lines cut across reads included', async () => {
    const result = await searchLog(from('ok\nerr', 'or one\nfine\nerror two'), { pattern: 'error', regex: false }, { limit: 10, budgetMs: 1000 });
    expect(result).toEqual({ matches: [{ line: 2, offset: 3 }, { line: 4, offset: 18 }], truncated: false, timedOut: false, scannedBytes: 27 });
  });

  it('matches a regular expression, case-insensitively on request, and stops at the limit', async () => {
    const text = Array.from({ length: 50 }, (_, i) => `line ${i} ${i % 2 ? 'WARN' : 'info'}\n`).join('');
    const result = await searchLog(from(text), { pattern: '^line \\d+ warn$', regex: true, ignoreCase: true }, { limit: 3, budgetMs: 1000 });
    expect(result.matches.map((m) => m.line)).toEqual([2, 4, 6]);
    expect(result.truncated).toBe(true);
  });

  it('searches a log of several batches with a regular expression (the time box runs again in the same context)', async () => {
    const line = `${'x'.repeat(1000)}\n`;
    const text = `${line.repeat(3000)}needle 1\n${line.repeat(3000)}needle 2\n`;
    const result = await searchLog(from(text.slice(0, 3_500_000), text.slice(3_500_000)), { pattern: 'needle \\d', regex: true }, { limit: 10, budgetMs: 10_000 });
    expect(result.matches.map((m) => m.line)).toEqual([3001, 6002]);
  });

  it('stops a catastrophic pattern at the time budget instead of blocking the process', async () => {
    const started = Date.now();
    const result = await searchLog(from(`${'a'.repeat(40)}!\n`), { pattern: '^(a+)+$', regex: true }, { limit: 10, budgetMs: 200 });
    expect(result.timedOut).toBe(true);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('refuses an invalid pattern with the reason, and an empty one', async () => {
    await expect(searchLog(from('x\n'), { pattern: '(', regex: true }, { limit: 1, budgetMs: 100 })).rejects.toMatchObject({ code: 'InvalidPattern' });
    await expect(searchLog(from('x\n'), { pattern: '', regex: false }, { limit: 1, budgetMs: 100 })).rejects.toMatchObject({ code: 'InvalidPattern' });
  });
});

describe('LineScanner', () => {
  it('notes the offset of every N-th line and counts a last line without its newline', () => {
    const scanner = new LineScanner(2);
    for (const part of ['a\nbb\nc', 'cc\nd\n', 'e']) scanner.push(Buffer.from(part));
    // Lines: 1 "a" @0, 2 "bb" @2, 3 "ccc" @5, 4 "d" @9, 5 "e" @11.
    expect(scanner.index).toEqual([0, 5, 11]);
    expect(scanner.lines).toBe(5);
    expect(scanner.size).toBe(12);
  });

  it('has no entry past the end of a log that ends with a newline', () => {
    const scanner = new LineScanner(2);
    scanner.push(Buffer.from('a\nb\n'));
    expect(scanner.index).toEqual([0]);
    expect(scanner.lines).toBe(2);
  });
});
