import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { compileJenkinsJob } from '@keelson/engine-jenkins';
import { aCompileInput } from '../../../../libs/engine-jenkins/src/compiler/testing/compile-input.builders';
import { readJenkinsfile, ScriptShapeError, type ScriptStep } from './jenkinsfile.reader';

const GOLDEN = join(__dirname, '..', '..', '..', '..', 'libs', 'engine-jenkins', 'src', '__golden__');
const golden = (file: string) => readFileSync(join(GOLDEN, file), 'utf8');

/** The `<step> / <file>` → content map of a golden `.files.txt` (entries joined by a blank line). */
function goldenFiles(name: string): Map<string, string> {
  const text = golden(`${name}.files.txt`);
  const headers = [...text.matchAll(/^==> (.+) \/ (.+)$/gm)];
  return new Map(headers.map((h, i) => {
    const start = (h.index as number) + h[0].length + 1;
    const end = i + 1 < headers.length ? (headers[i + 1].index as number) - 1 : text.length;
    return [`${h[1]} / ${h[2]}`, text.slice(start, end - 1)];
  }));
}

function filesOf(steps: ScriptStep[]): Map<string, string> {
  return new Map(steps.flatMap((s) => (s.kind === 'run' ? s.files.map((f) => [`${s.name} / ${f.name}`, f.content] as const) : [])));
}

const shape = (steps: ScriptStep[]) => steps.map((s) => `${s.kind}:${s.name}`);

describe('the Jenkinsfile reader on the golden files', () => {
  it.each(['rancher-example', 'full-featured', 'fork-pull-request', 'manual-run'])(
    'decodes every script and data file of %s exactly as the compiler wrote them', (name) => {
      const script = readJenkinsfile(golden(`${name}.Jenkinsfile`));
      const expected = goldenFiles(name);
      expect(expected.size).toBeGreaterThan(0);
      expect(filesOf(script.stages.flatMap((s) => s.steps))).toEqual(expected);
    });

  it.each(['rancher-example', 'full-featured', 'fork-pull-request', 'manual-run'])(
    'reads the namespace and the pod YAML of %s as the golden pod', (name) => {
      const script = readJenkinsfile(golden(`${name}.Jenkinsfile`));
      expect(script.podTemplate.namespace).toBe('team-a-builds');
      expect(script.podTemplate.cloud).toBe('kubernetes');
      expect(parse(script.podTemplate.yaml)).toEqual(parse(golden(`${name}.pod.yaml`)));
    });

  it('reads the guard, the build name, the timeout and the checkout', () => {
    const script = readJenkinsfile(golden('full-featured.Jenkinsfile'));
    expect(script.guard).toEqual({ parameter: 'EXECUTION_ID', expected: 'web-12', message: 'This script was generated for execution web-12' });
    expect(script.displayName).toBe('#12');
    expect(script.description).toBe('main @ 0123456: Make the tests pass');
    expect(script.timeoutMinutes).toBe(90);
    expect(script.checkout).toEqual({
      name: 'checkout', commit: '0123456789abcdef0123456789abcdef01234567', url: 'https://git.example.com/team-a/web.git',
      refspec: '+refs/heads/main:refs/remotes/origin/keelson',
      verify: { label: 'Verify the checked-out commit', script: 'test "$(git rev-parse HEAD)" = \'0123456789abcdef0123456789abcdef01234567\'' },
    });
  });

  it('orders stages and steps with the node names of the script, and reads retry, timeout and approval', () => {
    const script = readJenkinsfile(golden('full-featured.Jenkinsfile'));
    expect(script.stages.map((s) => s.name)).toEqual(['stage-0 build', 'stage-1 approve', 'stage-2 deploy']);
    expect(script.stages.map((s) => shape(s.steps))).toEqual([
      ['run:step-0-0 unit tests', 'run:step-0-1 image'],
      ['approval:step-1-0 release manager'],
      ['run:step-2-0 config', 'run:step-2-1 release', 'run:step-2-2 catalog'],
    ]);
    const [unit] = script.stages[0].steps;
    expect(unit).toMatchObject({
      kind: 'run', container: 'step-0-0', label: 'unit tests', attempts: 3, timeoutMinutes: 20, scriptFile: 'step-0-0.sh',
      script: 'npm ci\nnpm test -- --reporter "dot" \'quoted\'\n', command: '/bin/sh "$KEELSON_DIR/step-0-0.cache.sh"',
    });
    expect(script.stages[1].steps[0]).toEqual({
      kind: 'approval', name: 'step-1-0 release manager', timeoutMinutes: 120,
      input: { id: 'Approval-1-0', message: 'Deploy web to production?', ok: 'Approve', submitter: 'keelson-manager' },
    });
    // The script file is the one the sh command runs (through the cache wrapper), not the data file written beside it.
    expect(script.stages[2].steps[0]).toMatchObject({ scriptFile: 'step-2-0.sh', files: [{ name: 'step-2-0.sh' }, { name: 'step-2-0.yaml' }, { name: 'step-2-0.cache.sh' }] });
  });

  it('normalises an input id like InputStep: first letter capitalised', () => {
    const source = golden('full-featured.Jenkinsfile').replace("input(id: 'Approval-1-0'", "input(id: 'approval-1-0'");
    expect(source).toContain("input(id: 'approval-1-0'");
    const step = readJenkinsfile(source).stages[1].steps[0];
    expect(step.kind === 'approval' && step.input.id).toBe('Approval-1-0');
  });

  it('marks a stage skipped by its when condition', () => {
    const script = readJenkinsfile(golden('manual-run.Jenkinsfile'));
    expect(script.stages[0]).toEqual({ name: 'stage-0 test', skipped: 'Skipped: the when condition of this stage does not match this run', steps: [] });
    expect(script.stages[1].skipped).toBeUndefined();
  });

  it('reads a step the compiler refused as an error step', () => {
    const script = readJenkinsfile(golden('fork-pull-request.Jenkinsfile'));
    expect(script.stages[2].steps).toEqual([{
      kind: 'refused', name: 'step-2-0 step-1', timeoutMinutes: undefined,
      message: 'Deploy steps do not run for pull requests from forks: they get no cluster credentials',
    }]);
  });
});

