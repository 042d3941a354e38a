import { LineScanner } from './line-scanner';
import { addTimeMark, decodeTimeMarks, encodeTimeMarks, lineTime, type TimeMark } from './time-marks';

const T0 = Date.UTC(2026, 11, 3, 19, 0, 0);

/** Scans chunks as a seal does: each chunk's bytes (possibly in several reads) after a mark with its time. */
function scan(chunks: Array<{ time: number | undefined; reads: string[] }>): LineScanner {
  const scanner = new LineScanner(2);
  for (const chunk of chunks) {
    scanner.mark(chunk.time);
    for (const read of chunk.reads) scanner.push(Buffer.from(read));
  }
  return scanner;
}

describe('time marks while scanning chunks', () => {
  it('marks the first line that starts in each chunk with that chunk\'s time', () => {
    const scanner = scan([
      { time: T0, reads: ['a\nb\n'] },
      { time: T0 + 2000, reads: ['c\n', 'd\n'] }, // two reads of one chunk: one mark
      { time: T0 + 5000, reads: ['e\n'] },
    ]);
    expect(scanner.marks).toEqual([{ line: 1, time: T0 }, { line: 3, time: T0 + 2000 }, { line: 5, time: T0 + 5000 }]);
    expect(scanner.lines).toBe(5);
  });

  it('gives a line cut across chunks the time of the chunk it starts in', () => {
    // Line 2 "bbbb" starts in chunk 0 and ends in chunk 1; line 3 is the first to start in chunk 1.
    const scanner = scan([{ time: T0, reads: ['a\nbb'] }, { time: T0 + 3000, reads: ['bb\nc\n'] }]);
    expect(scanner.marks).toEqual([{ line: 1, time: T0 }, { line: 3, time: T0 + 3000 }]);
    expect(lineTime(scanner.marks, 2)).toBe(T0);
    expect(lineTime(scanner.marks, 3)).toBe(T0 + 3000);
  });

  it('marks the line that starts at a chunk boundary with the later chunk, whichever read holds the newline', () => {
    // Chunk 1 only ends line 1 (its newline is its last byte): no line starts in it; line 2 starts in chunk 2.
    const scanner = scan([{ time: T0, reads: ['a'] }, { time: T0 + 2000, reads: ['a', '\n'] }, { time: T0 + 4000, reads: ['b\n'] }]);
    expect(scanner.marks).toEqual([{ line: 1, time: T0 }, { line: 2, time: T0 + 4000 }]);
  });

  it('gives no mark to a chunk in which no line starts (the middle of a long line)', () => {
    const scanner = scan([{ time: T0, reads: ['aaaa'] }, { time: T0 + 2000, reads: ['aaaa'] }, { time: T0 + 4000, reads: ['aa\nb\n'] }]);
    expect(scanner.marks).toEqual([{ line: 1, time: T0 }, { line: 2, time: T0 + 4000 }]);
  });

  it('gives no line to a mark after the last newline of the log (nothing starts there)', () => {
    const scanner = scan([{ time: T0, reads: ['a\n'] }, { time: T0 + 2000, reads: [] }]);
    expect(scanner.marks).toEqual([{ line: 1, time: T0 }]);
  });

  it('marks a last line without its newline', () => {
    const scanner = scan([{ time: T0, reads: ['a\n'] }, { time: T0 + 2000, reads: ['tail'] }]);
    expect(scanner.marks).toEqual([{ line: 1, time: T0 }, { line: 2, time: T0 + 2000 }]);
    expect(scanner.lines).toBe(2);
  });

  it('keeps one mark per second: a chunk stored in the same second as the last mark adds none', () => {
    const scanner = scan([
      { time: T0 + 100, reads: ['a\n'] },
      { time: T0 + 900, reads: ['b\n'] }, // same second as line 1
      { time: T0 + 1000, reads: ['c\n'] }, // the next second
      { time: T0 + 1999, reads: ['d\n'] },
    ]);
    expect(scanner.marks).toEqual([{ line: 1, time: T0 + 100 }, { line: 3, time: T0 + 1000 }]);
    expect(lineTime(scanner.marks, 2)).toBe(T0 + 100);
    expect(lineTime(scanner.marks, 4)).toBe(T0 + 1000);
  });

  it('has no marks for an empty log, and none for chunks without a time', () => {
    expect(scan([]).marks).toEqual([]);
    expect(scan([{ time: T0, reads: [] }]).marks).toEqual([]);
    const unknown = scan([{ time: undefined, reads: ['a\n'] }, { time: T0, reads: ['b\n'] }]);
    expect(unknown.marks).toEqual([{ line: 2, time: T0 }]);
    expect(lineTime(unknown.marks, 1)).toBeUndefined();
  });

  it('keeps counting the line index as before', () => {
    const scanner = scan([{ time: T0, reads: ['a\nbb\nc'] }, { time: T0 + 1000, reads: ['cc\nd\n', 'e'] }]);
    expect(scanner.index).toEqual([0, 5, 11]);
    expect(scanner.lines).toBe(5);
  });
});

describe('the times object', () => {
  it('reads back what it wrote, and skips what is not a mark', () => {
    const marks: TimeMark[] = [{ line: 1, time: T0 }, { line: 40, time: T0 + 7000 }];
    const text = encodeTimeMarks(marks);
    expect(text).toBe(`1 ${T0}\n40 ${T0 + 7000}\n`);
    expect(decodeTimeMarks(text)).toEqual(marks);
    expect(decodeTimeMarks(`garbage\n1 ${T0}\n2 x\n`)).toEqual([{ line: 1, time: T0 }]);
    expect(decodeTimeMarks('')).toEqual([]);
  });

  it('adds no mark that is not a time', () => {
    const marks: TimeMark[] = [];
    addTimeMark(marks, 1, Number.NaN);
    expect(marks).toEqual([]);
  });

  it('finds a line\'s time as the last mark at or before it', () => {
    const marks: TimeMark[] = [{ line: 1, time: 10_000 }, { line: 5, time: 20_000 }, { line: 9, time: 30_000 }];
    expect([1, 4, 5, 8, 9, 1000].map((n) => lineTime(marks, n))).toEqual([10_000, 10_000, 20_000, 20_000, 30_000, 30_000]);
    expect(lineTime([], 1)).toBeUndefined();
  });
});
