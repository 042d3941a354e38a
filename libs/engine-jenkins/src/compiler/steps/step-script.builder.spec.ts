import { spawnSync } from 'node:child_process';

import fc from 'fast-check';
import { parse } from 'yaml';

import type { Step } from '@keelson/pipeline-config';

import { JenkinsCompileError } from '../compile.errors';
import { representableString } from '../testing/adversarial.arbitrary';
import { aConfig } from '../testing/compile-input.builders';
import { publishTarget } from './publish-target';
import { buildStepScript } from './step-script.builder';

type ContainerStep = Exclude<Step, { type: 'approval' }>;
const onlyStep = (yaml: string): ContainerStep => aConfig(`stages: [{name: s, steps: [${yaml}]}]`).stages[0].steps[0] as ContainerStep;
const ctx = { baseName: 'step-0-0', deployNamespace: 'team-a' };

/** The arguments the Kaniko executor receives when the step's script runs (a stand-in prints them). */
function executorArgs(script: string): string[] {
  const run = spawnSync('/bin/sh', ['-c', `kaniko() { for w in "$@"; do printf '%s\\0' "$w"; done; }\n${script.replace(/^exec \/kaniko\/executor /m, 'kaniko ')}`]);
  expect(run.status).toBe(0);
  return run.stdout.toString('utf8').split('\0').slice(0, -1);
}

/** What a shell sees as the words of a command line (the script must not run anything to tell us). */
function wordsOf(commandLine: string): string[] {
  const run = spawnSync('/bin/sh', ['-c', `set -- ${commandLine}; for w in "$@"; do printf '%s\\0' "$w"; done`], {
    env: { KEELSON_DIR: '/k' },
  });
  return run.stdout.toString('utf8').split('\0').slice(0, -1);
}

