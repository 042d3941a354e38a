// Search over a stored log without sending it: the log streams through, line by line, and only the numbers (and
// byte offsets) of matching lines come out. A regular expression runs inside a `vm` time box, so a pattern that
// backtracks catastrophically costs at most the caller's budget, not the manager's event loop for minutes.
import vm from 'node:vm';
import { LogError } from '../logs.errors';

export interface SearchQuery {
  /** A literal, or a JavaScript regular expression when `regex`. */
  pattern: string;
  regex: boolean;
  ignoreCase?: boolean;
}

export interface SearchMatch {
  /** 1-based line number. */
  line: number;
  /** Byte offset of the line's start. */
  offset: number;
}

export interface SearchResult {
  matches: SearchMatch[];
  /** The search stopped at `limit` matches (more may follow). */
  truncated: boolean;
  /** The time budget ran out before the end of the log: matches beyond `scannedBytes` were not looked for. */
  timedOut: boolean;
  scannedBytes: number;
}

export const MAX_PATTERN_LENGTH = 512;
/** Longer lines are searched in their first this many bytes. */
const MAX_LINE_SEARCHED = 64 * 1024;
/** Lines handed to the time box at once. */
const BATCH_BYTES = 1024 * 1024;

// In a function: a top-level `const` would be declared again by the context's second batch (a SyntaxError).
const TEST_BATCH = new vm.Script('(() => { const hits = []; for (let i = 0; i < lines.length; i++) if (re.test(lines[i])) hits.push(i); return hits; })()');

export function compileSearch(query: SearchQuery): (lines: string[], budgetMs: number) => number[] | 'timeout' {
  if (query.pattern.length === 0) throw new LogError('InvalidPattern', 'the search pattern is empty');
  if (query.pattern.length > MAX_PATTERN_LENGTH) throw new LogError('InvalidPattern', `the search pattern is longer than ${MAX_PATTERN_LENGTH} characters`);
  if (!query.regex) {
    const needle = query.ignoreCase ? query.pattern.toLowerCase() : query.pattern;
    return (lines) => lines.flatMap((l, i) => ((query.ignoreCase ? l.toLowerCase() : l).includes(needle) ? [i] : []));
  }
  let re: RegExp;
  try {
    // No `g` or `y`: test() keeps no state between lines.
    re = new RegExp(query.pattern, query.ignoreCase ? 'iu' : 'u');
  } catch (err) {
    throw new LogError('InvalidPattern', `the search pattern is not a valid regular expression: ${(err as Error).message.replace(/^Invalid regular expression: /, '')}`);
  }
  const context = vm.createContext({ re, lines: [] as string[] });
  return (lines, budgetMs) => {
    context.lines = lines;
    try {
      return TEST_BATCH.runInContext(context, { timeout: Math.max(1, Math.floor(budgetMs)) }) as number[];
    } catch (err) {
      if ((err as { code?: string }).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') return 'timeout';
      throw err;
    } finally {
      context.lines = [];
    }
  };
}

/** Scans `bytes` (a log from byte 0) for lines matching `query`, within `budgetMs`, up to `limit` matches. */
export async function searchLog(bytes: AsyncIterable<Buffer>, query: SearchQuery, options: { limit: number; budgetMs: number; now?: () => number }): Promise<SearchResult> {
  const test = compileSearch(query);
  const now = options.now ?? Date.now;
  const deadline = now() + options.budgetMs;
  const matches: SearchMatch[] = [];
  let batch: Array<{ text: string; line: number; offset: number }> = [];
  let batchBytes = 0;
  let line = 1;
  let lineStart = 0;
  let scanned = 0;
  let partial: Buffer[] = [];
  let partialBytes = 0;

  const flush = (): 'done' | 'timeout' | 'more' => {
    if (batch.length === 0) return 'more';
    const hits = test(batch.map((b) => b.text), deadline - now());
    if (hits === 'timeout' || now() > deadline) return 'timeout';
    for (const i of hits) {
      if (matches.length >= options.limit) return 'done';
      matches.push({ line: batch[i].line, offset: batch[i].offset });
    }
    scanned = batch[batch.length - 1].offset;
    batch = [];
    batchBytes = 0;
    return matches.length >= options.limit ? 'done' : 'more';
  };
  const addLine = (end: number) => {
    const text = Buffer.concat(partial).subarray(0, MAX_LINE_SEARCHED).toString('utf8');
    batch.push({ text, line, offset: lineStart });
    batchBytes += text.length;
    line++;
    lineStart = end;
    partial = [];
    partialBytes = 0;
  };

  let position = 0;
  for await (const buf of bytes) {
    let from = 0;
    let nl = buf.indexOf(0x0a);
    while (nl >= 0) {
      if (partialBytes < MAX_LINE_SEARCHED) partial.push(buf.subarray(from, nl));
      partialBytes += nl - from;
      addLine(position + nl + 1);
      from = nl + 1;
      nl = buf.indexOf(0x0a, from);
    }
    if (from < buf.length && partialBytes < MAX_LINE_SEARCHED) partial.push(Buffer.from(buf.subarray(from)));
    partialBytes += buf.length - from;
    position += buf.length;
    if (batchBytes >= BATCH_BYTES) {
      const state = flush();
      if (state === 'timeout') return { matches, truncated: false, timedOut: true, scannedBytes: scanned };
      if (state === 'done') return { matches, truncated: true, timedOut: false, scannedBytes: scanned };
    }
  }
  if (partialBytes > 0) addLine(position);
  const state = flush();
  if (state === 'timeout') return { matches, truncated: false, timedOut: true, scannedBytes: scanned };
  return { matches, truncated: state === 'done' && matches.length >= options.limit, timedOut: false, scannedBytes: position };
}
