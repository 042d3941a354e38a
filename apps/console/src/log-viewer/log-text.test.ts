import { describe, expect, it } from 'vitest';
import { ansiTokens, palette256 } from './ansi';
import { formatLineHash, parseLineHash, selectLine } from './line-links';
import { collapseCarriageReturns, splitLines } from './log-lines';

describe('ansiTokens', () => {
  it('turns SGR codes into class tokens, 256 and truecolour into rgb()', () => {
    expect(ansiTokens('\u001b[1;31mred\u001b[0m plain \u001b[38;5;208mor\u001b[48;2;10;20;30mtc\u001b[0m \u001b[92mok')).toEqual([
      { text: 'red', classes: ['fg-red', 'bold'] },
      { text: ' plain ', classes: [] },
      { text: 'or', classes: [], color: palette256(208) },
      { text: 'tc', classes: [], color: palette256(208), background: 'rgb(10, 20, 30)' },
      { text: ' ', classes: [] },
      { text: 'ok', classes: ['fg-bright-green'] },
    ]);
  });

  it('leaves plain text as one token and keeps markup-looking text as text', () => {
    expect(ansiTokens('<img src=x onerror=alert(1)>')).toEqual([{ text: '<img src=x onerror=alert(1)>', classes: [] }]);
    expect(ansiTokens('')).toEqual([]);
  });

  it('maps the 256 palette: cube and greys', () => {
    expect(palette256(16)).toBe('rgb(0, 0, 0)');
    expect(palette256(231)).toBe('rgb(255, 255, 255)');
    expect(palette256(232)).toBe('rgb(8, 8, 8)');
  });
});

describe('collapseCarriageReturns', () => {
  it('keeps what follows the last CR, as a terminal shows a progress bar', () => {
    expect(collapseCarriageReturns('10%\r50%\r100% done')).toBe('100% done');
    expect(collapseCarriageReturns('windows line\r')).toBe('windows line');
    expect(collapseCarriageReturns('a\rb\r')).toBe('b');
    expect(collapseCarriageReturns('no cr')).toBe('no cr');
  });
});

describe('splitLines', () => {
  it('does not make a line of a final newline, keeps a last line without one', () => {
    expect(splitLines('a\nb\n')).toEqual(['a', 'b']);
    expect(splitLines('a\n\nb')).toEqual(['a', '', 'b']);
    expect(splitLines('')).toEqual([]);
  });
});

describe('line links', () => {
  it('parses #L120 and #L120-L140 (and a reversed range), refuses anything else', () => {
    expect(parseLineHash('#L120')).toEqual({ start: 120, end: 120 });
    expect(parseLineHash('#L120-L140')).toEqual({ start: 120, end: 140 });
    expect(parseLineHash('#L140-L120')).toEqual({ start: 120, end: 140 });
    expect(parseLineHash('#L120-140')).toEqual({ start: 120, end: 140 });
    for (const bad of ['', '#', '#L', '#L0', '#Lx', '#L1-', '#top', '#L1-L2-L3']) expect(parseLineHash(bad)).toBeUndefined();
  });

  it('formats and extends selections', () => {
    expect(formatLineHash({ start: 7, end: 7 })).toBe('#L7');
    expect(formatLineHash({ start: 7, end: 9 })).toBe('#L7-L9');
    expect(selectLine({ start: 10, end: 10 }, 4, true)).toEqual({ start: 4, end: 10 });
    expect(selectLine({ start: 10, end: 12 }, 20, false)).toEqual({ start: 20, end: 20 });
  });
});