describe('step scripts', () => {
  it('runs the user script exactly as written, through sh -xe unless it names its interpreter', () => {
    const script = buildStepScript(onlyStep(`{runScriptConfig: {image: x, shellScript: "echo '$HOME'"}}`), ctx);
    expect(script).toEqual({ name: 'step-0-0.sh', content: "echo '$HOME'", shebang: false, files: [] });
    expect(buildStepScript(onlyStep(`{runScriptConfig: {image: x, shellScript: "#!/bin/bash\\necho"}}`), ctx).shebang).toBe(true);
  });

  it('builds and pushes with Kaniko, every user value inside one word of its own flag', () => {
    const step = onlyStep(`{publishImageConfig: {dockerfilePath: "docker/My File", buildContext: "a b", tag: 'web:1'}}`);
    const target = publishTarget(step.config as never, 'registry:5000');
    const script = buildStepScript(step, { ...ctx, publish: { target, push: true, registryCa: true } });
    expect(script.content.split('\n').slice(0, 2)).toEqual(['set -e', 'exec /kaniko/executor \\']);
    expect(executorArgs(script.content)).toEqual([
      '--context=dir://a b', '--dockerfile=./docker/My File', '--destination=registry:5000/web:1',
      '--registry-certificate=registry:5000=/kaniko/registry-ca/ca.crt', '--log-format=text',
    ]);
  });

  it('builds without pushing when pushing is not allowed, and names no CA that is not mounted', () => {
    const step = onlyStep(`{publishImageConfig: {tag: 'web:1'}}`);
    const target = publishTarget(step.config as never, 'r:5000');
    const args = executorArgs(buildStepScript(step, { ...ctx, publish: { target, push: false, registryCa: false } }).content);
    expect(args).toEqual(['--context=dir://.', '--dockerfile=./Dockerfile', '--destination=r:5000/web:1', '--no-push', '--log-format=text']);
  });

  it('keeps any Dockerfile path and build context intact, each a path of the checkout', () => {
    const base = onlyStep(`{publishImageConfig: {tag: 'web:1'}}`);
    const publish = { target: publishTarget(base.config as never, 'r:5000'), push: true, registryCa: false };
    const path = representableString.filter((v) => v !== '');
    fc.assert(
      fc.property(path, path.filter((v) => !v.includes('://')), (dockerfilePath, buildContext) => {
        const step = { ...base, config: { ...base.config, dockerfilePath, buildContext } } as ContainerStep;
        const [context, dockerfile, ...rest] = executorArgs(buildStepScript(step, { ...ctx, publish }).content);
        expect(context).toBe(`--context=dir://${buildContext}`);
        expect([`--dockerfile=${dockerfilePath}`, `--dockerfile=./${dockerfilePath}`]).toContain(dockerfile);
        // Kaniko downloads a Dockerfile whose path is an http(s) URL.
        expect(dockerfile).not.toMatch(/^--dockerfile=https?:\/\//);
        expect(rest).toEqual(['--destination=r:5000/web:1', '--log-format=text']);
      }),
      { numRuns: 200 },
    );
  });

  it('reads a Dockerfile path that looks like a URL as a file of the checkout', () => {
    const step = onlyStep(`{publishImageConfig: {dockerfilePath: "https://evil.example/Dockerfile", tag: 'web:1'}}`);
    const publish = { target: publishTarget(step.config as never, 'r:5000'), push: true, registryCa: false };
    expect(executorArgs(buildStepScript(step, { ...ctx, publish }).content)).toContain('--dockerfile=./https://evil.example/Dockerfile');
  });

  it('refuses a build context that Kaniko would fetch from elsewhere than the checkout', () => {
    const step = onlyStep(`{publishImageConfig: {buildContext: "git://github.com/evil/context.git", tag: 'web:1'}}`);
    const publish = { target: publishTarget(step.config as never, 'r:5000'), push: true, registryCa: false };
    expect(() => buildStepScript(step, { ...ctx, publish })).toThrow(expect.objectContaining({ code: 'InvalidBuildPath' }));
  });

  it('refuses a publish target that is not an image reference, so it cannot add to Kaniko\'s flags', () => {
    const step = onlyStep(`{publishImageConfig: {tag: 'web:1,registry.insecure=true'}}`);
    expect(() => publishTarget(step.config as never, 'r:5000')).toThrow(JenkinsCompileError);
  });

  it('pushes to docker.io for every Docker Hub alias', () => {
    const step = onlyStep(`{publishImageConfig: {tag: 'org/web:1', pushRemote: true, registry: index.docker.io}}`);
    expect(publishTarget(step.config as never, 'r:5000')).toEqual({ registry: 'index.docker.io', image: 'docker.io/org/web:1', images: ['docker.io/org/web:1'], remote: true });
  });

  it('pushes every tag of a comma-separated list, as Rancher\'s image builder did', () => {
    const step = onlyStep(`{publishImageConfig: {tag: 'org/web:latest, stable,1.12'}}`);
    const target = publishTarget(step.config as never, 'r:5000');
    expect(target.images).toEqual(['r:5000/org/web:latest', 'r:5000/org/web:stable', 'r:5000/org/web:1.12']);
    expect(executorArgs(buildStepScript(step, { ...ctx, publish: { target, push: true, registryCa: false } }).content)).toEqual([
      '--context=dir://.', '--dockerfile=./Dockerfile',
      '--destination=r:5000/org/web:latest', '--destination=r:5000/org/web:stable', '--destination=r:5000/org/web:1.12', '--log-format=text',
    ]);
    expect(() => publishTarget(onlyStep(`{publishImageConfig: {tag: 'org/web:1,'}}`).config as never, 'r:5000')).toThrow(JenkinsCompileError);
  });

  it('applies a manifest path, or inline content from a file, in the given namespace', () => {
    const byPath = buildStepScript(onlyStep(`{applyYamlConfig: {path: "k8s/a b.yaml", namespace: prod}}`), ctx);
    expect(wordsOf(byPath.content.split('\n')[1].replace(/^exec /, ''))).toEqual(['kubectl', 'apply', '-f', 'k8s/a b.yaml', '--namespace', 'prod']);
    const inline = buildStepScript(onlyStep(`{applyYamlConfig: {content: "kind: ConfigMap"}}`), ctx);
    expect(inline.files).toEqual([{ name: 'step-0-0.yaml', content: 'kind: ConfigMap' }]);
    expect(wordsOf(inline.content.split('\n')[1].replace(/^exec /, ''))).toEqual(['kubectl', 'apply', '-f', '/k/step-0-0.yaml', '--namespace', 'team-a']);
  });

  it('deploys into the project namespace when the step names none, not the build namespace of the token', () => {
    const hostile = { ...ctx, deployNamespace: "team-a'; rm -rf / #" };
    const yaml = buildStepScript(onlyStep(`{applyYamlConfig: {path: k8s.yaml}}`), hostile);
    expect(wordsOf(yaml.content.split('\n')[1].replace(/^exec /, ''))).toEqual(['kubectl', 'apply', '-f', 'k8s.yaml', '--namespace', "team-a'; rm -rf / #"]);
    const helm = buildStepScript(onlyStep(`{applyAppConfig: {chart: ./chart, releaseName: web}}`), ctx);
    expect(wordsOf(helm.content.split('\n')[1].replace(/^exec /, ''))).toEqual([
      'helm', 'upgrade', '--install', 'web', './chart', '--namespace', 'team-a', '--values', '/k/step-0-0.values.yaml', '--wait',
    ]);
  });

  it('installs or upgrades a Helm release with its values in a file', () => {
    const step = onlyStep(`{applyAppConfig: {chart: ./chart, repo: "https://charts.example.com", version: "1.2.3", releaseName: web, targetNamespace: prod, values: {image: {tag: "on"}}}, timeout: 7}`);
    const script = buildStepScript(step, ctx);
    expect(wordsOf(script.content.split('\n')[1].replace(/^exec /, ''))).toEqual([
      'helm', 'upgrade', '--install', 'web', './chart', '--repo', 'https://charts.example.com', '--version', '1.2.3',
      '--namespace', 'prod', '--values', '/k/step-0-0.values.yaml', '--wait', '--timeout', '7m',
    ]);
    expect(parse(script.files[0].content, { version: '1.1' })).toEqual({ image: { tag: 'on' } });
  });

  it('publishes a chart into the catalog repository with quoted git arguments', () => {
    const step = onlyStep(`{publishCatalogConfig: {path: "charts/web", catalogTemplate: "web", version: "1.0.0", gitUrl: "https://git.example.com/catalog.git", gitBranch: "main", gitAuthor: "O'Brien"}}`);
    const script = buildStepScript(step, ctx).content;
    expect(script).toContain("git clone --depth 1 --branch 'main' 'https://git.example.com/catalog.git' \"$work/catalog\"");
    expect(script).toContain("-c user.name='O'\\''Brien'");
    expect(script).toContain("git push origin HEAD:'main'");
    expect(spawnSync('/bin/sh', ['-n', '-c', script]).status).toBe(0);
  });
});
