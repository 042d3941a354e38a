import { JenkinsCompileError } from './compile.errors';
import { base64Utf8, GROOVY_CHUNK_UNITS, groovyString, groovyStringExpression, kubeEnvValue, shellQuote, toYaml, xmlText } from './escape';
import { lexGroovy, stringLiterals } from './testing/groovy-source.lexer';

describe('escape', () => {
  it('writes plain text as a plain single-quoted Groovy literal', () => {
    expect(groovyString('make test')).toBe("'make test'");
  });

  it('escapes quotes, backslashes and line breaks in Groovy with short escapes, never with \\u', () => {
    expect(groovyString("it's\\\n\r\t")).toBe("'it\\'s\\\\\\n\\r\\t'");
  });

  it('leaves ${...} alone in Groovy because single-quoted strings never interpolate', () => {
    expect(groovyString('${env.SECRET}')).toBe("'${env.SECRET}'");
  });

  it('writes non-ASCII and control characters as \\u escapes so the Groovy source stays ASCII', () => {
    expect(groovyString('é\u2028\0')).toBe("'\\u00e9\\u2028\\u0000'");
    expect(stringLiterals(lexGroovy(groovyString('é\u2028\0')))).toEqual(['é\u2028\0']);
  });

  it('keeps a user-written \\u0027 inert, because its backslash is doubled before Groovy rewrites escapes', () => {
    expect(stringLiterals(lexGroovy(groovyString('\\u0027')))).toEqual(['\\u0027']);
  });

  it('refuses U+FFFF in Groovy, which Groovy 2 reads as end of input', () => {
    expect(() => groovyString('a\uffff')).toThrow(JenkinsCompileError);
  });

  it('splits long values into concatenated literals that each fit a class-file constant', () => {
    const value = 'é'.repeat(GROOVY_CHUNK_UNITS * 2 + 1);
    const expr = groovyStringExpression(value);
    const tokens = lexGroovy(expr);
    expect(tokens.filter((t) => t.kind !== 'string').map((t) => ('text' in t ? t.text : ''))).toEqual(['(', '+', '+', ')']);
    expect(stringLiterals(tokens).join('')).toBe(value);
    for (const literal of expr.split(' + ')) expect(Buffer.byteLength(literal)).toBeLessThan(65535);
  });

  it('never splits a surrogate pair between two literals', () => {
    const value = 'a' + '😀'.repeat(GROOVY_CHUNK_UNITS);
    expect(stringLiterals(lexGroovy(groovyStringExpression(value)))).toEqual(
      expect.arrayContaining([expect.stringMatching(/^a(😀)+$/), expect.stringMatching(/^(😀)+$/)]),
    );
  });

  it('keeps short values a single literal', () => {
    expect(groovyStringExpression('x')).toBe("'x'");
  });

  it('quotes a shell word with single quotes and closes-escapes-reopens embedded quotes', () => {
    expect(shellQuote("it's $(id)")).toBe("'it'\\''s $(id)'");
  });

  it('refuses NUL in a shell word, which no argument can carry', () => {
    expect(() => shellQuote('a\0b')).toThrow(/NUL/);
  });

  it('doubles every $ of an env value so the kubelet expands nothing', () => {
    expect(kubeEnvValue('$(SECRET) costs $$5')).toBe('$$(SECRET) costs $$$$5');
  });

  it('double-quotes every YAML string so YAML 1.1 booleans and octals stay strings', () => {
    expect(toYaml({ a: 'on', b: '0755', c: 3, d: true })).toBe('a: "on"\nb: "0755"\nc: 3\nd: true\n');
  });

  it('quotes user keys that YAML 1.1 would read as booleans, or that are not plain identifiers', () => {
    expect(toYaml({ on: 1, 'a b': 2, é: 3, y: 4, plain: 5 })).toBe('"on": 1\n"a b": 2\n"\\u00e9": 3\n"y": 4\nplain: 5\n');
  });

  it('quotes user keys that a YAML reader takes for a number, such as e0 in the yaml library\'s 1.1 schema', () => {
    expect(toYaml({ e0: 1, E5: 2, inf: 3, e: 4 })).toBe('"e0": 1\n"E5": 2\ninf: 3\ne: 4\n');
  });

  it('writes << as a quoted string, never as a YAML 1.1 merge key', () => {
    expect(toYaml({ '<<': ['<<'] })).toBe('"<<":\n  - "<<"\n');
  });

  it('escapes YAML 1.1 line separators instead of writing them raw', () => {
    expect(toYaml({ a: 'x\u2028y\u{1F600}' })).toBe('a: "x\\u2028y\\U0001f600"\n');
  });

  it('escapes XML markup and writes control characters as references', () => {
    expect(xmlText('<a href="x">&\u0001')).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&#x1;');
  });

  it('encodes text as base64 of its UTF-8 bytes', () => {
    expect(base64Utf8('é')).toBe('w6k=');
  });
});
