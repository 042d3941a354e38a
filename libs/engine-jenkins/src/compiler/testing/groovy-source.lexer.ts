// A deliberately strict lexer for the Groovy the compiler emits, used only by tests. It reads the source the
// way Groovy 2.4 (Jenkins' Groovy) does: unicode escapes are rewritten first (UnicodeEscapingReader), then
// tokens are read. It knows single-quoted string literals and refuses every other kind of string (double
// quotes, triple quotes, slashy and dollar-slashy strings), because those interpolate or span lines: if the
// compiler ever emitted one, or if user text ever produced one, the tests fail.

export type GroovyToken =
  | { kind: 'string'; value: string }
  | { kind: 'identifier' | 'number' | 'punct' | 'newline' | 'comment'; text: string };

export class GroovyLexError extends Error {
  constructor(message: string, readonly offset: number) {
    super(`${message} at offset ${offset}`);
  }
}

/** Groovy 2.4's pre-lexing pass: `\uXXXX` (any number of `u`) becomes the character; `\` + other is a pair. */
export function rewriteUnicodeEscapes(source: string): string {
  let out = '';
  for (let i = 0; i < source.length; i++) {
    const ch = source[i];
    if (ch !== '\\') {
      out += ch;
      continue;
    }
    const next = source[i + 1];
    if (next !== 'u') {
      out += ch + (next ?? '');
      i++;
      continue;
    }
    let j = i + 1;
    while (source[j] === 'u') j++;
    const hex = source.slice(j, j + 4);
    if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw new GroovyLexError('malformed unicode escape', i);
    out += String.fromCharCode(parseInt(hex, 16));
    i = j + 3;
  }
  return out;
}

const PUNCTUATION = ['==', '!=', '&&', '||', '<=', '>=', '->', '{', '}', '(', ')', '[', ']', ',', ':', '.', '=', '+', '-', '*', '<', '>', '!', '?', ';'];
const STRING_ESCAPES: Record<string, string> = {
  n: '\n', r: '\r', t: '\t', b: '\b', f: '\f', "'": "'", '"': '"', '\\': '\\', $: '$',
};

const IDENTIFIER = /[A-Za-z_$][A-Za-z0-9_$]*/y;
const NUMBER = /[0-9]+/y;

function stickyMatch(re: RegExp, src: string, at: number): string {
  re.lastIndex = at;
  return (re.exec(src) as RegExpExecArray)[0];
}

export function lexGroovy(raw: string): GroovyToken[] {
  const src = rewriteUnicodeEscapes(raw);
  const tokens: GroovyToken[] = [];
  let i = 0;
  while (i < src.length) {
    const ch = src[i];
    if (ch === ' ' || ch === '\t') {
      i++;
    } else if (ch === '\n') {
      tokens.push({ kind: 'newline', text: '\n' });
      i++;
    } else if (src.startsWith('//', i)) {
      const end = src.indexOf('\n', i);
      const stop = end < 0 ? src.length : end;
      tokens.push({ kind: 'comment', text: src.slice(i, stop) });
      i = stop;
    } else if (src.startsWith('/*', i)) {
      const end = src.indexOf('*/', i + 2);
      if (end < 0) throw new GroovyLexError('unterminated comment', i);
      tokens.push({ kind: 'comment', text: src.slice(i, end + 2) });
      i = end + 2;
    } else if (ch === "'") {
      if (src.startsWith("'''", i)) throw new GroovyLexError('triple-quoted string', i);
      const { value, end } = readSingleQuoted(src, i);
      tokens.push({ kind: 'string', value });
      i = end;
    } else if (/[A-Za-z_$]/.test(ch)) {
      const text = stickyMatch(IDENTIFIER, src, i);
      tokens.push({ kind: 'identifier', text });
      i += text.length;
    } else if (/[0-9]/.test(ch)) {
      const text = stickyMatch(NUMBER, src, i);
      tokens.push({ kind: 'number', text });
      i += text.length;
    } else {
      const p = PUNCTUATION.find((candidate) => src.startsWith(candidate, i));
      if (p === undefined) throw new GroovyLexError(`unexpected character ${JSON.stringify(ch)}`, i);
      tokens.push({ kind: 'punct', text: p });
      i += p.length;
    }
  }
  return tokens;
}

function readSingleQuoted(src: string, start: number): { value: string; end: number } {
  let value = '';
  let i = start + 1;
  for (;;) {
    if (i >= src.length) throw new GroovyLexError('unterminated string', start);
    const ch = src[i];
    if (ch === "'") return { value, end: i + 1 };
    if (ch === '\n' || ch === '\r') throw new GroovyLexError('line break in a single-quoted string', i);
    if (ch === '\uffff') throw new GroovyLexError('U+FFFF ends Groovy 2 input', i);
    if (ch === '\\') {
      const decoded = STRING_ESCAPES[src[i + 1]];
      if (decoded === undefined) throw new GroovyLexError(`unsupported escape \\${src[i + 1]}`, i);
      value += decoded;
      i += 2;
    } else {
      value += ch;
      i++;
    }
  }
}

/** Everything but the contents of string literals, which become a placeholder: the shape of the program. */
export function programShape(tokens: GroovyToken[]): string[] {
  return tokens.map((t) => (t.kind === 'string' ? '<string>' : `${t.kind}:${t.text}`));
}

export function stringLiterals(tokens: GroovyToken[]): string[] {
  return tokens.flatMap((t) => (t.kind === 'string' ? [t.value] : []));
}

/** The value of a named argument `name: 'a'` or `name: ('a' + 'b')`, decoded; undefined when absent. */
export function namedStringArgument(tokens: GroovyToken[], name: string): string | undefined {
  const at = tokens.findIndex((t, i) => t.kind === 'identifier' && t.text === name && tokens[i + 1]?.kind === 'punct' && (tokens[i + 1] as { text: string }).text === ':');
  if (at < 0) return undefined;
  let value = '';
  for (let i = at + 2; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.kind === 'string') value += t.value;
    else if (t.kind !== 'punct' || !['(', '+'].includes(t.text)) break;
  }
  return value;
}
