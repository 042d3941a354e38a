import { describe, expect, it } from 'vitest';
import { RowModel, sectionsHolding } from './log-rows';
import { lineMarkers, SectionIndex, sectionEnd, sectionSeconds, type LogSection } from './log-sections';

const E = '\u001b';
function parse(lines: string[]): LogSection[] {
  const index = new SectionIndex();
  index.sync([{ start: 1, end: lines.length }], (n) => lines[n - 1]);
  return [...index.sections()];
}
const brief = (s: LogSection) => ({ kind: s.kind, title: s.title, start: s.start, end: s.end, depth: s.depth });

describe('lineMarkers', () => {
  it('reads GitHub groups, GitLab sections (anywhere in a line, with the runner\'s \\e[0K) and set -x commands', () => {
    expect(lineMarkers('::group::Install deps')).toEqual([{ type: 'start', kind: 'group', name: 'Install deps', title: 'Install deps', collapsed: true }]);
    expect(lineMarkers(`${E}[36m::endgroup::${E}[0m`)).toEqual([{ type: 'end', kind: 'group' }]);
    expect(lineMarkers('##[group]Build')).toMatchObject([{ type: 'start', title: 'Build' }]);
    expect(lineMarkers(`${E}[0Ksection_start:1700000000:prepare[collapsed=true]\r${E}[0K${E}[36;1mPreparing the executor${E}[0;m`)).toEqual([
      { type: 'start', kind: 'gitlab', name: 'prepare', title: 'Preparing the executor', time: 1_700_000_000, collapsed: true },
    ]);
    expect(lineMarkers(`section_end:1700000012:prepare\r${E}[0Ksection_start:1700000012:build\r${E}[0KBuilding`)).toEqual([
      { type: 'end', kind: 'gitlab', name: 'prepare', time: 1_700_000_012 },
      { type: 'start', kind: 'gitlab', name: 'build', title: 'Building', time: 1_700_000_012, collapsed: false },
    ]);
    expect(lineMarkers('+ npm ci')).toEqual([{ type: 'command', command: 'npm ci' }]);
    for (const none of ['++ git rev-parse HEAD', '+', 'npm ci', 'echo ::group:: later in the line', 'section_start without a time', 'a + b']) {
      expect({ none, markers: lineMarkers(none) }).toEqual({ none, markers: [] });
    }
  });
});

