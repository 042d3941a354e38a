import { LineSplitter } from './line-splitter';

describe('the line splitter of a step\'s output', () => {
  it('gives whole lines whatever the chunks, a split UTF-8 character included, and the last line on flush', () => {
    const lines: string[] = [];
    const split = new LineSplitter((l) => lines.push(l));
    const bytes = Buffer.from('one\ntw\u00e9\r\nthree', 'utf8');
    for (let i = 0; i < bytes.length; i++) split.push(bytes.subarray(i, i + 1));
    expect(lines).toEqual(['one', 'tw\u00e9']);
    split.flush();
    expect(lines).toEqual(['one', 'tw\u00e9', 'three']);
    split.flush();
    expect(lines).toHaveLength(3);
  });
});
