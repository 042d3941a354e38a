import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliIo, processIo } from './cli-io';
import { runCli } from './cli';

const VALID = `stages:
- name: test
  steps:
  - runScriptConfig: {image: node}
  - publishImageConfig: {}
    when: {event: push}
- name: deploy
  when: {branch: main}
  steps:
  - applyYamlConfig: {path: k8s.yaml}
`;
const INVALID = 'stages:\n- name: a\n  steps:\n  - runScriptConfig: {imag: x}\n';

/** Runs the CLI against in-memory files and captures what it prints. */
function run(argv: string[], files: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    readFile: (path) => {
      if (!(path in files)) throw Object.assign(new Error('missing'), { code: 'ENOENT' });
      return files[path];
    },
  };
  const code = runCli(argv, io);
  return { code, stdout, stderr };
}

describe('keelson lint', () => {
  it('prints nothing and exits 0 when every file is valid', () => {
    expect(run(['lint', 'a.yml', 'b.yml'], { 'a.yml': VALID, 'b.yml': VALID })).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('prints each error as FILE:LINE:COL: message and exits 1 when any file is invalid', () => {
    const out = run(['lint', 'good.yml', 'bad.yml'], { 'good.yml': VALID, 'bad.yml': INVALID });
    expect(out.code).toBe(1);
    expect(out.stdout).toBe(
      'bad.yml:4:5: stages[0].steps[0].runScriptConfig is missing the required key "image"\n' +
      'bad.yml:4:23: unknown key "imag" in stages[0].steps[0].runScriptConfig; expected one of: image, shellScript\n',
    );
  });

  it('accepts resources in the Kubernetes shape and reports a bad one at its line and column', () => {
    const step = (resources: string) => `stages:\n- name: a\n  steps:\n  - runScriptConfig: {image: x}\n    resources:\n${resources}`;
    const good = step('      requests: {cpu: 250m, memory: 256Mi}\n      limits: {memory: 1Gi}\n');
    const bad = step('      requests: {cpu: 250m}\n      limits: {memory: 1GB}\n      memoryRequest: 64Mi\n');
    expect(run(['lint', 'good.yml'], { 'good.yml': good })).toEqual({ code: 0, stdout: '', stderr: '' });
    const out = run(['lint', 'bad.yml'], { 'bad.yml': bad });
    expect(out.code).toBe(1);
    expect(out.stdout).toBe(
      'bad.yml:7:24: stages[0].steps[0].resources.limits.memory: "1GB" is not a quantity; expected a Kubernetes quantity: a number with an optional suffix, such as 250m, 0.5, 2, 512Mi or 1Gi\n' +
      "bad.yml:8:7: stages[0].steps[0].resources.memoryRequest: Rancher's memoryRequest cannot be mixed with requests (the Kubernetes shape) in one step; expected one shape: cpuRequest/cpuLimit/memoryRequest/memoryLimit, or requests/limits with cpu/memory\n" +
      "bad.yml:8:7: stages[0].steps[0].resources.memoryRequest: Rancher's memoryRequest cannot be mixed with limits (the Kubernetes shape) in one step; expected one shape: cpuRequest/cpuLimit/memoryRequest/memoryLimit, or requests/limits with cpu/memory\n",
    );
  });

  it('reports a file it cannot read at line 1, column 1', () => {
    expect(run(['lint', 'nope.yml'])).toMatchObject({ code: 1, stdout: 'nope.yml:1:1: cannot read the file: ENOENT\n' });
  });

  it('refuses an oversized file without reading it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'keelson-lint-'));
    const path = join(dir, '.devops.yml');
    writeFileSync(path, 'x'.repeat(600 * 1024));
    expect(() => processIo.readFile(path, 512 * 1024)).toThrow('file is 614400 bytes; expected at most 524288');
  });

  it('prints which stages and steps run with --plan', () => {
    const out = run(['lint', 'p.yml', '--plan', '--branch', 'dev', '--event', 'pull_request'], { 'p.yml': VALID });
    expect(out).toEqual({
      code: 0,
      stderr: '',
      stdout: [
        'p.yml: branch dev, event pull_request: pipeline runs',
        '  stage test: runs',
        '    step-1 (runScriptConfig): runs',
        '    step-2 (publishImageConfig): skipped',
        '  stage deploy: skipped',
        '    step-1 (applyYamlConfig): skipped',
        '',
      ].join('\n'),
    });
  });

  it('prints exactly the documented JSON shape with --plan --json', () => {
    const out = run(['lint', 'p.yml', '--plan', '--branch=main', '--event=push', '--json'], { 'p.yml': VALID });
    expect(out.code).toBe(0);
    expect(out.stdout).toBe(JSON.stringify({
      runs: true,
      stages: [
        { name: 'test', runs: true, steps: [{ type: 'runScriptConfig', runs: true }, { type: 'publishImageConfig', runs: true }] },
        { name: 'deploy', runs: true, steps: [{ type: 'applyYamlConfig', runs: true }] },
      ],
    }) + '\n');
  });

  it('prints errors rather than a plan for an invalid file', () => {
    const out = run(['lint', 'bad.yml', '--plan', '--branch', 'main', '--event', 'push'], { 'bad.yml': INVALID });
    expect(out.code).toBe(1);
    expect(out.stdout).toMatch(/^bad\.yml:4:5: /);
  });

  it('prints issues as JSON lines with --json alone', () => {
    const out = run(['lint', 'bad.yml', '--json'], { 'bad.yml': INVALID });
    expect(out.code).toBe(1);
    expect(JSON.parse(out.stdout)).toMatchObject({ file: 'bad.yml', valid: false, issues: [{ line: 4, column: 5, code: 'ConfigSchema' }, { line: 4, column: 23 }] });
  });

  it.each<[string[], string]>([
    [['lint'], 'expected at least one FILE'],
    [['lint', 'p.yml', '--plan', '--branch', 'main'], '--plan needs --branch and --event'],
    [['lint', 'p.yml', '--plan', '--branch', 'main', '--event', 'commit'], '--event must be one of push, pull_request, tag, manual, image'],
    [['lint', 'p.yml', '--branch', 'main'], '--branch and --event only go with --plan'],
    [['lint', 'p.yml', '--fix'], 'unknown option --fix'],
  ])('exits 2 with usage for %j', (argv, message) => {
    const out = run(argv, { 'p.yml': VALID });
    expect(out.code).toBe(2);
    expect(out.stderr).toContain(message);
    expect(out.stderr).toContain('usage: keelson lint FILE...');
  });

  it('treats arguments after -- as files', () => {
    expect(run(['lint', '--', '--odd.yml'], { '--odd.yml': VALID }).code).toBe(0);
  });
});

describe('keelson', () => {
  it('prints usage for --help and exits 0', () => {
    expect(run(['--help'])).toMatchObject({ code: 0, stdout: expect.stringContaining('keelson lint FILE') });
  });

  it('exits 2 for an unknown command', () => {
    expect(run(['deploy'])).toMatchObject({ code: 2, stderr: expect.stringContaining('unknown command deploy') });
  });
});
