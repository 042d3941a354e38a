import { compileJenkinsJob } from '../jenkins-job.compiler';
import { aCompileInput, COMMIT } from '../testing/compile-input.builders';
import { lexGroovy, namedStringArgument } from '../testing/groovy-source.lexer';

const PIPELINE = `
timeout: 45
stages:
- name: test
  steps:
  - name: unit
    runScriptConfig: {image: 'node:20', shellScript: npm test}
    timeout: 10
    retry: 2
  - name: lint
    when: {branch: release/*}
    runScriptConfig: {image: 'node:20', shellScript: npm run lint}
- name: gate
  steps:
  - name: approve
    approval: {message: Deploy to production?}
    timeout: 60
- name: deploy
  when: {event: tag}
  steps:
  - applyYamlConfig: {path: k8s.yaml}
`;

const compile = (yaml = PIPELINE, overrides = {}) => compileJenkinsJob(aCompileInput(yaml, overrides)).jenkinsfile;
const lines = (text: string) => text.split('\n').map((l) => l.trim());
const indexOfLine = (text: string, line: string) => lines(text).indexOf(line);

describe('compileJenkinsfile', () => {
  it('refuses to run for another execution than the one it was generated for', () => {
    const jf = compile();
    expect(jf).toContain("if (params.EXECUTION_ID != 'web-12') {");
  });

  it('wraps the pod, and so the wait for scheduling, in the pipeline timeout', () => {
    const jf = compile();
    expect(indexOfLine(jf, "timeout(time: 45, unit: 'MINUTES') {")).toBeLessThan(lines(jf).findIndex((l) => l.startsWith('podTemplate(')));
  });

  it('runs everything in one pod template whose YAML is the built pod', () => {
    const job = compileJenkinsJob(aCompileInput(PIPELINE));
    expect(namedStringArgument(lexGroovy(job.jenkinsfile), 'yaml')).toBe(job.podYaml);
    expect(job.jenkinsfile).toContain("podTemplate(cloud: 'kubernetes', namespace: 'team-a-builds', showRawYaml: false, yaml: '");
    expect(job.jenkinsfile).toContain('node(POD_LABEL) {');
  });

  it('checks out exactly the commit SHA after fetching the ref, and verifies HEAD', () => {
    const jf = compile();
    expect(jf).toContain(`branches: [[name: '${COMMIT}']]`);
    expect(jf).toContain("refspec: '+refs/heads/main:refs/remotes/origin/keelson'");
    expect(jf).toContain("credentialsId: 'web-12-git'");
    expect(jf).toContain(`script: 'test "$(git rev-parse HEAD)" = \\'${COMMIT}\\''`);
  });

  it('checks a fork pull request out without any credential, even when the pipeline has one', () => {
    const fork = compile(PIPELINE, { facts: { event: 'pull_request', fromFork: true, ref: 'refs/pull/1/head' } });
    expect(fork).toContain("refspec: '+refs/pull/1/head:refs/remotes/origin/keelson'");
    expect(fork).not.toContain('credentialsId');
    expect(fork).not.toContain('web-12-git');
    const sameRepository = compile(PIPELINE, { facts: { event: 'pull_request', fromFork: false, ref: 'refs/pull/1/head' } });
    expect(sameRepository).toContain("credentialsId: 'web-12-git'");
  });

  it('fetches a manual run by its bare branch name as a branch ref', () => {
    const jf = compile(PIPELINE, { facts: { event: 'manual', ref: 'feature/x', branch: 'feature/x' } });
    expect(jf).toContain("refspec: '+refs/heads/feature/x:refs/remotes/origin/keelson'");
  });

  it('refuses a ref git would not accept and a commit that is not a full SHA', () => {
    expect(() => compile(PIPELINE, { facts: { ref: 'refs/heads/a b' } })).toThrow(expect.objectContaining({ code: 'InvalidRef' }));
    expect(() => compile(PIPELINE, { facts: { commit: 'abc1234' } })).toThrow(expect.objectContaining({ code: 'InvalidCommit' }));
  });

  it('runs the stages in order, after the checkout, each in its own method to stay under the JVM method size limit', () => {
    const jf = compile();
    const order = ["stage('checkout') {", 'keelsonStage0(keelsonDir)', 'keelsonStage1(keelsonDir)', 'keelsonStage2(keelsonDir)'].map((l) => indexOfLine(jf, l));
    expect(order.every((n, i) => n >= 0 && (i === 0 || n > order[i - 1]))).toBe(true);
    const method = lines(jf).indexOf('def keelsonStage1(String keelsonDir) {');
    expect(lines(jf)[method + 1]).toBe("stage('stage-1 gate') {");
  });

  it('runs the steps of a stage in parallel branches named by position', () => {
    const jf = compile();
    const stage = jf.slice(jf.indexOf("stage('stage-0 test')"), jf.indexOf("stage('stage-1 gate')"));
    expect(stage).toContain('parallel(');
    expect(stage).toContain("'step-0-0 unit': {");
    expect(stage).toContain("'step-0-1 lint': {");
  });

  it('marks skipped stages and steps NOT_BUILT with catchError, sandbox-safe, without Utils', () => {
    const jf = compile();
    const lint = jf.slice(jf.indexOf("stage('step-0-1 lint')"), jf.indexOf("stage('stage-1 gate')"));
    expect(lint).toContain("catchError(buildResult: 'SUCCESS', stageResult: 'NOT_BUILT') {");
    expect(lint).not.toContain('container(');
    const deploy = jf.slice(jf.indexOf("stage('stage-2 deploy')"), jf.indexOf("stage('stage-2 deploy')") + 300);
    expect(deploy).toContain("stageResult: 'NOT_BUILT'");
    expect(deploy).not.toContain('parallel(');
    expect(jf).not.toMatch(/markStageSkippedForConditional|^\s*import /m);
  });

  it('retries a step limit + 1 times, each attempt within the step timeout', () => {
    const jf = lines(compile());
    const retry = jf.indexOf('retry(3) {');
    expect(retry).toBeGreaterThan(0);
    expect(jf[retry + 1]).toBe("timeout(time: 10, unit: 'MINUTES') {");
  });

  it('writes no retry block for retry 0', () => {
    expect(compile(`stages: [{name: s, steps: [{runScriptConfig: {image: x}, retry: 0}]}]`)).not.toContain('retry(');
  });

  it('asks for approval with an input only the manager may answer, within the step timeout', () => {
    const jf = lines(compile());
    const input = jf.indexOf("input(id: 'Approval-1-0', message: 'Deploy to production?', ok: 'Approve', submitter: 'keelson-manager')");
    expect(input).toBeGreaterThan(0);
    expect(jf[input - 1]).toBe("timeout(time: 60, unit: 'MINUTES') {");
  });

  it('passes scripts as base64 files and runs them in the step container, so nothing re-parses them', () => {
    const jf = compile();
    const encoded = Buffer.from('npm test', 'utf8').toString('base64');
    expect(jf).toContain(`writeFile(file: keelsonDir + '/step-0-0.sh', text: '${encoded}', encoding: 'Base64')`);
    expect(jf).toContain("container('step-0-0') {");
    expect(jf).toContain(`sh(label: 'unit', script: '/bin/sh -xe "$KEELSON_DIR/step-0-0.sh"')`);
    expect(jf).not.toContain('npm test');
  });

  it('executes a script with a shebang directly', () => {
    const jf = compile(`stages: [{name: s, steps: [{runScriptConfig: {image: x, shellScript: "#!/usr/bin/env python3\\nprint(1)"}}]}]`);
    expect(jf).toContain(`script: 'chmod +x "$KEELSON_DIR/step-0-0.sh" && exec "$KEELSON_DIR/step-0-0.sh"'`);
  });

  it('describes the build with the branch, short SHA and first line of the commit message', () => {
    expect(compile()).toContain("currentBuild.description = 'main @ 0123456: Make the tests pass'");
  });

  it('fails deploy steps of a fork pull request at once with a reason', () => {
    const jf = compile(PIPELINE, { facts: { event: 'tag', ref: 'refs/tags/v1', branch: 'v1', fromFork: true } });
    expect(jf).not.toContain("error('Deploy steps");
    const pr = compile(`stages: [{name: s, steps: [{applyYamlConfig: {path: k.yaml}}]}]`, { facts: { event: 'pull_request', fromFork: true, ref: 'refs/pull/1/head' } });
    expect(pr).toContain("error('Deploy steps do not run for pull requests from forks: they get no cluster credentials')");
  });

  it('shortens a long commit subject in the description', () => {
    const jf = compile(PIPELINE, { facts: { commitMessage: 'x'.repeat(500) } });
    expect(jf).toContain(`currentBuild.description = 'main @ 0123456: ${'x'.repeat(200)}'\n`);
  });

  it('leaves the commit subject out of the description when there is none', () => {
    expect(compile(PIPELINE, { facts: { commitMessage: undefined } })).toContain("currentBuild.description = 'main @ 0123456'\n");
  });

  it('calls only pipeline steps and its own stage methods, and touches only whitelisted properties', () => {
    const FULL = `
cache: {paths: [node_modules]}
stages:
- {name: a, steps: [{runScriptConfig: {image: x}, retry: 1, timeout: 1}, {approval: {message: m}, timeout: 1}, {publishImageConfig: {tag: 'a:1'}}]}
- {name: b, when: {branch: nope}, steps: [{applyYamlConfig: {path: k}}]}
- {name: c, steps: [{applyAppConfig: {chart: c, releaseName: r}}, {publishCatalogConfig: {path: p, catalogTemplate: t, version: '1', gitUrl: u, gitBranch: b}}]}`;
    const tokens = lexGroovy(compile(FULL));
    const STEPS = new Set(['if', 'error', 'timeout', 'podTemplate', 'node', 'pwd', 'withEnv', 'stage', 'checkout', 'sh', 'parallel',
      'catchError', 'retry', 'writeFile', 'container', 'input']);
    const called = tokens.flatMap((t, i) => {
      const next = tokens[i + 1];
      return t.kind === 'identifier' && next?.kind === 'punct' && next.text === '(' ? [t.text] : [];
    });
    for (const name of called) expect(STEPS.has(name) || /^keelsonStage\d+$/.test(name)).toBe(true);
    const properties = tokens.flatMap((t, i) => {
      const next = tokens[i + 2];
      return t.kind === 'punct' && t.text === '.' && next ? [`${(tokens[i - 1] as { text: string }).text}.${(tokens[i + 1] as { text: string }).text}`] : [];
    });
    expect(new Set(properties)).toEqual(new Set(['params.EXECUTION_ID', 'currentBuild.displayName', 'currentBuild.description']));
  });

  it('uses only single-quoted literals, so no user text is ever interpolated', () => {
    expect(() => lexGroovy(compile())).not.toThrow();
  });
});
