import { parseYamlSafely } from './safe-yaml.parser';
import { lintErrors, parseIssues, parseValid } from './pipeline-config.fixtures';

function billionLaughs(): string {
  let text = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n';
  let prev = 'a';
  for (const c of 'bcdefghi') {
    text += `${c}: &${c} [${Array(9).fill('*' + prev).join(',')}]\n`;
    prev = c;
  }
  return text;
}

describe('safe YAML parsing', () => {
  it('refuses a billion-laughs document as an alias expansion attack', () => {
    const [issue] = parseIssues(billionLaughs());
    expect(issue.code).toBe('ConfigTooManyAliases');
    expect(issue.message).toMatch(/aliases expand to too many nodes/);
  });

  it('refuses 5,000 nested flow sequences at the first level past the cap', () => {
    const text = '['.repeat(5000) + ']'.repeat(5000);
    expect(lintErrors(text)).toEqual(['p.yml:1:65: nesting deeper than 64 levels; expected at most 64']);
  });

  it('refuses 5,000 nested block sequences written compactly on one line', () => {
    const [issue] = parseIssues('- '.repeat(5000) + 'x');
    expect(issue).toMatchObject({ code: 'ConfigTooDeep', line: 1, column: 129 });
  });

  it('refuses deep nesting built from indented mappings', () => {
    let text = '';
    for (let i = 0; i < 100; i++) text += ' '.repeat(i) + `k${i}:\n`;
    const [issue] = parseIssues(text);
    expect(issue).toMatchObject({ code: 'ConfigTooDeep', line: 65, column: 68 });
  });

  it('refuses a file over the size cap before parsing it', () => {
    const text = '# ' + 'x'.repeat(600 * 1024);
    expect(lintErrors(text)).toEqual([`p.yml:1:1: file is ${600 * 1024 + 2} bytes; expected at most 524288`]);
  });

  it('applies custom limits', () => {
    expect(parseIssues('a: [[[1]]]', { limits: { maxDepth: 2 } })[0].code).toBe('ConfigTooDeep');
    expect(parseIssues('a: 1', { limits: { maxBytes: 3 } })[0].code).toBe('ConfigTooLarge');
  });

  it('refuses more aliases than the cap even when each is small', () => {
    const text = 'x: &x 1\nl: [' + Array(101).fill('*x').join(', ') + ']\n';
    expect(lintErrors(text)).toEqual(['p.yml:2:405: more than 100 aliases; expected at most 100']);
  });

  it('refuses custom tags, including the yaml 1.1 binary tag', () => {
    expect(lintErrors('a: !foo bar\n')).toEqual(['p.yml:1:4: tag !foo is not allowed; expected plain YAML without custom tags']);
    expect(lintErrors('a:\n  b: !!binary aGVsbG8=\n')).toEqual(['p.yml:2:6: tag !!binary is not allowed; expected plain YAML without custom tags']);
  });

  it('refuses %TAG directives, which could rename the core tags', () => {
    expect(lintErrors('%TAG !! tag:evil:\n---\na: 1\n')).toEqual(['p.yml:1:1: directive %TAG is not allowed; expected no %TAG directives']);
  });

  it('reports duplicate keys at the second occurrence', () => {
    expect(lintErrors('stages: []\ntimeout: 1\ntimeout: 2\n')).toEqual(['p.yml:3:1: duplicate key; expected each key at most once in a mapping']);
  });

  it('refuses several documents in one file', () => {
    expect(lintErrors('a: 1\n---\nb: 2\n')).toEqual(['p.yml:2:1: several YAML documents; expected exactly one']);
  });

  it('reports YAML syntax errors with their position', () => {
    expect(lintErrors('stages: [1, 2\n')).toEqual([expect.stringMatching(/^p\.yml:2:1: invalid YAML: /)]);
  });

  it('accepts core-schema tags that only restate a type', () => {
    const parsed = parseYamlSafely('a: !!str 1\n', 'f');
    expect(parsed.ok && parsed.parsed.value).toEqual({ a: '1' });
  });

  it('accepts anchors, aliases and merge keys used for shared step settings', () => {
    const config = parseValid(`
stages:
- name: test
  steps:
  - &unit
    runScriptConfig: {image: node:20, shellScript: npm test}
    env: &env {CI: "1"}
  - <<: *unit
    name: again
    env: *env
`);
    expect(config.stages[0].steps[1]).toMatchObject({ name: 'again', env: { CI: '1' }, type: 'runScriptConfig' });
  });

  it('ignores brackets inside quoted strings and block scalars when measuring depth', () => {
    const script = '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[';
    const config = parseValid(`stages:\n- name: a\n  steps:\n  - runScriptConfig:\n      image: "${script}"\n      shellScript: |\n        echo '${script}'\n`);
    expect(config.stages[0].steps[0].config).toEqual({ image: script, shellScript: `echo '${script}'\n` });
  });
});
