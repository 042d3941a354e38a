// The only place where text crosses into another language. Every user-controlled string that ends up in a
// generated artefact goes through exactly one function here, chosen by the target:
//   Groovy source -> groovyString   shell command -> shellQuote   Kubernetes env value -> kubeEnvValue
//   YAML document -> toYaml         XML text      -> xmlText
// escape.fuzz.spec.ts proves each of them against adversarial input.
import { Document, isScalar, parse, visit } from 'yaml';

import { JenkinsCompileError } from './compile.errors';

const SHORT_GROOVY_ESCAPES: Record<string, string> = {
  '\\': '\\\\',
  "'": "\\'",
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f',
};

/**
 * A Groovy single-quoted string literal (no interpolation) whose source is printable ASCII only.
 *
 * Groovy 2.4, which Jenkins runs, rewrites `\uXXXX` escapes before lexing (UnicodeEscapingReader), so an
 * escape for `'` or `\` would close the literal. Quotes, backslashes and line breaks therefore use short
 * escapes, and `\uXXXX` is used only for characters that are harmless when they appear raw inside a literal.
 * U+FFFF is the end-of-input character of Groovy 2's lexer and cannot appear in a literal at all: refused.
 */
export function groovyString(value: string): string {
  let out = "'";
  for (let i = 0; i < value.length; i++) {
    const ch = value[i];
    const code = value.charCodeAt(i);
    const short = SHORT_GROOVY_ESCAPES[ch];
    if (short !== undefined) out += short;
    else if (code >= 0x20 && code <= 0x7e) out += ch;
    else if (code === 0xffff) throw unrepresentable('Groovy', 'U+FFFF');
    else out += '\\u' + code.toString(16).padStart(4, '0');
  }
  return out + "'";
}

/** Longer values are split: a class-file string constant holds at most 65,535 bytes (6 per escaped unit). */
export const GROOVY_CHUNK_UNITS = 8000;

/**
 * A Groovy expression equal to `value`: one literal, or for long values (a pod YAML, a large script) a
 * parenthesised concatenation of literals, none of which exceeds the class-file limit.
 */
export function groovyStringExpression(value: string): string {
  if (value.length <= GROOVY_CHUNK_UNITS) return groovyString(value);
  const parts: string[] = [];
  for (let start = 0; start < value.length; ) {
    let end = Math.min(start + GROOVY_CHUNK_UNITS, value.length);
    // Never split a surrogate pair: each half alone would be a different character.
    if (end < value.length && /[\ud800-\udbff]/.test(value[end - 1]) && /[\udc00-\udfff]/.test(value[end])) end--;
    parts.push(groovyString(value.slice(start, end)));
    start = end;
  }
  return `(${parts.join(' + ')})`;
}

/** A POSIX shell word that the shell reads back as exactly `value`; no expansion of any kind happens inside. */
export function shellQuote(value: string): string {
  if (value.includes('\0')) throw unrepresentable('shell', 'NUL');
  return "'" + value.replace(/'/g, "'\\''") + "'";
}

/**
 * A container env `value` that Kubernetes passes through literally. The kubelet expands `$(NAME)` in env
 * values (and reduces `$$` to `$`), which would let user text read other variables, secrets included.
 */
export function kubeEnvValue(value: string): string {
  return value.replace(/\$/g, () => '$$');
}

/**
 * A YAML document that YAML 1.1 parsers (SnakeYAML in the Jenkins Kubernetes plugin, go-yaml in kubectl) and
 * YAML 1.2 parsers read back identically: every string is double-quoted with JSON escapes (so `on`, `0755`
 * or `1:20` stay strings), and the output is ASCII only, because YAML 1.1 treats U+0085, U+2028 and U+2029 as
 * line breaks even inside quotes.
 */
export function toYaml(value: unknown): string {
  refuseLoneSurrogates(value);
  // Built with the YAML 1.2 core schema (in 1.1 mode the library turns a `<<` string into a merge key), then
  // kept unambiguous for YAML 1.1 readers: every string value is double-quoted, and so is every key that is
  // not a plain identifier or that some reader takes for another type (`no` is a boolean in YAML 1.1, `e0`
  // a float to the yaml library's 1.1 schema).
  const doc = new Document(value, { version: '1.2', aliasDuplicateObjects: false });
  visit(doc, {
    Pair(_, pair) {
      const key = pair.key;
      if (isScalar(key) && typeof key.value === 'string' && !isSafePlainKey(key.value)) {
        key.type = 'QUOTE_DOUBLE';
      }
    },
  });
  const text = doc.toString({
    defaultStringType: 'QUOTE_DOUBLE',
    defaultKeyType: 'PLAIN',
    doubleQuotedAsJSON: true,
    lineWidth: 0,
  });
  return asciiOnlyYaml(text);
}

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_./-]*$/;
const YAML11_WORD = /^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|null|Null|NULL)$/;
function isSafePlainKey(key: string): boolean {
  return PLAIN_KEY.test(key) && !YAML11_WORD.test(key) && parse(key, { version: '1.1' }) === key && parse(key, { version: '1.2' }) === key;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

// go-yaml refuses a `\uD800`-style escape, and UTF-8 cannot carry a lone surrogate at all.
function refuseLoneSurrogates(value: unknown): void {
  if (typeof value === 'string') {
    if (LONE_SURROGATE.test(value)) {
      throw unrepresentable('YAML', 'a lone UTF-16 surrogate');
    }
  } else if (Array.isArray(value)) value.forEach(refuseLoneSurrogates);
  else if (value !== null && typeof value === 'object') Object.values(value).forEach(refuseLoneSurrogates);
}

// Non-ASCII (and DEL, which YAML does not allow raw) can only occur inside double-quoted scalars here, where `\u`/`\U` escapes are valid.
function asciiOnlyYaml(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0) as number;
    if (code < 0x7f) out += ch;
    else if (code > 0xffff) out += '\\U' + code.toString(16).padStart(8, '0');
    else out += '\\u' + code.toString(16).padStart(4, '0');
  }
  return out;
}

// XML 1.1 (what Jenkins writes) allows control characters only as references, and never NUL.
const XML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/**
 * Text content of an XML 1.1 element (not an attribute value, where parsers turn line breaks into spaces).
 * Line feeds and tabs stay raw so a script stays readable; CR is a reference, or parsers would drop it.
 */
export function xmlText(value: string): string {
  let out = '';
  for (const ch of value) {
    const code = ch.codePointAt(0) as number;
    const entity = XML_ENTITIES[ch];
    if (entity !== undefined) out += entity;
    else if (code === 0 || code === 0xfffe || code === 0xffff || (code >= 0xd800 && code <= 0xdfff)) {
      throw unrepresentable('XML', `U+${code.toString(16).toUpperCase().padStart(4, '0')}`);
    } else if (ch === '\n' || ch === '\t') out += ch;
    else if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) out += `&#x${code.toString(16)};`;
    else out += ch;
  }
  return out;
}

/** Base64 of the UTF-8 bytes: the form in which scripts and files travel, so no language ever re-parses them. */
export function base64Utf8(value: string): string {
  if (LONE_SURROGATE.test(value)) throw unrepresentable('UTF-8', 'a lone UTF-16 surrogate');
  return Buffer.from(value, 'utf8').toString('base64');
}

function unrepresentable(target: string, what: string): JenkinsCompileError {
  return new JenkinsCompileError('UnrepresentableText', `${what} cannot be represented in ${target} output`);
}
