// Plain-text output of the benchmarks: progress lines while they run, aligned tables, and one summary block
// at the end that a closing note can quote as it is.

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
  process.stdout.write(`\n${rule}\n=== ${title}\n${rule}\n${body}\n${rule}\n`);
}
