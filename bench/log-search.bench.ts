// searchLog over a 100,000-line step log held in memory: the server's share of console.md T7 (search, Enter →
// first match shown), without MinIO or HTTP. The log is the console benchmark's ANSI fixture (every tenth line
// 500 bytes wide, a needle on a few lines), fed in 64 KiB reads as an HTTP body arrives.
// Run: node -r @swc-node/register bench/log-search.bench.ts   (LINES=100000 RUNS=15 READ_KIB=64)
// Printed numbers, not assertions: log-search.spec.ts asserts the results.

import { searchLog, type SearchQuery } from '@keelson/logs';
import { summaryBlock, table } from './support/report';

const LINES = Number(process.env.LINES ?? 100_000);
const RUNS = Number(process.env.RUNS ?? 15);
const READ_KIB = Number(process.env.READ_KIB ?? 64);
const NEEDLE_LINES = [12_345, 33_333, 54_321, 77_777, 96_001];
/** "Next error" of the console (line-severity.ts), as the API receives it. */
const ERROR_PATTERN = '(?:^|[^a-z0-9_]|\\u001b\\[[0-9;]*m)(error|failed|failure|fatal|exception|panic)(?![a-z0-9_])';

function fixture(count: number): Buffer {
  const lines: string[] = [];
  for (let n = 1; n <= count; n++) {
    if (NEEDLE_LINES.includes(n)) lines.push(`\u001b[1;33mneedle-${n}\u001b[0m found here`);
    else if (n % 10 === 0) lines.push(`\u001b[36m${'long '.repeat(60)}\u001b[0m line ${n} \u001b[2m${'x'.repeat(200)}\u001b[0m`);
    else if (n % 7 === 0) lines.push(`\u001b[1;31mwarning\u001b[0m line ${n}: \u001b[32mstill ok\u001b[0m`);
    else lines.push(`line ${n} of ${count}: \u001b[32mok\u001b[0m \u001b[34m${n % 1000}\u001b[0m`);
  }
  return Buffer.from(`${lines.join('\n')}\n`);
}

async function* reads(log: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let at = 0; at < log.length; at += size) yield log.subarray(at, at + size);
}

const log = fixture(LINES);
const cases: Array<[string, SearchQuery]> = [
  ['literal, case-sensitive', { pattern: 'needle-54321', regex: false }],
  ['literal, ignoreCase (the console\'s default)', { pattern: 'Needle-54321', regex: false, ignoreCase: true }],
  ['literal, ignoreCase, no match', { pattern: 'nowhere', regex: false, ignoreCase: true }],
  ['literal, ignoreCase, 14,286 matches (limit 10,000)', { pattern: 'WARNING', regex: false, ignoreCase: true }],
  ['regex needle-\\d+, ignoreCase', { pattern: 'needle-\\d+', regex: true, ignoreCase: true }],
  ['regex "Next error", ignoreCase', { pattern: ERROR_PATTERN, regex: true, ignoreCase: true }],
];

async function measure(query: SearchQuery) {
  const run = () => searchLog(reads(log, READ_KIB * 1024), query, { limit: 10_000, budgetMs: 10_000 });
  let result = await run();
  for (let i = 0; i < 2; i++) await run(); // warm-up
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = process.hrtime.bigint();
    result = await run();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  const first = result.matches[0];
  return {
    median: times[Math.floor(times.length / 2)], min: times[0], max: times[times.length - 1],
    outcome: `${result.matches.length} matches${result.truncated ? ' (truncated)' : ''}${result.timedOut ? ' (timed out)' : ''}${first ? `, first line ${first.line} @${first.offset}` : ''}`,
  };
}

async function main() {
  const rows: Array<Array<string | number>> = [];
  for (const [name, query] of cases) {
    const r = await measure(query);
    rows.push([name, r.median.toFixed(1), r.min.toFixed(1), r.max.toFixed(1), r.outcome]);
  }
  summaryBlock(`log-search: searchLog over ${LINES.toLocaleString('en')} lines in memory (${(log.length / 1024 / 1024).toFixed(1)} MiB, ${READ_KIB} KiB reads, ${RUNS} runs each)`, [
    table(['query', 'median ms', 'min ms', 'max ms', 'result'], rows),
  ]);
}

void main();
