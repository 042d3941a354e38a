// Search over a stored log without sending it: the log streams through in batches of whole lines (about 1 MiB,
// searched at once: batch-matchers.ts), and only the numbers (and byte offsets) of matching lines come out. A regular expression runs inside a `vm` time box, so a pattern that
// backtracks catastrophically costs at most the caller's budget, not the manager's event loop for minutes.
import vm from 'node:vm';
import { LogError } from '../logs.errors';
import { batchMatcher } from './batch-matchers';
import { LineBatcher, type LineBatch } from './line-batches';

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
/** Lines searched at once (and handed to the time box at once). */
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
export async function searchLog(
  bytes: AsyncIterable<Buffer>, query: SearchQuery,
  options: { limit: number; budgetMs: number; now?: () => number; /** Tests: smaller lines and batches. */ maxLineBytes?: number; batchBytes?: number },
): Promise<SearchResult> {
  const match = batchMatcher(query, compileSearch(query));
  const now = options.now ?? Date.now;
  const deadline = now() + options.budgetMs;
  const batcher = new LineBatcher(options.maxLineBytes ?? MAX_LINE_SEARCHED, options.batchBytes ?? BATCH_BYTES);
  const matches: SearchMatch[] = [];
  let scanned = 0;

  /** A batch's matches count only when it was searched within the budget. */
  const search = (batch: LineBatch): 'done' | 'timeout' | 'more' => {
    const hits = match(batch, deadline - now(), options.limit - matches.length);
    if (hits === 'timeout' || now() > deadline) return 'timeout';
    for (const i of hits) {
      if (matches.length >= options.limit) break;
      matches.push({ line: batch.firstLine + i, offset: batch.starts[i] });
    }
    scanned = batch.endOffset;
    return matches.length >= options.limit ? 'done' : 'more';
  };
  const stopped = (state: 'done' | 'timeout'): SearchResult => ({ matches, truncated: state === 'done', timedOut: state === 'timeout', scannedBytes: scanned });

  let position = 0;
  for await (const buf of bytes) {
    position += buf.length;
    for (const batch of batcher.push(buf)) {
      const state = search(batch);
      if (state !== 'more') return stopped(state);
    }
  }
  const last = batcher.end();
  const state = last ? search(last) : 'more';
  if (state !== 'more') return stopped(state);
  return { matches, truncated: false, timedOut: false, scannedBytes: position };
}