describe('SectionIndex', () => {
  it('nests groups and GitLab sections, with commands inside, and gives GitLab sections their duration', () => {
    const sections = parse([
      '+ /bin/sh -xe /w/.keelson/step-0-0.sh', // 1
      '+ npm ci', // 2
      'added 120 packages', // 3
      `section_start:100:tests[collapsed=true]\r${E}[0KRunning tests`, // 4
      '::group::unit', // 5
      '+ npm test', // 6
      'ok 1', // 7
      '::endgroup::', // 8
      `section_end:165:tests\r${E}[0K`, // 9
      'done', // 10
    ]);
    expect(sections.map(brief)).toEqual([
      { kind: 'command', title: '/bin/sh -xe /w/.keelson/step-0-0.sh', start: 1, end: 1, depth: 0 },
      { kind: 'command', title: 'npm ci', start: 2, end: 3, depth: 0 },
      { kind: 'gitlab', title: 'Running tests', start: 4, end: 9, depth: 0 },
      { kind: 'group', title: 'unit', start: 5, end: 8, depth: 1 },
      { kind: 'command', title: 'npm test', start: 6, end: 7, depth: 2 },
    ]);
    expect(sections[2].collapsedByDefault).toBe(true);
    expect(sectionSeconds(sections[2])).toBe(65);
    expect(sectionSeconds(sections[3])).toBeUndefined(); // groups carry no time
    expect(sectionsHolding(sections, 7).map((s) => s.title)).toEqual(['Running tests', 'unit', 'npm test']);
  });

  it('closes sections left open inside an ending one, ignores a stray end at line 1, and leaves an unterminated section open to the last line', () => {
    const sections = parse([
      '::endgroup::', // 1: stray
      `section_start:10:outer\r${E}[0Kouter`, // 2
      '::group::inner never closed', // 3
      'x', // 4
      `section_end:20:outer\r${E}[0K`, // 5
      '::group::open at the end', // 6
      'y', // 7
    ]);
    expect(sections.map(brief)).toEqual([
      { kind: 'gitlab', title: 'outer', start: 2, end: 5, depth: 0 },
      { kind: 'group', title: 'inner never closed', start: 3, end: 5, depth: 1 },
      { kind: 'group', title: 'open at the end', start: 6, end: undefined, depth: 0 },
    ]);
    expect(sectionSeconds(sections[0])).toBe(10);
    expect(sectionSeconds(sections[1])).toBeUndefined();
    expect(sectionEnd(sections[2])).toBe(7);
  });

  it('parses loaded blocks on their own: an end whose start is not loaded makes a section continued from above', () => {
    const lines = Array.from({ length: 3000 }, (_, i) => `line ${i + 1}`);
    lines[499] = '::group::early';
    lines[2099] = 'still inside';
    lines[2100] = '::endgroup::'; // line 2101
    lines[2199] = '+ make'; // line 2200
    const index = new SectionIndex();
    // Tail-first: only lines 2001-3000 are loaded.
    index.sync([{ start: 2001, end: 3000 }], (n) => lines[n - 1]);
    expect(index.sections().map(brief)).toEqual([
      { kind: 'continued', title: 'section started above', start: 2001, end: 2101, depth: 0 },
      { kind: 'command', title: 'make', start: 2200, end: undefined, depth: 0 },
    ]);
    // The page before loads: the block is re-parsed from its new first line, the group is found.
    index.sync([{ start: 1, end: 1000 }, { start: 1001, end: 3000 }], (n) => lines[n - 1]);
    expect(index.sections().map(brief)).toEqual([
      { kind: 'group', title: 'early', start: 500, end: undefined, depth: 0 }, // open at the end of its block: continues into lines 1001+
      { kind: 'continued', title: 'section started above', start: 1001, end: 2101, depth: 0 },
      { kind: 'command', title: 'make', start: 2200, end: undefined, depth: 0 },
    ]);
    expect(sectionEnd(index.sections()[0])).toBe(1000);
    index.sync([{ start: 1, end: 3000 }], (n) => lines[n - 1]);
    expect(index.sections().map(brief)).toEqual([
      { kind: 'group', title: 'early', start: 500, end: 2101, depth: 0 },
      { kind: 'command', title: 'make', start: 2200, end: undefined, depth: 0 },
    ]);
  });

  it('parses a streamed line once: appending does not re-split the log', () => {
    const lines = Array.from({ length: 10_000 }, (_, i) => (i % 100 === 0 ? `+ step ${i}` : `out ${i}`));
    const index = new SectionIndex();
    index.sync([{ start: 1, end: lines.length }], (n) => lines[n - 1]);
    expect(index.parsedLines).toBe(10_000);
    const before = index.version;
    index.sync([{ start: 1, end: lines.length }], (n) => lines[n - 1]);
    expect(index.version).toBe(before); // nothing new: nothing done
    lines.push('more output', '+ next');
    index.sync([{ start: 1, end: lines.length }], (n) => lines[n - 1]);
    expect(index.parsedLines).toBe(10_002);
    const sections = index.sections();
    expect(sections.at(-2)).toMatchObject({ title: 'step 9900', start: 9901, end: 10_001 });
    expect(sections.at(-1)).toMatchObject({ title: 'next', start: 10_002 });
    expect(sections.at(-1)!.end).toBeUndefined(); // still open: the next line may be its output
  });
});

