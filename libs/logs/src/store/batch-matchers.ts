// Which lines of a batch match, found over the whole batch at once rather than line by line:
// - a literal, case-sensitive: the UTF-8 bytes of the pattern are looked for in the raw bytes (Buffer.indexOf).
//   UTF-8 decoding neither makes nor breaks such a match: the pattern starts with a lead byte and holds whole
//   characters, and invalid bytes decode to U+FFFD, which the pattern then must not hold (it goes line by line);
// - a literal, ignoring case: on ASCII text, lower case is A-Z → a-z, done on the bytes of the whole batch
//   (ascii-lower.ts), and the lower-cased pattern's bytes are looked for in them. A line with other bytes is
//   decoded and lower-cased as a string on its own (the Kelvin sign lower-cases to "k", "İ" to two characters,
//   a final sigma depends on its neighbours: only the string rule gives the same answer);
// - a regular expression (and a literal the two above cannot take): the batch is decoded once and split into
//   lines, which the time-boxed test takes as before.
// Only as many newlines are counted as it takes to name the matching lines.
import { isAscii } from 'node:buffer';
import { lowerAscii, lowerAsciiLines } from './ascii-lower';
import type { LineBatch } from './line-batches';

/** The indexes (in the batch) of at most `max` matching lines, ascending; 'timeout' when the time box ran out. */
export type BatchMatcher = (batch: LineBatch, budgetMs: number, max: number) => number[] | 'timeout';

export type LineTest = (lines: string[], budgetMs: number) => number[] | 'timeout';

export function batchMatcher(query: { pattern: string; regex: boolean; ignoreCase?: boolean }, test: LineTest): BatchMatcher {
  if (query.regex) return byLine(test);
  const needle = query.ignoreCase ? query.pattern.toLowerCase() : query.pattern;
  // A newline never matches (lines have none); U+FFFD and lone surrogates depend on how bytes decode.
  if (/[\n\uFFFD]/.test(needle) || Buffer.from(needle).toString('utf8') !== needle) return byLine(test);
  return query.ignoreCase ? lowerCased(needle) : rawBytes(Buffer.from(needle));
}

function rawBytes(needle: Buffer): BatchMatcher {
  return ({ bytes, ends }, _budgetMs, max) => linesHolding(bytes, ends, needle, max);
}

/** The lines (at most `max`) in which `bytes` hold `needle`, a pattern without a newline. */
function linesHolding(bytes: Buffer, ends: number[], needle: Buffer, max: number): number[] {
  const hits: number[] = [];
  let line = 0;
  for (let at = bytes.indexOf(needle); at >= 0 && hits.length < max; at = bytes.indexOf(needle, ends[line] + 1)) {
    while (ends[line] < at) line++;
    hits.push(line);
  }
  return hits;
}

function lowerCased(needle: string): BatchMatcher {
  const needleBytes = Buffer.from(needle);
  // Lower-cased ASCII text is ASCII: a pattern with other characters can only match lines that have some too.
  const asciiNeedle = isAscii(needleBytes) ? needleBytes : undefined;
  return ({ bytes, ends }, _budgetMs, max) => {
    if (isAscii(bytes)) return asciiNeedle ? linesHolding(lowerAscii(bytes), ends, asciiNeedle, max) : [];
    const { lowered, mixed } = lowerAsciiLines(bytes, ends);
    const hits = asciiNeedle ? linesHolding(lowered, ends, asciiNeedle, ends.length).filter((i) => !mixed[i]) : [];
    for (let i = 0; i < ends.length; i++) {
      if (!mixed[i]) continue;
      const start = i === 0 ? 0 : ends[i - 1] + 1;
      if (bytes.toString('utf8', start, ends[i]).toLowerCase().includes(needle)) hits.push(i);
    }
    return hits.sort((a, b) => a - b).slice(0, max);
  };
}

function byLine(test: LineTest): BatchMatcher {
  return ({ bytes, ends }, budgetMs, max) => {
    const lines = bytes.toString(isAscii(bytes) ? 'ascii' : 'utf8').split('\n');
    lines.length = ends.length; // a batch ending with a newline splits into one more (empty) string
    const hits = test(lines, budgetMs);
    return hits === 'timeout' ? hits : hits.slice(0, max);
  };
}
