// Property tests: for 10,000 hostile strings per target, the escaped form reads back as exactly the input and
// cannot change the surrounding program. The whole-Jenkinsfile property lives in jenkinsfile.fuzz.spec.ts.
import { spawnSync } from 'node:child_process';

import fc from 'fast-check';
import { parse } from 'yaml';

import { JenkinsCompileError } from './compile.errors';
import { groovyString, kubeEnvValue, shellQuote, toYaml, xmlText } from './escape';
import { adversarialString, representableString } from './testing/adversarial.arbitrary';
import { lexGroovy, programShape, stringLiterals } from './testing/groovy-source.lexer';

const RUNS = 10_000;

function hasLoneSurrogate(s: string): boolean {
  return /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(s);
}

function expectUnrepresentable(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(JenkinsCompileError);
    expect((e as JenkinsCompileError).code).toBe('UnrepresentableText');
    return;
  }
  throw new Error('expected UnrepresentableText');
}

describe('groovyString', () => {
  const shape = programShape(lexGroovy("sh(script: 'x')\n"));

  it('keeps the program shape and reads back as the input for 10,000 hostile strings', () => {
    fc.assert(
      fc.property(adversarialString, (s) => {
        if (s.includes('\uffff')) return expectUnrepresentable(() => groovyString(s));
        const literal = groovyString(s);
        expect(literal).toMatch(/^'[\x20-\x7e]*'$/);
        const tokens = lexGroovy(`sh(script: ${literal})\n`);
        expect(programShape(tokens)).toEqual(shape);
        expect(stringLiterals(tokens)).toEqual([s]);
      }),
      { numRuns: RUNS },
    );
  });
});

// A POSIX reader of what shellQuote may produce: quoted runs, `\'` and plain letters; anything else unquoted fails.
function readShellWords(text: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) throw new Error('unterminated quote');
      word = (word ?? '') + text.slice(i + 1, end);
      i = end;
    } else if (ch === '\\' && text[i + 1] === "'") {
      word = (word ?? '') + "'";
      i++;
    } else if (ch === ' ') {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (/[A-Za-z0-9%]/.test(ch)) {
      word = (word ?? '') + ch;
    } else {
      throw new Error(`unquoted ${JSON.stringify(ch)}`);
    }
  }
  if (word !== undefined) words.push(word);
  return words;
}

describe('shellQuote', () => {
  it('is one shell word equal to the input for 10,000 hostile strings', () => {
    fc.assert(
      fc.property(adversarialString, (s) => {
        if (s.includes('\0')) return expectUnrepresentable(() => shellQuote(s));
        expect(readShellWords(`printf %s ${shellQuote(s)}`)).toEqual(['printf', '%s', s]);
      }),
      { numRuns: RUNS },
    );
  });

  it('is read back byte for byte by a real /bin/sh for 300 hostile strings', () => {
    fc.assert(
      fc.property(representableString, (s) => {
        const run = spawnSync('/bin/sh', ['-c', `printf %s ${shellQuote(s)}`]);
        expect(run.status).toBe(0);
        expect(run.stdout.equals(Buffer.from(s, 'utf8'))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

// Kubernetes' env expansion (third_party/forked/golang/expansion), with every variable defined.
function kubeletExpand(input: string): string {
  let out = '';
  for (let i = 0; i < input.length; i++) {
    if (input[i] !== '$' || i + 1 >= input.length) {
      out += input[i];
      continue;
    }
    const next = input[i + 1];
    if (next === '$') out += '$';
    else if (next === '(' && input.indexOf(')', i + 2) >= 0) {
      const close = input.indexOf(')', i + 2);
      out += `<value of ${input.slice(i + 2, close)}>`;
      i = close - 1;
    } else out += '$' + next;
    i++;
  }
  return out;
}

describe('kubeEnvValue', () => {
  it('survives the kubelet $(VAR) expansion unchanged for 10,000 hostile strings', () => {
    fc.assert(
      fc.property(adversarialString, (s) => {
        expect(kubeletExpand(kubeEnvValue(s))).toBe(s);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('toYaml', () => {
  it('reads back identically as YAML 1.1 and 1.2, in ASCII, for 10,000 hostile keys and values', () => {
    fc.assert(
      fc.property(adversarialString, adversarialString, (name, value) => {
        // `name` is also a key, as user keys of Helm values are.
        const doc = { metadata: { labels: { a: value } }, env: [{ name, value }], list: [value, name], values: { [name]: { [value]: 1 } } };
        if (hasLoneSurrogate(name) || hasLoneSurrogate(value)) return expectUnrepresentable(() => toYaml(doc));
        const text = toYaml(doc);
        expect(text).toMatch(/^[\x20-\x7e\n]*$/);
        expect(parse(text, { version: '1.1' })).toEqual(doc);
        expect(parse(text, { version: '1.2' })).toEqual(doc);
      }),
      { numRuns: RUNS },
    );
  });
});

function decodeXml(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|apos|#x[0-9a-f]+);/g, (_m, name: string) =>
    name.startsWith('#x') ? String.fromCodePoint(parseInt(name.slice(2), 16)) : ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" } as Record<string, string>)[name],
  );
}

describe('xmlText', () => {
  it('has no markup and decodes back to the input for 10,000 hostile strings', () => {
    fc.assert(
      fc.property(adversarialString, (s) => {
        if (/[\u0000\ufffe\uffff]/.test(s) || hasLoneSurrogate(s)) return expectUnrepresentable(() => xmlText(s));
        const text = xmlText(s);
        expect(text).not.toMatch(/[<>"']|&(?!(amp|lt|gt|quot|apos|#x[0-9a-f]+);)/);
        expect(text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
        expect(decodeXml(text)).toBe(s);
      }),
      { numRuns: RUNS },
    );
  });
});