describe('SectionIndex with pages loaded in any order', () => {
  /** A pseudo-random log full of markers (seeded: the same every run). */
  function randomLog(n: number, seed: number): string[] {
    let x = seed;
    const rnd = () => ((x = (x * 1103515245 + 12345) % 2147483648) / 2147483648);
    const names = ['a', 'b', 'c'];
    return Array.from({ length: n }, (_, i) => {
      const r = rnd();
      const name = names[Math.floor(rnd() * names.length)];
      if (r < 0.05) return `+ cmd ${i}`;
      if (r < 0.07) return `::group::g${i}`;
      if (r < 0.09) return '::endgroup::';
      if (r < 0.1) return `section_start:${i}:${name}\r\u001b[0Kh${i}`;
      if (r < 0.11) return `section_end:${i}:${name}\r\u001b[0K`;
      return `out ${i}`;
    });
  }
  const full = (s: LogSection) => ({ ...s });
  const rangesOf = (pages: Set<number>, size: number) => {
    const ranges: Array<{ start: number; end: number }> = [];
    for (const k of [...pages].sort((a, b) => a - b)) {
      const start = k * size + 1;
      const last = ranges[ranges.length - 1];
      if (last && last.end + 1 === start) last.end = start + size - 1;
      else ranges.push({ start, end: start + size - 1 });
    }
    return ranges;
  };

  it('gives the same sections as parsing the loaded ranges afresh, parsing a page above a block without its lines when it can', () => {
    let absorbed = 0;
    for (const seed of [1, 2, 3, 4, 5]) {
      const lines = randomLog(3000, seed);
      const lineAt = (n: number) => lines[n - 1];
      const index = new SectionIndex();
      const pages = new Set<number>();
      // Tail first, then upwards with a few jumps: 30 pages of 100.
      for (const k of [29, 28, 15, 27, 14, 16, 0, 26, 25, 1, 2, 24, 3, 17, 18, 19, 20, 21, 22, 23, 13, 12, 4, 5, 11, 10, 6, 9, 7, 8]) {
        pages.add(k);
        const ranges = rangesOf(pages, 100);
        index.sync(ranges, lineAt);
        const fresh = new SectionIndex();
        fresh.sync(ranges, lineAt);
        expect({ seed, k, sections: index.sections().map(full) }).toEqual({ seed, k, sections: fresh.sections().map(full) });
      }
      absorbed += index.absorbed;
    }
    expect(absorbed).toBeGreaterThan(10); // the no-re-parse path ran, not only re-parses
  });

  it('appends a block below a page that ends outside any section without parsing the block again', () => {
    const lines = Array.from({ length: 2000 }, (_, i) => (i % 100 === 0 ? `+ step ${i}` : `out ${i}`));
    const lineAt = (n: number) => lines[n - 1];
    const index = new SectionIndex();
    index.sync([{ start: 1001, end: 2000 }], lineAt);
    expect(index.parsedLines).toBe(1000);
    index.sync([{ start: 1, end: 2000 }], lineAt);
    expect(index.parsedLines).toBe(2000); // only the new page's lines
    expect(index.sections()).toHaveLength(20);
    expect(index.sections()[9]).toMatchObject({ title: 'step 900', start: 901, end: 1000 });
  });
});

describe('RowModel', () => {
  const sections = parse([
    'a', // 1
    '::group::g1', // 2
    'b', // 3
    '::group::g2', // 4
    'c', // 5
    '::endgroup::', // 6
    '::endgroup::', // 7
    'd', // 8
    '::group::g3', // 9
    'e', // 10
    '::endgroup::', // 11
    'f', // 12
  ]);
  it('hides the lines of collapsed sections (keeping the header) and maps rows to lines and back', () => {
    const all = new RowModel(12, sections, () => true);
    expect(all.rows).toBe(5); // g1 (holding g2) and g3 folded
    expect([0, 1, 2, 3, 4].map((r) => all.rowToLine(r))).toEqual([1, 2, 8, 9, 12]);
    expect(all.lineToRow(5)).toBe(1); // inside g2 inside g1: g1's header row
    expect(all.lineToRow(12)).toBe(4);
    expect(all.isHidden(10)).toBe(true);
    expect(all.headers.get(9)?.title).toBe('g3');
  });

  it('agrees with a line-by-line count for every combination of folds', () => {
    for (let mask = 0; mask < 8; mask++) {
      const folded = (s: LogSection) => (mask & (1 << sections.indexOf(s))) !== 0;
      const model = new RowModel(12, sections, folded);
      const visible = Array.from({ length: 12 }, (_, i) => i + 1)
        .filter((n) => !sections.some((s) => folded(s) && s.start < n && n <= sectionEnd(s)));
      expect({ mask, rows: model.rows }).toEqual({ mask, rows: visible.length });
      expect(visible.map((_, r) => model.rowToLine(r))).toEqual(visible);
      expect(visible.map((n) => model.lineToRow(n))).toEqual(visible.map((_, r) => r));
    }
  });
});
