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
    // Files in the current directory have no `/`; a directory exists when a file is under it.
    pathKind: (given) => {
      const path = given.replace(/(.)\/+$/, '$1');
      if (path in files) return 'file';
      if (path === '.' || Object.keys(files).some((f) => f.startsWith(`${path}/`))) return 'directory';
      return 'missing';
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

  it('tells files, directories and missing paths apart on disk', () => {
    const dir = mkdtempSync(join(tmpdir(), 'keelson-lint-'));
    writeFileSync(join(dir, '.rancher-pipeline.yml'), 'stages: []\n');
    expect([dir, join(dir, '.rancher-pipeline.yml'), join(dir, '.devops.yml')].map((p) => processIo.pathKind(p))).toEqual(['directory', 'file', 'missing']);
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
    [['lint', 'p.yml', '--plan', '--branch', 'main'], '--plan needs --branch and --event'],
    [['lint', 'p.yml', '--plan', '--branch', 'main', '--event', 'commit'], '--event must be one of push, pull_request, tag, manual, image'],
    [['lint', 'p.yml', '--branch', 'main'], '--branch and --event only go with --plan'],
    [['lint', 'p.yml', '--fix'], 'unknown option --fix'],
  ])('exits 2 with usage for %j', (argv, message) => {
    const out = run(argv, { 'p.yml': VALID });
    expect(out.code).toBe(2);
    expect(out.stderr).toContain(message);
    expect(out.stderr).toContain('usage: keelson lint [FILE|DIR]...');
  });

  it('treats arguments after -- as files', () => {
    expect(run(['lint', '--', '--odd.yml'], { '--odd.yml': VALID }).code).toBe(0);
  });
});

const RANCHER = `stages:
- name: Clone
  steps:
  - sourceCodeConfig: {}
- name: build
  steps:
  - runScriptConfig: {image: node, shellScript: make, env: {A: b}}
timeout: 60
notification: {}
`;
const RANCHER_WARNINGS = [
  '.rancher-pipeline.yml:2:3: warning: stages[0] only clones the repository, which Keelson always does before the first stage: the stage is left out',
  '.rancher-pipeline.yml:4:5: warning: stages[0].steps[0]: sourceCodeConfig is left out: Keelson always checks out the commit before the first stage',
  '.rancher-pipeline.yml:7:55: warning: unknown key "env" in stages[1].steps[0].runScriptConfig is ignored (as Rancher did); expected one of: image, shellScript',
  '.rancher-pipeline.yml:9:1: warning: notification has no recipients: nobody is notified (as in Rancher, whose UI writes `notification: {}`); add recipients or remove it',
];

