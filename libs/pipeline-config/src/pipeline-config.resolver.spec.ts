import { cicdVariables, repoNameOf } from './cicd-variables';
import { cicdReferences, substituteCicd } from './cicd.substitution';
import { ExecutionFacts } from './model';
import { PipelineConfigError } from './pipeline-config.errors';
import { parseValid } from './pipeline-config.fixtures';
import { imageRepoOf, resolvePipelineConfig, secretsAllowed } from './pipeline-config.resolver';

function facts(overrides: Partial<ExecutionFacts> = {}): ExecutionFacts {
  return {
    event: 'push', commit: '0123456789abcdef0123456789abcdef01234567', branch: 'main', ref: 'refs/heads/main',
    runNumber: 42, executionId: 'api-42', pipeline: 'api', project: 'team-a', gitUrl: 'https://git.example.com/acme/Orders.git',
    localRegistry: '127.0.0.1:34001', triggerType: 'webhook', ...overrides,
  };
}

describe('cicdVariables', () => {
  it('sets every variable with Rancher\'s names and meanings', () => {
    expect(cicdVariables(facts())).toEqual({
      CICD_GIT_COMMIT: '0123456', CICD_GIT_COMMIT_FULL: '0123456789abcdef0123456789abcdef01234567',
      CICD_GIT_BRANCH: 'main', CICD_GIT_TAG: '', CICD_GIT_REF: 'refs/heads/main',
      CICD_GIT_URL: 'https://git.example.com/acme/Orders.git', CICD_GIT_REPO_NAME: 'Orders', CICD_EVENT: 'push',
      CICD_TRIGGER_TYPE: 'webhook', CICD_EXECUTION_ID: 'api-42', CICD_EXECUTION_SEQUENCE: '42', CICD_PIPELINE_ID: 'api',
      CICD_PROJECT_ID: 'team-a', CICD_LOCAL_REGISTRY: '127.0.0.1:34001',
    });
  });

  it('derives the tag from the ref on tag events and uses it as the branch when none is given', () => {
    const vars = cicdVariables(facts({ event: 'tag', ref: 'refs/tags/v1.2.0', branch: '' }));
    expect(vars.CICD_GIT_TAG).toBe('v1.2.0');
    expect(vars.CICD_GIT_BRANCH).toBe('v1.2.0');
  });

  it.each([
    ['https://github.com/acme/api.git', 'api'],
    ['https://github.com/acme/api/', 'api'],
    ['git@github.com:acme/api.git', 'api'],
    ['ssh://git@host:2222/group/sub/api', 'api'],
  ])('takes the repository name of %s as %s', (url, name) => {
    expect(repoNameOf(url)).toBe(name);
  });
});

describe('substituteCicd', () => {
  const vars = { CICD_GIT_COMMIT: 'abc1234' };

  it('replaces ${CICD_*} references and leaves other ${...} text alone', () => {
    expect(substituteCicd('app:${CICD_GIT_COMMIT}-${OTHER}-$CICD_GIT_COMMIT', vars, 'f')).toBe('app:abc1234-${OTHER}-$CICD_GIT_COMMIT');
  });

  it('throws a ConfigSubstitution error naming the field for an unknown variable', () => {
    expect(() => substituteCicd('${CICD_NOPE}', vars, 'stages[0].steps[0].publishImageConfig.tag')).toThrow(
      new PipelineConfigError('ConfigSubstitution', 'stages[0].steps[0].publishImageConfig.tag: ${CICD_NOPE} is not set for this step'),
    );
  });

  it('lists references in order', () => {
    expect(cicdReferences('${CICD_A}x${CICD_B}')).toEqual([{ name: 'CICD_A', index: 0 }, { name: 'CICD_B', index: 10 }]);
  });
});

