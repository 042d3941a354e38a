import type { Pipeline, PipelineExecution } from '@keelson/crds';
import { DEFAULT_TOOL_IMAGES } from '@keelson/engine-jenkins';
import { loadPipelineConfig } from '@keelson/pipeline-config';
import { compileExecution, executionCompileInput, gitCredentialId } from './execution-job.compiler';

const CONFIG = { stages: [{ name: 's', steps: [{ type: 'runScriptConfig', name: 'x', config: { image: 'alpine', shellScript: 'true' } }] }] };

function anExecution(name: string, spec: Partial<PipelineExecution['spec']> = {}): PipelineExecution {
  return {
    apiVersion: 'devops.keelson.dev/v1alpha1', kind: 'PipelineExecution', metadata: { name, namespace: 'team-a' },
    spec: {
      pipelineRef: { name: 'web' }, run: 1, commit: '0123456789abcdef0123456789abcdef01234567', branch: 'main', ref: 'refs/heads/main',
      repositoryUrl: 'https://git.example.com/team-a/web.git', config: CONFIG, trigger: { event: 'push' }, fork: false, stop: false,
      ...spec,
    },
  } as unknown as PipelineExecution;
}

const PRIVATE = {
  metadata: { name: 'web', namespace: 'team-a' },
  spec: { repositoryUrl: 'https://git.example.com/team-a/web.git', credentialRef: { name: 'alice' } },
} as unknown as Pipeline;

describe('the checkout credential of an execution', () => {
  it('is the execution\'s own, so two runs of one pipeline never share a stored token', () => {
    const first = executionCompileInput(anExecution('web-1'), PRIVATE, undefined).settings.gitCredentialsId;
    const second = executionCompileInput(anExecution('web-2'), PRIVATE, undefined).settings.gitCredentialsId;
    expect(first).toBe('web-1-git');
    expect(second).toBe('web-2-git');
    expect(gitCredentialId('web-1')).toBe(first);
  });

  it('is absent for a public pipeline and for a pull request from a fork', () => {
    const { spec: { credentialRef: _, ...publicSpec } } = PRIVATE as unknown as { spec: { credentialRef: unknown } };
    const publicPipeline = { ...PRIVATE, spec: publicSpec } as unknown as Pipeline;
    expect(executionCompileInput(anExecution('web-1'), publicPipeline, undefined).settings.gitCredentialsId).toBeUndefined();
    const fork = anExecution('web-3', { fork: true, ref: 'refs/pull/3/head', trigger: { event: 'pull_request' } } as never);
    expect(executionCompileInput(fork, PRIVATE, undefined).settings.gitCredentialsId).toBeUndefined();
    const sameRepository = anExecution('web-4', { fork: false, ref: 'refs/pull/4/head', trigger: { event: 'pull_request' } } as never);
    expect(executionCompileInput(sameRepository, PRIVATE, undefined).settings.gitCredentialsId).toBe('web-4-git');
  });
});

describe('the operator\'s images', () => {
  it('replace the compiler\'s default of the agent in the build pod, and only the images named', () => {
    const policy = { cacheRoot: '/srv/cache', privilegedProjects: [], images: { agent: 'mirror.example.com/jenkins/inbound-agent:1' } };
    const exe = anExecution('web-1', { config: loadPipelineConfig('stages:\n- name: s\n  steps:\n  - runScriptConfig: {image: alpine, shellScript: "true"}\n') } as never);
    const pod = compileExecution(exe, PRIVATE, undefined, policy).podYaml;
    expect(pod).toContain('name: "jnlp"\n      image: "mirror.example.com/jenkins/inbound-agent:1"');
    expect(pod).not.toContain(DEFAULT_TOOL_IMAGES.agent);
    expect(compileExecution(exe, PRIVATE, undefined).podYaml).toContain(`image: "${DEFAULT_TOOL_IMAGES.agent}"`);
    expect(executionCompileInput(anExecution('web-1'), PRIVATE, undefined, policy).settings.images).toEqual({ agent: 'mirror.example.com/jenkins/inbound-agent:1' });
  });
});

describe('the project registry an execution references', () => {
  const policy = { cacheRoot: '/var/lib/keelson/cache', privilegedProjects: [], registryProxyPort: 34362 };

  it('with REGISTRY_PROXY_PORT, is 127.0.0.1:<port>/<project> for pulls, the Service for pushes, with the pull Secret', () => {
    const compiled = executionCompileInput(anExecution('web-1'), PRIVATE, undefined, policy);
    expect(compiled.facts.localRegistry).toBe('127.0.0.1:34362/team-a');
    expect(compiled.settings.registry).toEqual({
      credentialsSecret: 'registry-push', caSecret: 'registry-ca', pushHost: 'registry.team-a-pipeline.svc:5000', pullSecret: 'keelson-registry-pull',
    });
  });

  it('without a proxy (port 0), is the Service address and names no pull Secret', () => {
    const compiled = executionCompileInput(anExecution('web-1'), PRIVATE, undefined, { ...policy, registryProxyPort: 0 });
    expect(compiled.facts.localRegistry).toBe('registry.team-a-pipeline.svc:5000');
    expect(compiled.settings.registry.pullSecret).toBeUndefined();
  });
});
