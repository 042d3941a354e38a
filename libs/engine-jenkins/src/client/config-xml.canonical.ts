// Whether the config.xml Jenkins holds is the one we would send, so a steady-state ensureJob costs one GET.
// Jenkins stores the submitted XML after an identity transform, which may rewrite the declaration, quotes,
// entities (`&apos;` -> `'`) and empty elements (`<a></a>` -> `<a/>`); a byte comparison would update every time.
// The canonical form keeps what a parser sees: elements, sorted attributes, decoded text, and whitespace only
// where it is content (inside a leaf element). Anything this small reader does not understand counts as
// different, so the worst case is one needless update, never a skipped one.

type Token = ['start', string, Array<[string, string]>] | ['end', string] | ['text', string];

/** True when both documents carry the same elements, attributes and text. */
export function sameConfigXml(a: string, b: string): boolean {
  const left = canonicalXml(a);
  return left !== undefined && left === canonicalXml(b);
}

export function canonicalXml(xml: string): string | undefined {
  const tokens = tokenize(xml.replace(/\r\n?/g, '\n'));
  if (!tokens) return undefined;
  const kept = tokens.filter((token, i) => {
    if (token[0] !== 'text' || token[1].trim() !== '') return true;
    // Whitespace-only text is content in a leaf element, indentation anywhere else.
    const before = tokens[i - 1];
    const after = tokens[i + 1];
    return before?.[0] === 'start' && after?.[0] === 'end';
  });
  return JSON.stringify(kept);
}

function tokenize(xml: string): Token[] | undefined {
  const tokens: Token[] = [];
  const pushText = (text: string): void => {
    const last = tokens[tokens.length - 1];
    if (last?.[0] === 'text') last[1] += text;
    else tokens.push(['text', text]);
  };
  let i = 0;
  while (i < xml.length) {
    if (xml[i] !== '<') {
      const end = xml.indexOf('<', i);
      const decoded = decodeEntities(xml.slice(i, end < 0 ? xml.length : end));
      if (decoded === undefined) return undefined;
      pushText(decoded);
      i = end < 0 ? xml.length : end;
    } else if (xml.startsWith('<?', i)) {
      const end = xml.indexOf('?>', i);
      if (end < 0) return undefined;
      i = end + 2;
    } else if (xml.startsWith('<!--', i)) {
      const end = xml.indexOf('-->', i);
      if (end < 0) return undefined;
      i = end + 3;
    } else if (xml.startsWith('<![CDATA[', i)) {
      const end = xml.indexOf(']]>', i);
      if (end < 0) return undefined;
      pushText(xml.slice(i + 9, end));
      i = end + 3;
    } else if (xml.startsWith('<!', i)) {
      return undefined; // DOCTYPE and friends: not in a job config
    } else {
      const end = tagEnd(xml, i);
      if (end < 0) return undefined;
      const tag = parseTag(xml.slice(i + 1, end));
      if (!tag) return undefined;
      tokens.push(...tag);
      i = end + 1;
    }
  }
  return tokens;
}

/** Index of the `>` closing the tag that starts at `start`, skipping quoted attribute values. */
function tagEnd(xml: string, start: number): number {
  let quote: string | undefined;
  for (let i = start + 1; i < xml.length; i++) {
    const ch = xml[i];
    if (quote) {
      if (ch === quote) quote = undefined;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '>') return i;
    else if (ch === '<') return -1;
  }
  return -1;
}

const NAME = /^[A-Za-z_:][-A-Za-z0-9_.:]*/;
const ATTRIBUTE = /^\s+([A-Za-z_:][-A-Za-z0-9_.:]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/;

function parseTag(inner: string): Token[] | undefined {
  if (inner.startsWith('/')) {
    const name = NAME.exec(inner.slice(1))?.[0];
    return name && inner.slice(1 + name.length).trim() === '' ? [['end', name]] : undefined;
  }
  const selfClosing = inner.endsWith('/');
  let rest = selfClosing ? inner.slice(0, -1) : inner;
  const name = NAME.exec(rest)?.[0];
  if (!name) return undefined;
  rest = rest.slice(name.length);
  const attributes: Array<[string, string]> = [];
  for (let match = ATTRIBUTE.exec(rest); match; match = ATTRIBUTE.exec(rest)) {
    const value = decodeEntities(match[2] ?? match[3]);
    if (value === undefined) return undefined;
    attributes.push([match[1], value]);
    rest = rest.slice(match[0].length);
  }
  if (rest.trim() !== '') return undefined;
  attributes.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return selfClosing ? [['start', name, attributes], ['end', name]] : [['start', name, attributes]];
}

const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
const REFERENCE = /&(#x[0-9a-fA-F]+|#[0-9]+|[A-Za-z]+);/g;

/** Text with its references decoded; undefined for an unknown entity or a bare `&` (not well-formed). */
function decodeEntities(text: string): string | undefined {
  if (/&(?!(#x[0-9a-fA-F]+|#[0-9]+|[A-Za-z]+);)/.test(text)) return undefined;
  let bad = false;
  const out = text.replace(REFERENCE, (_, ref: string) => {
    const code = ref.startsWith('#x') ? parseInt(ref.slice(2), 16) : ref.startsWith('#') ? parseInt(ref.slice(1), 10) : undefined;
    if (code === undefined) {
      const named = NAMED[ref];
      if (named === undefined) bad = true;
      return named ?? '';
    }
    if (code > 0x10ffff) {
      bad = true;
      return '';
    }
    return String.fromCodePoint(code);
  });
  return bad ? undefined : out;
}
