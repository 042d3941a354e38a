import { DEFAULT_IMAGE_TAG, PipelineConfig } from './model';
import { formatIssue, PipelineConfigError } from './pipeline-config.errors';
import { lintErrors, oneStep, parseIssues, parseValid } from './pipeline-config.fixtures';
import { loadPipelineConfig, parsePipelineConfig } from './pipeline-config.parser';

const EVERY_KEY = `
timeout: 90
branch: {include: [main, release/**], exclude: [release/old]}
cache: {paths: [.cache], key: "top-\${CICD_GIT_BRANCH}"}
notification:
  recipients: [{recipient: "#ci", notifier: slack}]
  condition: Failed
  message: broken
concurrency: {limit: 3, cancelSuperseded: true}
stages:
- name: all
  when: {branch: main, event: [push, manual]}
  steps:
  - name: script
    runScriptConfig: {image: "node:\${CICD_GIT_COMMIT}", shellScript: "echo \${CICD_FOO}"}
    env: {A: x, N: 1.10, B: true}
    envFrom: [{sourceName: s, sourceKey: k}, {sourceName: s, sourceKey: k2, targetKey: T}]
    resources: {cpuRequest: 100m, cpuLimit: 1, memoryRequest: 64Mi, memoryLimit: 1Gi}
    privileged: true
    timeout: 5
    retry: {limit: 2}
    when: {branch: {exclude: [wip/*]}}
    cache: {paths: [node_modules], key: k}
  - publishImageConfig: {dockerfilePath: d/Dockerfile, buildContext: d, tag: "a:1", pushRemote: true, registry: r.example}
  - applyYamlConfig: {path: k8s.yaml, namespace: ns}
  - applyAppConfig: {chart: c, repo: "https://charts", version: 1.20, values: {a: {b: x}}, releaseName: r, targetNamespace: t}
  - publishCatalogConfig: {path: chart, catalogTemplate: t, version: 2.0, gitUrl: "https://g", gitBranch: main, gitAuthor: a, gitEmail: e}
  - approval: {message: ok?, users: [alice], groups: [ops]}
    cpuRequest: 10m
    retry: 0
`;