describe('resolvePipelineConfig', () => {
  const config = parseValid(`
cache: {paths: [c], key: "\${CICD_GIT_BRANCH}"}
stages:
- name: build
  cache: {paths: [s], key: "s-\${CICD_GIT_COMMIT}"}
  steps:
  - runScriptConfig: {image: "golang:\${CICD_GIT_TAG}x", shellScript: "echo \${CICD_GIT_COMMIT}"}
    env: {SHA: "\${CICD_GIT_COMMIT}", N: 1}
    cache: {paths: [m], key: "m-\${CICD_PIPELINE_ID}"}
  - publishImageConfig: {}
- name: deploy
  steps:
  - applyYamlConfig: {content: "image: \${CICD_IMAGE}:\${CICD_EXECUTION_SEQUENCE} # \${NOT_OURS}", namespace: "\${CICD_PROJECT_ID}"}
  - applyAppConfig:
      chart: "charts/\${CICD_GIT_REPO_NAME}"
      version: "1.0.\${CICD_EXECUTION_SEQUENCE}"
      releaseName: "r-\${CICD_PIPELINE_ID}"
      values: {image: {tag: "\${CICD_GIT_COMMIT}"}, list: ["\${CICD_EVENT}", 3]}
  - publishCatalogConfig: {path: "c/\${CICD_PIPELINE_ID}", catalogTemplate: "\${CICD_GIT_REPO_NAME}", version: "\${CICD_EXECUTION_SEQUENCE}", gitUrl: g, gitBranch: main}
  - approval: {message: "ship \${CICD_GIT_COMMIT}?"}
`);

  it('substitutes image, tag, path, content, chart, value, env and cache key fields', () => {
    const r = resolvePipelineConfig(config, facts());
    const [build, deploy] = r.stages;
    expect(r.cache?.key).toBe('main');
    expect(build.cache).toEqual({ paths: ['s'], key: 's-0123456' });
    expect(build.steps[0]).toMatchObject({ config: { image: 'golang:x' }, env: { SHA: '0123456', N: '1' }, cache: { key: 'm-api' } });
    expect(build.steps[1].config).toMatchObject({ tag: 'Orders:0123456', dockerfilePath: './Dockerfile' });
    expect(deploy.steps.map((s) => s.config)).toEqual([
      { content: 'image: 127.0.0.1:34001/Orders:42 # ${NOT_OURS}', namespace: 'team-a' },
      { chart: 'charts/Orders', version: '1.0.42', releaseName: 'r-api', values: { image: { tag: '0123456' }, list: ['push', 3] } },
      { path: 'c/api', catalogTemplate: 'Orders', version: '42', gitUrl: 'g', gitBranch: 'main' },
      { message: 'ship 0123456?', users: [], groups: [] },
    ]);
  });

  it('leaves shell scripts for the shell to expand', () => {
    const r = resolvePipelineConfig(config, facts());
    expect(r.stages[0].steps[0].config).toMatchObject({ shellScript: 'echo ${CICD_GIT_COMMIT}' });
  });

  it('does not modify the snapshot it resolves', () => {
    const before = structuredClone(config);
    resolvePipelineConfig(config, facts());
    expect(config).toEqual(before);
  });

  it('uses a remote registry for CICD_IMAGE when the publish step pushes remotely', () => {
    const remote = parseValid(`stages:
- name: a
  steps: [{publishImageConfig: {tag: "acme/api:1", pushRemote: true, registry: reg.example}}]
- name: b
  steps: [{applyYamlConfig: {content: "\${CICD_REGISTRY} \${CICD_IMAGE_REPO} \${CICD_IMAGE}"}}]
`);
    expect(resolvePipelineConfig(remote, cicdVariables(facts())).stages[1].steps[0].config).toEqual({ content: 'reg.example acme/api reg.example/acme/api' });
  });

  it('names the field when a variable cannot be resolved', () => {
    const broken = structuredClone(config);
    (broken.stages[0].steps[0].config as { image: string }).image = '${CICD_MISSING}';
    expect(() => resolvePipelineConfig(broken, facts())).toThrow('stages[0].steps[0].runScriptConfig.image: ${CICD_MISSING} is not set for this step');
  });
});

describe('image references and secrets', () => {
  it.each([['app:1', 'app'], ['org/app:1', 'org/app'], ['host:5000/app', 'host:5000/app'], ['host:5000/app:2', 'host:5000/app']])(
    'takes the repository of %s as %s', (tag, repo) => expect(imageRepoOf(tag)).toBe(repo),
  );

  it('withholds envFrom secrets from pull requests unless they are known not to come from a fork', () => {
    expect(secretsAllowed({ event: 'push' })).toBe(true);
    expect(secretsAllowed({ event: 'pull_request' })).toBe(false);
    expect(secretsAllowed({ event: 'pull_request', fromFork: true })).toBe(false);
    expect(secretsAllowed({ event: 'pull_request', fromFork: false })).toBe(true);
  });
});
