import { decodeLogChunk, unescapeConsoleHtml } from './console-text';

describe('console text', () => {
  it('leaves a half-written UTF-8 character of a running build for the next read', () => {
    const bytes = Buffer.from('grün ✓', 'utf8');
    const cut = bytes.subarray(0, bytes.length - 1); // the check mark has 3 bytes; 2 arrived
    expect(decodeLogChunk(cut, 100, true)).toEqual({ text: 'grün ', nextOffset: 98 });
    expect(decodeLogChunk(bytes, 101, true)).toEqual({ text: 'grün ✓', nextOffset: 101 });
  });

  it('decodes everything of a finished log as it is', () => {
    const cut = Buffer.from('ok ✓', 'utf8').subarray(0, 5);
    expect(decodeLogChunk(cut, 5, false).nextOffset).toBe(5);
  });

  it('turns a stage-view log back into the text the step printed', () => {
    // Reference "Stage view REST": `text` is written by writeHtmlTo; annotations add markup such as links.
    const html = 'if [ 1 &lt; 2 ] &amp;&amp; echo &quot;a&quot; &#39;b&#39;&gt;x<br>' +
      '<a href=\'/jenkins/job/web/14/\' class=\'model-link\'>web #14</a> done&nbsp;&#x2713;';
    expect(unescapeConsoleHtml(html)).toBe('if [ 1 < 2 ] && echo "a" \'b\'>x\nweb #14 done ✓');
  });

  it('leaves an unknown reference as written', () => {
    expect(unescapeConsoleHtml('a &bogus; b')).toBe('a &bogus; b');
  });
});
