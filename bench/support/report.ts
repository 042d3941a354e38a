// Plain-text output of the benchmarks: progress lines while they run, aligned tables, and one summary block
// at the end that a closing note can quote as it is. The summary block is also written, raw, to
// bench/results/ with the date, the commit and the machine, so every figure quoted in a README can be traced to
// the run that produced it (bench/results/README.md).
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { basename, join } from 'node:path';
import { repoRoot } from '@keelson/servers';

export function note(line: string): void {
  process.stdout.write(`[${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

export function table(header: string[], rows: Array<Array<string | number>>): string {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  return cells.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] + 2))).join('').trimEnd()).join('\n');
}

/** The block quoted in reports: a title, then `label: value` lines (or any preformatted text). */
export function summaryBlock(title: string, lines: Array<[string, string] | string>): void {
  const rule = '='.repeat(Math.max(60, title.length + 8));
  const width = Math.max(0, ...lines.map((l) => (typeof l === 'string' ? 0 : l[0].length)));
  const body = lines.map((l) => (typeof l === 'string' ? l : `${l[0].padEnd(width)}  ${l[1]}`)).join('\n');
  const block = `${rule}\n=== ${title}\n${rule}\n${body}\n${rule}\n`;
  process.stdout.write(`\n${block}`);
  const file = recordResult(block);
  process.stdout.write(`(recorded in ${file})\n`);
}

/** Writes the block with where it came from to bench/results/<date>-<bench>-<commit>.txt; returns the path. */
export function recordResult(block: string, now = new Date()): string {
  const root = repoRoot();
  const bench = basename(process.argv[1] ?? 'bench').replace(/\.bench\.[jt]s$/, '').replace(/\.[jt]s$/, '');
  const commit = git(root, ['rev-parse', 'HEAD']) ?? 'unknown';
  const changed = git(root, ['status', '--porcelain', '--untracked-files=no']);
  const stamp = now.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const header = [
    `bench: ${bench}`,
    `date: ${stamp}`,
    `commit: ${commit}${changed ? ' (with uncommitted changes)' : ''}`,
    `command: node -r @swc-node/register ${process.argv.slice(1).map((a) => a.startsWith(root) ? a.slice(root.length + 1) : a).join(' ')}`,
    `machine: ${cpus().length} cores, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} at the end, node ${process.version}`,
  ];
  const dir = join(root, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${stamp.replace(/:/g, '').replace(/T/, '-')}-${bench}-${commit.slice(0, 8)}.txt`);
  writeFileSync(file, `${header.join('\n')}\n\n${block}`);
  return file.slice(root.length + 1);
}

function git(cwd: string, args: string[]): string | undefined {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}