describe('keelson lint on Rancher files', () => {
  it('prints each warning as FILE:LINE:COL: warning: message and exits 0', () => {
    expect(run(['lint', '.rancher-pipeline.yml'], { '.rancher-pipeline.yml': RANCHER })).toEqual({ code: 0, stderr: '', stdout: RANCHER_WARNINGS.map((w) => w + '\n').join('') });
  });

  it('exits 1 on warnings with --strict, and 0 with --strict when there are none', () => {
    expect(run(['lint', '--strict', '.rancher-pipeline.yml'], { '.rancher-pipeline.yml': RANCHER }).code).toBe(1);
    expect(run(['lint', '--strict', 'a.yml'], { 'a.yml': VALID })).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('prints errors and warnings in the order of the file', () => {
    const text = RANCHER.replace('image: node, ', '');
    const out = run(['lint', '.rancher-pipeline.yml'], { '.rancher-pipeline.yml': text });
    expect(out.code).toBe(1);
    expect(out.stdout.split('\n').map((l) => l.replace(/: (warning: )?.*$/, ': $1'))).toEqual([
      '.rancher-pipeline.yml:2:3: warning: ', '.rancher-pipeline.yml:4:5: warning: ', '.rancher-pipeline.yml:7:5: ',
      '.rancher-pipeline.yml:7:42: warning: ', '.rancher-pipeline.yml:9:1: warning: ', '',
    ]);
  });

  it('lists warnings apart from errors with --json', () => {
    const out = run(['lint', '--json', '.rancher-pipeline.yml'], { '.rancher-pipeline.yml': RANCHER });
    expect(out.code).toBe(0);
    const line = JSON.parse(out.stdout);
    expect(line).toMatchObject({ file: '.rancher-pipeline.yml', valid: true, issues: [] });
    expect(line.warnings.map((w: { code: string; line: number; column: number }) => [w.code, w.line, w.column])).toEqual([
      ['CloneStepIgnored', 2, 3], ['CloneStepIgnored', 4, 5], ['UnknownKeyIgnored', 7, 55], ['NoRecipients', 9, 1],
    ]);
  });

  it('prints warnings before a plan, and on stderr beside a JSON plan', () => {
    const text = run(['lint', '.rancher-pipeline.yml', '--plan', '--branch', 'main', '--event', 'push'], { '.rancher-pipeline.yml': RANCHER });
    expect(text.stdout).toBe([...RANCHER_WARNINGS, '.rancher-pipeline.yml: branch main, event push: pipeline runs', '  stage build: runs', '    step-1 (runScriptConfig): runs', ''].join('\n'));
    const json = run(['lint', '.rancher-pipeline.yml', '--plan', '--branch', 'main', '--event', 'push', '--json'], { '.rancher-pipeline.yml': RANCHER });
    expect(JSON.parse(json.stdout)).toEqual({ runs: true, stages: [{ name: 'build', runs: true, steps: [{ type: 'runScriptConfig', runs: true }] }] });
    expect(json.stderr).toBe(RANCHER_WARNINGS.map((w) => w + '\n').join(''));
  });
});

describe('keelson lint on a directory', () => {
  it('reads the current directory by default, and says which file it read when it is a Rancher file', () => {
    expect(run(['lint'], { '.rancher-pipeline.yml': RANCHER })).toMatchObject({
      code: 0, stderr: 'keelson lint: reading .rancher-pipeline.yml as a Rancher pipeline (unknown keys are warnings)\n',
    });
  });

  it.each<[string[], string]>([
    [['.devops.yml', '.devops.yaml', '.rancher-pipeline.yml', '.rancher-pipeline.yaml'], 'app/.devops.yml'],
    [['.devops.yaml', '.rancher-pipeline.yml'], 'app/.devops.yaml'],
    [['.rancher-pipeline.yaml', '.rancher-pipeline.yml'], 'app/.rancher-pipeline.yml'],
    [['.rancher-pipeline.yaml'], 'app/.rancher-pipeline.yaml'],
  ])('with %j there, reads %s', (names, read) => {
    const files = Object.fromEntries(names.map((n) => [`app/${n}`, n.startsWith('.rancher') ? RANCHER : VALID]));
    const out = run(['lint', 'app/'], files);
    expect(out.stderr).toMatch(new RegExp(`^keelson lint: reading ${read.replace(/\./g, '\\.')}( |\n)`));
    expect(out.code).toBe(0);
  });

  it('reads a .devops.yml strictly even when a Rancher file is beside it', () => {
    const out = run(['lint', 'app'], { 'app/.devops.yml': RANCHER, 'app/.rancher-pipeline.yml': VALID });
    expect(out.code).toBe(1);
    expect(out.stderr).toBe('keelson lint: reading app/.devops.yml\n');
    expect(out.stdout).toContain('app/.devops.yml:9:1: notification is missing the required key "recipients"');
    expect(out.stdout).not.toContain('warning');
  });

  it('exits 1 when the directory holds no pipeline file, naming the ones it looked for', () => {
    expect(run(['lint', 'app'], { 'app/README.md': '' })).toMatchObject({
      code: 1, stdout: 'app:1:1: no pipeline file in this directory; expected one of .devops.yml, .devops.yaml, .rancher-pipeline.yml, .rancher-pipeline.yaml\n',
    });
  });
});

describe('keelson', () => {
  it('prints usage for --help and exits 0', () => {
    expect(run(['--help'])).toMatchObject({ code: 0, stdout: expect.stringContaining('keelson lint [FILE|DIR]') });
  });

  it('exits 2 for an unknown command', () => {
    expect(run(['deploy'])).toMatchObject({ code: 2, stderr: expect.stringContaining('unknown command deploy') });
  });
});
