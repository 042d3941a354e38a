import { aCompileInput } from '../compiler/testing/compile-input.builders';
import { compileJenkinsJob } from '../compiler/jenkins-job.compiler';
import { canonicalXml, sameConfigXml } from './config-xml.canonical';

// What Jenkins' identity transform may do to a stored config.xml, without changing what it means.
function asJenkinsStoresIt(xml: string): string {
  return xml
    .replace("<?xml version='1.1' encoding='UTF-8'?>", '<?xml version="1.1" encoding="UTF-8" standalone="no"?>')
    .replace(/&apos;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/<(\w+)><\/\1>/g, '<$1/>')
    .replace(/plugin="([^"]*)"/g, "plugin='$1'")
    .replace(/\n/g, '\r\n');
}

describe('config.xml comparison', () => {
  const compiled = compileJenkinsJob(aCompileInput(`
stages:
- name: "it's <quoted> & \\"odd\\""
  steps:
  - runScriptConfig: {image: 'alpine:3', shellScript: "echo '&amp;' \\"x\\" > out"}
`)).configXml;

  it('finds a config equal to itself as Jenkins rewrote it (declaration, quotes, entities, empty elements, CRLF)', () => {
    const stored = asJenkinsStoresIt(compiled);
    expect(stored).not.toBe(compiled);
    expect(sameConfigXml(stored, compiled)).toBe(true);
  });

  it('finds a changed script different, even by one character', () => {
    expect(sameConfigXml(compiled.replace('alpine:3', 'alpine:4'), compiled)).toBe(false);
  });

  it('keeps whitespace inside a leaf element as content', () => {
    expect(sameConfigXml('<a><b> </b></a>', '<a><b></b></a>')).toBe(false);
    expect(sameConfigXml('<a>\n  <b>x</b>\n</a>', '<a><b>x</b></a>')).toBe(true);
  });

  it('tells an escaped tag in text from a real element', () => {
    expect(sameConfigXml('<a>&lt;b/&gt;</a>', '<a><b/></a>')).toBe(false);
  });

  it('compares attributes by value whatever their order or quotes', () => {
    expect(sameConfigXml(`<a x='1' y="2"/>`, '<a y="2" x="1"></a>')).toBe(true);
    expect(sameConfigXml('<a x="1"/>', '<a x="2"/>')).toBe(false);
  });

  it('counts what it cannot read as different, so the job is updated rather than skipped', () => {
    expect(canonicalXml('<a>&nbsp;</a>')).toBeUndefined();
    expect(canonicalXml('<a>fish & chips</a>')).toBeUndefined();
    expect(canonicalXml('<!DOCTYPE a><a/>')).toBeUndefined();
    expect(sameConfigXml('<a>&bogus;</a>', '<a>&bogus;</a>')).toBe(false);
  });
});