describe('parsePipelineConfig', () => {
  it('accepts every key and normalises shorthands and defaults', () => {
    const config = parseValid(EVERY_KEY);
    const expected: PipelineConfig = {
      timeout: 90,
      branch: { include: ['main', 'release/**'], exclude: ['release/old'] },
      cache: { paths: ['.cache'], key: 'top-${CICD_GIT_BRANCH}' },
      notification: { recipients: [{ recipient: '#ci', notifier: 'slack' }], condition: ['Failed'], message: 'broken' },
      concurrency: { limit: 3, cancelSuperseded: true },
      stages: [{
        name: 'all',
        when: { branch: { include: ['main'], exclude: [] }, event: { include: ['push', 'manual'], exclude: [] } },
        steps: [
          {
            name: 'script', type: 'runScriptConfig',
            config: { image: 'node:${CICD_GIT_COMMIT}', shellScript: 'echo ${CICD_FOO}' },
            env: { A: 'x', N: '1.10', B: 'true' },
            envFrom: [{ sourceName: 's', sourceKey: 'k', targetKey: 'k' }, { sourceName: 's', sourceKey: 'k2', targetKey: 'T' }],
            resources: { cpuRequest: '100m', cpuLimit: '1', memoryRequest: '64Mi', memoryLimit: '1Gi' },
            privileged: true, timeout: 5, retry: { limit: 2 },
            when: { branch: { include: [], exclude: ['wip/*'] } },
            cache: { paths: ['node_modules'], key: 'k' },
          },
          {
            name: 'step-2', type: 'publishImageConfig', env: {}, envFrom: [], privileged: false,
            config: { dockerfilePath: 'd/Dockerfile', buildContext: 'd', tag: 'a:1', pushRemote: true, registry: 'r.example' },
          },
          { name: 'step-3', type: 'applyYamlConfig', env: {}, envFrom: [], privileged: false, config: { path: 'k8s.yaml', namespace: 'ns' } },
          {
            name: 'step-4', type: 'applyAppConfig', env: {}, envFrom: [], privileged: false,
            config: { chart: 'c', repo: 'https://charts', version: '1.20', values: { a: { b: 'x' } }, releaseName: 'r', targetNamespace: 't' },
          },
          {
            name: 'step-5', type: 'publishCatalogConfig', env: {}, envFrom: [], privileged: false,
            config: { path: 'chart', catalogTemplate: 't', version: '2.0', gitUrl: 'https://g', gitBranch: 'main', gitAuthor: 'a', gitEmail: 'e' },
          },
          {
            name: 'step-6', type: 'approval', env: {}, envFrom: [], privileged: false, resources: { cpuRequest: '10m' },
            config: { message: 'ok?', users: ['alice'], groups: ['ops'] },
          },
        ],
      }],
    };
    expect(config).toEqual(expected);
  });

  it('normalises the Kubernetes shape of resources to the same model as Rancher\'s keys', () => {
    const kubernetes = parseValid(oneStep('runScriptConfig: {image: x}\nresources:\n  requests: {cpu: 250m, memory: 64Mi}\n  limits: {cpu: 1, memory: 1Gi}'));
    const rancher = parseValid(oneStep('runScriptConfig: {image: x}\nresources: {cpuRequest: 250m, memoryRequest: 64Mi, cpuLimit: 1, memoryLimit: 1Gi}'));
    const flat = parseValid(oneStep('runScriptConfig: {image: x}\ncpuRequest: 250m\nmemoryRequest: 64Mi\ncpuLimit: 1\nmemoryLimit: 1Gi'));
    expect(kubernetes.stages[0].steps[0].resources).toEqual({ cpuRequest: '250m', cpuLimit: '1', memoryRequest: '64Mi', memoryLimit: '1Gi' });
    expect(rancher).toEqual(kubernetes);
    expect(flat).toEqual(kubernetes);
    expect(parseValid(oneStep('runScriptConfig: {image: x}\nresources: {limits: {memory: 512Mi}}')).stages[0].steps[0].resources).toEqual({ memoryLimit: '512Mi' });
    expect(parseValid(oneStep('runScriptConfig: {image: x}\nresources: {requests: {cpu: .5}}')).stages[0].steps[0].resources).toEqual({ cpuRequest: '0.5' });
  });

  it('applies the documented defaults to a minimal file', () => {
    const config = parseValid(oneStep('publishImageConfig: {}'));
    expect(config.timeout).toBe(60);
    expect(config.stages[0].steps[0].config).toEqual({ dockerfilePath: './Dockerfile', buildContext: '.', tag: DEFAULT_IMAGE_TAG, pushRemote: false });
  });

  it('defaults the image tag to variables that are always set, not Rancher\'s never-set CICD_GIT_REPOSITORY_NAME', () => {
    expect(DEFAULT_IMAGE_TAG).toBe('${CICD_GIT_REPO_NAME}:${CICD_GIT_COMMIT}');
  });

  it('expands a retry count, a string constraint and a single notification state', () => {
    const config = parseValid(`stages:\n- name: a\n  when: {event: tag}\n  steps:\n  - runScriptConfig: {image: x}\n    retry: 3\nnotification: {recipients: [{recipient: r, notifier: n}]}\n`);
    expect(config.stages[0].when).toEqual({ event: { include: ['tag'], exclude: [] } });
    expect(config.stages[0].steps[0].retry).toEqual({ limit: 3 });
    expect(config.notification?.condition).toEqual(['Failed', 'Changed']);
  });

  it('names the file given in the options in every issue', () => {
    const result = parsePipelineConfig('stages: 1', { file: 'repo/.devops.yml' });
    expect(!result.ok && result.issues[0].file).toBe('repo/.devops.yml');
  });

  it('throws a PipelineConfigError carrying every issue from loadPipelineConfig', () => {
    expect(() => loadPipelineConfig('stages: []\nfoo: 1\n', { file: 'f' })).toThrow(PipelineConfigError);
    try {
      loadPipelineConfig('stages: []\nfoo: 1\n', { file: 'f' });
    } catch (err) {
      expect((err as PipelineConfigError).code).toBe('ConfigSchema');
      expect((err as PipelineConfigError).issues).toHaveLength(2);
      expect((err as PipelineConfigError).retryable).toBe(false);
    }
  });
});

