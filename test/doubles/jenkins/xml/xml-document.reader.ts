// A small, strict XML reader for what clients POST to Jenkins (job config.xml, credentials). Jenkins refuses
// malformed XML, so this refuses it too: mismatched or unclosed tags, unknown entities, text after the root.

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: Array<XmlElement | string>;
}

export class XmlSyntaxError extends Error {}

const NAMED_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[A-Za-z]+);|&/g, (whole, ref: string | undefined) => {
    if (ref === undefined) throw new XmlSyntaxError('bare & in text');
    if (ref.startsWith('#x')) return String.fromCodePoint(parseInt(ref.slice(2), 16));
    if (ref.startsWith('#')) return String.fromCodePoint(parseInt(ref.slice(1), 10));
    const named = NAMED_ENTITIES[ref];
    if (named === undefined) throw new XmlSyntaxError(`unknown entity ${whole}`);
    return named;
  });
}

export function parseXml(source: string): XmlElement {
  let i = 0;
  const fail = (what: string): never => {
    throw new XmlSyntaxError(`${what} at offset ${i}`);
  };
  const skipMisc = () => {
    for (;;) {
      while (i < source.length && /\s/.test(source[i])) i++;
      if (source.startsWith('<?', i)) {
        const end = source.indexOf('?>', i);
        if (end < 0) fail('unterminated processing instruction');
        i = end + 2;
      } else if (source.startsWith('<!--', i)) {
        const end = source.indexOf('-->', i);
        if (end < 0) fail('unterminated comment');
        i = end + 3;
      } else return;
    }
  };
  const name = (): string => {
    const m = /[A-Za-z_:][-A-Za-z0-9_.:$]*/y;
    m.lastIndex = i;
    const found = m.exec(source);
    if (!found) return fail('expected a name');
    i += found[0].length;
    return found[0];
  };
  const element = (): XmlElement => {
    if (source[i] !== '<') fail('expected <');
    i++;
    const el: XmlElement = { name: name(), attributes: {}, children: [] };
    for (;;) {
      while (/\s/.test(source[i] ?? '')) i++;
      if (source.startsWith('/>', i)) {
        i += 2;
        return el;
      }
      if (source[i] === '>') {
        i++;
        break;
      }
      const attr = name();
      while (/\s/.test(source[i] ?? '')) i++;
      if (source[i] !== '=') fail('expected =');
      i++;
      while (/\s/.test(source[i] ?? '')) i++;
      const quote = source[i];
      if (quote !== '"' && quote !== "'") fail('expected a quoted attribute value');
      const end = source.indexOf(quote, i + 1);
      if (end < 0) fail('unterminated attribute value');
      el.attributes[attr] = decodeEntities(source.slice(i + 1, end));
      i = end + 1;
    }
    for (;;) {
      if (i >= source.length) fail(`unclosed <${el.name}>`);
      if (source.startsWith('</', i)) {
        i += 2;
        const closing = name();
        if (closing !== el.name) fail(`</${closing}> closes <${el.name}>`);
        while (/\s/.test(source[i] ?? '')) i++;
        if (source[i] !== '>') fail('expected >');
        i++;
        return el;
      }
      if (source.startsWith('<!--', i)) {
        const end = source.indexOf('-->', i);
        if (end < 0) fail('unterminated comment');
        i = end + 3;
      } else if (source.startsWith('<![CDATA[', i)) {
        const end = source.indexOf(']]>', i);
        if (end < 0) fail('unterminated CDATA');
        el.children.push(source.slice(i + 9, end));
        i = end + 3;
      } else if (source[i] === '<') {
        el.children.push(element());
      } else {
        const end = source.indexOf('<', i);
        el.children.push(decodeEntities(source.slice(i, end < 0 ? source.length : end)));
        i = end < 0 ? source.length : end;
      }
    }
  };
  skipMisc();
  const root = element();
  skipMisc();
  if (i < source.length) fail('content after the root element');
  return root;
}

export function childElements(el: XmlElement, name?: string): XmlElement[] {
  return el.children.filter((c): c is XmlElement => typeof c !== 'string' && (name === undefined || c.name === name));
}

export function textOf(el: XmlElement): string {
  return el.children.map((c) => (typeof c === 'string' ? c : textOf(c))).join('');
}

/** Text of the element at `path` (child names separated by `/`), or undefined when absent. */
export function textAt(el: XmlElement, path: string): string | undefined {
  let current: XmlElement | undefined = el;
  for (const part of path.split('/')) current = current && childElements(current, part)[0];
  return current && textOf(current);
}

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&${({ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": 'apos' } as Record<string, string>)[c]};`);
}
