import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { childElements, parseXml, textAt, XmlSyntaxError } from './xml-document.reader';

const GOLDEN = join(__dirname, '..', '..', '..', '..', 'libs', 'engine-jenkins', 'src', '__golden__');

describe('the XML reader', () => {
  it.each(['rancher-example', 'full-featured', 'fork-pull-request', 'manual-run'])(
    'reads back the Jenkinsfile embedded in the %s config.xml', (name) => {
      const doc = parseXml(readFileSync(join(GOLDEN, `${name}.config.xml`), 'utf8'));
      expect(doc.name).toBe('flow-definition');
      expect(textAt(doc, 'definition/script')).toBe(readFileSync(join(GOLDEN, `${name}.Jenkinsfile`), 'utf8'));
      expect(textAt(doc, 'disabled')).toBe('false');
      const params = childElements(childElements(doc, 'properties')[0]);
      expect(params.map((p) => p.name)).toContain('hudson.model.ParametersDefinitionProperty');
    });

  it('decodes character references, CDATA and attributes', () => {
    const doc = parseXml("<?xml version='1.1'?><!-- c --><a x=\"1 &amp; 2\"><b>&#x1b;&#65;&lt;</b><c><![CDATA[<raw>]]></c><d/></a>");
    expect(doc.attributes).toEqual({ x: '1 & 2' });
    expect(textAt(doc, 'b')).toBe('\u001bA<');
    expect(textAt(doc, 'c')).toBe('<raw>');
    expect(textAt(doc, 'd')).toBe('');
    expect(textAt(doc, 'missing')).toBeUndefined();
  });

  it.each([
    ['an unclosed element', '<a><b></a>'],
    ['text after the root', '<a/>junk'],
    ['an unknown entity', '<a>&nbsp;</a>'],
    ['a bare ampersand', '<a>R&D</a>'],
    ['no element at all', 'not xml'],
  ])('refuses %s', (_what, text) => {
    expect(() => parseXml(text)).toThrow(XmlSyntaxError);
  });
});
