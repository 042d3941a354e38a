import { lowerAscii, lowerAsciiLines } from './ascii-lower';

const ascii = Buffer.from(Array.from({ length: 128 }, (_, b) => b));

describe('lowerAscii', () => {
  it('lower-cases A-Z and keeps every other ASCII byte, at every alignment of the words it works on', () => {
    for (let shift = 0; shift < 4; shift++) {
      const bytes = Buffer.concat([Buffer.from('Q'.repeat(shift)), ascii, ascii.subarray(0, shift)]);
      expect(lowerAscii(bytes).toString('latin1')).toBe(bytes.toString('latin1').toLowerCase());
    }
  });

  it('does not change its input', () => {
    const bytes = Buffer.from('ABC');
    lowerAscii(bytes);
    expect(bytes.toString()).toBe('ABC');
  });
});

describe('lowerAsciiLines', () => {
  it('lower-cases A-Z and names the lines that hold a byte that is not ASCII', () => {
    const bytes = Buffer.concat([ascii.subarray(1, 10), ascii.subarray(11), Buffer.from('\nÉté\nAZ\n\xff', 'latin1')]);
    const ends: number[] = [];
    for (let at = bytes.indexOf(0x0a); at >= 0; at = bytes.indexOf(0x0a, at + 1)) ends.push(at);
    ends.push(bytes.length);
    const { lowered, mixed } = lowerAsciiLines(bytes, ends);
    expect(lowered.toString('latin1')).toBe(bytes.toString('latin1').replace(/[A-Z]/g, (c) => c.toLowerCase()));
    expect([...mixed]).toEqual([0, 1, 0, 1]);
  });
});
