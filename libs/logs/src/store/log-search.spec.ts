import { LineScanner } from './line-scanner';
import fc from 'fast-check';
import { compileSearch, searchLog, type SearchMatch, type SearchQuery } from './log-search';

async function* from(...parts: Array<string | Buffer>): AsyncGenerator<Buffer> {
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

  it('keeps the matches of the batches searched within the budget and says where it stopped', async () => {
    let clock = 0;
    async function* slowly(): AsyncGenerator<Buffer> {
      yield Buffer.from('needle 1\nneedle 2\n');
      clock = 1000; // the next read arrives after the budget
      yield Buffer.from('needle 3\n');
    }
    const result = await searchLog(slowly(), { pattern: 'NEEDLE', regex: false, ignoreCase: true }, { limit: 10, budgetMs: 100, now: () => clock, batchBytes: 9 });
    expect(result).toEqual({ matches: [{ line: 1, offset: 0 }, { line: 2, offset: 9 }], truncated: false, timedOut: true, scannedBytes: 18 });
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

describe('searchLog against the line-by-line reading it replaces', () => {
  /** The simple reading: split the log at each newline, decode each line's first `maxLine` bytes, test it alone. */
  function reference(log: Buffer, query: SearchQuery, limit: number, maxLine: number): SearchMatch[] {
    const test = compileSearch(query);
    const out: SearchMatch[] = [];
    let start = 0;
    for (let line = 1; start < log.length && out.length < limit; line++) {
      const nl = log.indexOf(0x0a, start);
      const end = nl === -1 ? log.length : nl;
      const hits = test([log.subarray(start, Math.min(end, start + maxLine)).toString('utf8')], 10_000);
      if (hits !== 'timeout' && hits.length > 0) out.push({ line, offset: start });
      start = end + 1;
    }
    return out;
  }

  // Letters whose lower case is not a byte-for-byte map (Kelvin sign, dotted I, sigmas), multi-byte characters,
  // bytes that are not UTF-8, carriage returns and newlines.
  const pieces = ['a', 'b', 'A', 'Z', 'z', '@', '[', '`', '{', 'K', 'k', '\u212A', 'I', 'i', '\u0130', '\u0307', 'Σ', 'σ', 'ς', 'Α', 'é', 'É', '€', '😀', ' ', '\r', '\n', '\n', '\n', '\ufffd'];
  const rawPiece = fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...pieces).map((p) => Buffer.from(p)) },
    { weight: 2, arbitrary: fc.constant(Buffer.from('\n')) },
    { weight: 1, arbitrary: fc.constantFrom([0xff], [0xc3], [0xe2, 0x82], [0xf0, 0x9f, 0x98], [0x80]).map((b) => Buffer.from(b)) },
  );
  const logArb = fc.array(rawPiece, { maxLength: 60 }).map((parts) => Buffer.concat(parts));
  const patternArb = fc.array(fc.constantFrom(...pieces.filter((p) => p !== '\n'), 'ab', 'k\u0307'), { minLength: 1, maxLength: 3 }).map((p) => p.join(''));
  const queryArb = fc.oneof(
    fc.record({ pattern: patternArb, regex: fc.constant(false), ignoreCase: fc.boolean() }),
    fc.record({ pattern: fc.constantFrom('^a', 'k$', 'σ|ς', '[ab]{2}', '.\\r', '^$', '\\u{1F600}', 'a\\n?b'), regex: fc.constant(true), ignoreCase: fc.boolean() }),
  );

  it('finds the same lines at the same offsets, however the log is cut into reads, batches and long lines', async () => {
    await fc.assert(fc.asyncProperty(
      logArb, queryArb, fc.option(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 5 }))), fc.array(fc.nat(), { maxLength: 8 }),
      fc.integer({ min: 0, max: 6 }), fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 40 }),
      async (log, generated, slice, cutsAt, limit, maxLineBytes, batchBytes) => {
        // Often a literal taken from the log itself, so that there is something to find.
        const taken = slice && !generated.regex ? log.subarray(slice[0] % (log.length + 1), (slice[0] % (log.length + 1)) + slice[1]).toString('utf8') : '';
        const query = taken ? { ...generated, pattern: taken } : generated;
        const cuts = [...new Set(cutsAt.map((c) => c % (log.length + 1)))].sort((a, b) => a - b);
        const reads = [0, ...cuts].map((c, i, all) => log.subarray(c, all[i + 1] ?? log.length));
        const result = await searchLog(from(...reads), query, { limit, budgetMs: 10_000, maxLineBytes, batchBytes });
        const expected = reference(log, query, limit, maxLineBytes);
        expect(result.matches).toEqual(expected);
        expect(result.truncated).toBe(log.length > 0 && expected.length >= limit);
        expect(result.timedOut).toBe(false);
        if (!result.truncated) expect(result.scannedBytes).toBe(log.length);
      },
    ), { numRuns: 1000 });
  });

  it('finds a literal a read cuts in the middle of a character, and only in the part of a long line it looks at', async () => {
    const log = Buffer.from('skip\nxx😀yy\nzz😀\n');
    const split = log.indexOf(Buffer.from('😀')) + 2;
    const found = await searchLog(from(log.subarray(0, split), log.subarray(split)), { pattern: '😀', regex: false }, { limit: 10, budgetMs: 1000, maxLineBytes: 5 });
    // Both emoji end at their line's 6th byte: past the first 5 bytes, within the first 6.
    expect(found.matches).toEqual([]);
    const whole = await searchLog(from(log.subarray(0, split), log.subarray(split)), { pattern: '😀', regex: false }, { limit: 10, budgetMs: 1000, maxLineBytes: 6 });
    expect(whole.matches).toEqual([{ line: 2, offset: 5 }, { line: 3, offset: 14 }]);
  });
});