describe('the Jenkinsfile reader on freshly compiled pipelines', () => {
  it('reads a skipped step inside a running stage and a script with a shebang', () => {
    const job = compileJenkinsJob(aCompileInput(`
stages:
- name: test
  steps:
  - runScriptConfig: {image: alpine, shellScript: "#!/bin/bash\\necho hi"}
  - runScriptConfig: {image: alpine, shellScript: echo later}
    when: {branch: other}
`));
    const [stage] = readJenkinsfile(job.jenkinsfile).stages;
    expect(shape(stage.steps)).toEqual(['run:step-0-0 step-1', 'skipped:step-0-1 step-2']);
    expect(stage.steps[0]).toMatchObject({ script: '#!/bin/bash\necho hi', scriptFile: 'step-0-0.sh' });
    expect(stage.steps[1]).toMatchObject({ message: 'Skipped: the when condition of this step does not match this run' });
  });

  it('joins a pod YAML split into several literals', () => {
    const many = Array.from({ length: 40 }, (_, i) => `  - runScriptConfig: {image: alpine, shellScript: echo ${i}}`).join('\n');
    const job = compileJenkinsJob(aCompileInput(`stages:\n- name: wide\n  steps:\n${many}\n`));
    expect(job.jenkinsfile).toContain("' + '");
    expect(readJenkinsfile(job.jenkinsfile).podTemplate.yaml).toBe(job.podYaml);
  });

  it('refuses a script of another shape', () => {
    expect(() => readJenkinsfile("pipeline { agent any; stages { stage('Build') { steps { echo 'hi' } } } }")).toThrow(ScriptShapeError);
  });
});