describe('schema errors name the file, line and column and what was expected', () => {
  it.each<[string, string, string]>([
    ['an empty file', '', 'p.yml:1:1: the file: expected a mapping, got nothing'],
    ['a top-level list', '- a\n', 'p.yml:1:1: the file: expected a mapping, got a list'],
    ['an unknown top-level key', 'stages: [{name: a, steps: [{runScriptConfig: {image: x}}]}]\nstage: 1\n',
      'p.yml:2:1: unknown key "stage" in the file; expected one of: stages, timeout, branch, cache, notification, concurrency'],
    ['missing stages', 'timeout: 5\n', 'p.yml:1:1: the file is missing the required key "stages"'],
    ['no stages', 'stages: []\n', 'p.yml:1:9: stages: expected at least 1 item'],
    ['a stage without steps', 'stages:\n- name: a\n', 'p.yml:2:3: stages[0] is missing the required key "steps"'],
    ['a stage without a name', 'stages:\n- steps: [{approval: {message: m}}]\n', 'p.yml:2:3: stages[0] is missing the required key "name"'],
    ['an unknown stage key', 'stages:\n- name: a\n  step: []\n  steps: [{approval: {message: m}}]\n',
      'p.yml:3:3: unknown key "step" in stages[0]; expected one of: name, steps, when, cache'],
    ['a fractional timeout', 'timeout: 1.5\nstages: [{name: a, steps: [{approval: {message: m}}]}]\n',
      'p.yml:1:10: timeout: expected a whole number, got the number 1.5'],
    ['a timeout over a day', 'timeout: 1441\nstages: [{name: a, steps: [{approval: {message: m}}]}]\n',
      'p.yml:1:10: timeout: expected a number <= 1440; got 1441'],
    ['a bad branch filter', 'branch: {include: main}\nstages: [{name: a, steps: [{approval: {message: m}}]}]\n',
      'p.yml:1:19: branch.include: expected a list, got the string "main"'],
    ['an unknown event', 'stages:\n- name: a\n  when: {event: pr}\n  steps: [{approval: {message: m}}]\n',
      'p.yml:3:17: stages[0].when.event: expected one of push, pull_request, tag, manual, image; got "pr"'],
    ['a numeric branch', 'stages:\n- name: a\n  when: {branch: 5}\n  steps: [{approval: {message: m}}]\n',
      'p.yml:3:18: stages[0].when.branch: expected a branch glob, a list of globs, or {include, exclude}, got the integer 5'],
    ['an unknown when key', 'stages:\n- name: a\n  when: {branches: main}\n  steps: [{approval: {message: m}}]\n',
      'p.yml:3:10: unknown key "branches" in stages[0].when; expected one of: branch, event'],
    ['a bad notification state', 'stages: [{name: a, steps: [{approval: {message: m}}]}]\nnotification: {recipients: [{recipient: r, notifier: n}], condition: [Done]}\n',
      'p.yml:2:71: notification.condition[0]: expected one of Success, Failed, Aborted, Changed; got "Done"'],
    ['a recipient without notifier', 'stages: [{name: a, steps: [{approval: {message: m}}]}]\nnotification: {recipients: [{recipient: r}]}\n',
      'p.yml:2:29: notification.recipients[0] is missing the required key "notifier"'],
    ['a zero concurrency limit', 'stages: [{name: a, steps: [{approval: {message: m}}]}]\nconcurrency: {limit: 0}\n',
      'p.yml:2:22: concurrency.limit: expected a number >= 1; got 0'],
  ])('reports %s', (_what, text, expected) => {
    expect(lintErrors(text)).toContain(expected);
  });
});

describe('caps that keep an execution within what the apiserver stores', () => {
  const stages = (n: number) => `stages:\n${Array.from({ length: n }, (_, i) => `- name: s${i}\n  steps: [{approval: {message: m}}]\n`).join('')}`;
  const steps = (n: number) => `stages:\n- name: a\n  steps:\n${'  - approval: {message: m}\n'.repeat(n)}`;

  it('accepts 256 stages and refuses 257 at the stages key', () => {
    expect(parseValid(stages(256)).stages).toHaveLength(256);
    expect(lintErrors(stages(257))).toEqual(['p.yml:1:1: stages: expected at most 256 items; got 257']);
  });

  it('accepts 256 steps in a stage and refuses 257 at that stage\'s steps key', () => {
    expect(parseValid(steps(256)).stages[0].steps).toHaveLength(256);
    expect(lintErrors(steps(257))).toEqual(['p.yml:3:3: stages[0].steps: expected at most 256 items; got 257']);
  });

  it('refuses a config whose normalised JSON is over 256 KiB, naming the file and the size', () => {
    const script = (bytes: number) => oneStep(`runScriptConfig: {image: alpine, shellScript: "${'x'.repeat(bytes)}"}`);
    expect(parseValid(script(250 * 1024)).stages[0].steps).toHaveLength(1);
    const issues = parseIssues(script(300 * 1024));
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ code: 'ConfigTooLarge', file: 'p.yml', line: 1, column: 1 });
    expect(formatIssue(issues[0])).toMatch(/^p\.yml:1:1: the pipeline is 307\d{3} bytes once normalised \(JSON\); expected at most 262144/);
  });

  it('measures the expanded config, not the text: a small file that repeats a large alias is refused', () => {
    const big = 'y'.repeat(4096);
    const text = `stages:\n- name: a\n  steps:\n  - runScriptConfig: {image: alpine, shellScript: &s "${big}"}\n${'  - runScriptConfig: {image: alpine, shellScript: *s}\n'.repeat(80)}`;
    expect(Buffer.byteLength(text)).toBeLessThan(16 * 1024);
    expect(parseIssues(text).map((i) => i.code)).toEqual(['ConfigTooLarge']);
  });
});
