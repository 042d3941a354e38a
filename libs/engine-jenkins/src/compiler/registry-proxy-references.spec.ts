// With the node-local registry proxy, images a publish step pushed to the project registry (its Service, which
// only pods resolve) are referenced as `127.0.0.1:<port>/<project>/<image>` everywhere a kubelet or a deploy
// pulls them: CICD_LOCAL_REGISTRY, a later step's image, CICD_IMAGE of deploy steps; and the build pod carries
// the pull Secret for that host. What reaches the pod YAML and the Jenkinsfile is read back, not searched for.
import { parse } from 'yaml';

import { compileJenkinsJob } from './jenkins-job.compiler';
import { buildPod } from './pod/build-pod.builder';
import type { Container } from './pod/pod.types';
import { aCompileInput } from './testing/compile-input.builders';
import { lexGroovy, namedStringArgument } from './testing/groovy-source.lexer';

const PROXY = { facts: { localRegistry: '127.0.0.1:34362/team-a' } };
const SETTINGS = { registry: { credentialsSecret: 'registry-push', caSecret: 'registry-ca', pushHost: 'registry.team-a-pipeline.svc:5000', pullSecret: 'keelson-registry-pull' } };
const input = (yaml: string, facts: Record<string, unknown> = {}) => aCompileInput(yaml, { facts: { ...PROXY.facts, ...facts }, settings: SETTINGS });
const env = (c: Container | undefined, name: string) => (c?.env?.find((e) => e.name === name) as { value?: string } | undefined)?.value;

const BUILD_THEN_USE = `
stages:
- {name: build, steps: [{publishImageConfig: {tag: 'web:\${CICD_EXECUTION_SEQUENCE}'}}]}
- {name: test, steps: [{runScriptConfig: {image: '\${CICD_LOCAL_REGISTRY}/web:\${CICD_EXECUTION_SEQUENCE}', shellScript: ./smoke}}]}
- {name: deploy, steps: [{applyYamlConfig: {path: k8s.yaml}}]}
`;

describe('image references through the node-local registry proxy', () => {
  it('pushes to the registry Service and pulls the same image through 127.0.0.1:<port>/<project>', () => {
    const job = compileJenkinsJob(input(BUILD_THEN_USE));
    const script = job.files.find((f) => f.name === 'step-0-0.sh')?.content ?? '';
    expect(script).toContain(`--destination='registry.team-a-pipeline.svc:5000/web:12'`);
    expect(script).not.toContain('127.0.0.1');
    // Read back from the pod YAML the Jenkinsfile carries, the way the Kubernetes plugin reads it.
    expect(namedStringArgument(lexGroovy(job.jenkinsfile), 'yaml')).toBe(job.podYaml);
    const pod = parse(job.podYaml) as { spec: { containers: Container[]; imagePullSecrets: Array<{ name: string }> } };
    const byName = (name: string) => pod.spec.containers.find((c) => c.name === name);
    expect(byName('step-1-0')?.image).toBe('127.0.0.1:34362/team-a/web:12');
    expect(env(byName('step-1-0'), 'CICD_LOCAL_REGISTRY')).toBe('127.0.0.1:34362/team-a');
    expect(env(byName('step-2-0'), 'CICD_IMAGE')).toBe('127.0.0.1:34362/team-a/web');
    expect(env(byName('step-2-0'), 'CICD_REGISTRY')).toBe('127.0.0.1:34362/team-a');
    expect(pod.spec.imagePullSecrets).toEqual([{ name: 'registry-push' }, { name: 'keelson-registry-pull' }]);
  });

  it('gives a fork\'s pod no pull Secret (it gets none of the project\'s Secrets)', () => {
    const fork = buildPod(input(`stages: [{name: s, steps: [{runScriptConfig: {image: '\${CICD_LOCAL_REGISTRY}/web:1', shellScript: x}}]}]`, { event: 'pull_request', fromFork: true }));
    expect(fork.spec.imagePullSecrets).toBeUndefined();
  });

  it('keeps a pushed reference a plain image reference: a registry in a publish tag is refused, not pasted', () => {
    const yaml = `stages: [{name: s, steps: [{publishImageConfig: {tag: '\${CICD_LOCAL_REGISTRY}/web:1'}}]}]`;
    expect(() => compileJenkinsJob(input(yaml))).toThrow(/not an image reference/);
  });

  it('without the proxy, keeps the Service address everywhere, as before', () => {
    const job = compileJenkinsJob(aCompileInput(BUILD_THEN_USE));
    const pod = parse(job.podYaml) as { spec: { containers: Container[]; imagePullSecrets: Array<{ name: string }> } };
    expect(pod.spec.containers.find((c) => c.name === 'step-1-0')?.image).toBe('registry.team-a-pipeline.svc:5000/web:12');
    expect(pod.spec.imagePullSecrets).toEqual([{ name: 'registry-push' }]);
  });
});
