import { JenkinsCompileError } from '../compile.errors';
import { compileJenkinsJob } from '../jenkins-job.compiler';
import { aCompileInput } from '../testing/compile-input.builders';
import { buildPod, labelValue } from './build-pod.builder';
import { isLoopbackImage } from './step-container.builder';
import { buildCacheVolumes } from './cache-volumes';
import type { Container, EnvVar } from './pod.types';

const container = (pod: ReturnType<typeof buildPod>, name: string): Container =>
  pod.spec.containers.find((c) => c.name === name) as Container;
const envNames = (c: Container): string[] => (c.env ?? []).map((e) => e.name);
const envValue = (c: Container, name: string): EnvVar | undefined => (c.env ?? []).find((e) => e.name === name);

const TWO_STAGES = `
stages:
- name: test
  steps:
  - name: unit
    runScriptConfig: {image: 'node:20', shellScript: npm test}
    env: {MODE: ci, PRICE: "$(SECRET) $5"}
    envFrom: [{sourceName: npm, sourceKey: token, targetKey: NPM_TOKEN}]
    cpuRequest: 500m
    memoryLimit: 1Gi
  - name: lint
    when: {branch: release/*}
    runScriptConfig: {image: 'golangci/golangci-lint:v1', shellScript: lint}
- name: gate
  steps:
  - approval: {message: ok?}
`;

describe('buildPod', () => {
  it('labels the pod with the execution, pipeline and project', () => {
    const pod = buildPod(aCompileInput());
    expect(pod.metadata.labels).toMatchObject({
      'keelson.dev/execution': 'web-12', 'keelson.dev/pipeline': 'web', 'keelson.dev/project': 'team-a',
    });
    expect(pod.metadata.annotations['keelson.dev/execution']).toBe('web-12');
    expect(pod.metadata.namespace).toBe('team-a-builds');
  });

  it('labels trusted builds keelson.dev/fork "false" and untrusted ones "true", for the NetworkPolicies', () => {
    const pr = (fromFork?: boolean) => buildPod(aCompileInput(undefined, { facts: { event: 'pull_request', fromFork, ref: 'refs/pull/3/head' } }));
    expect(buildPod(aCompileInput()).metadata.labels['keelson.dev/fork']).toBe('false');
    expect(pr(false).metadata.labels['keelson.dev/fork']).toBe('false');
    expect(pr(true).metadata.labels['keelson.dev/fork']).toBe('true');
    expect(pr(undefined).metadata.labels['keelson.dev/fork']).toBe('true');
  });

  it('hashes execution ids that are not valid label values, keeping the full id in an annotation', () => {
    const long = `${'x'.repeat(70)}-1`;
    const value = labelValue(long);
    expect(value.length).toBeLessThanOrEqual(63);
    expect(value).toMatch(/^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$/);
    expect(labelValue('web-12')).toBe('web-12');
    expect(labelValue('--')).toMatch(/^[0-9a-f]{10}$/);
  });

  it('has the JNLP agent and one container per running step, none for skipped or approval steps', () => {
    const pod = buildPod(aCompileInput(TWO_STAGES));
    expect(pod.spec.containers.map((c) => c.name)).toEqual(['jnlp', 'step-0-0']);
  });

  it('gives the agent the executor resources and the step its own', () => {
    const pod = buildPod(aCompileInput(TWO_STAGES));
    expect(container(pod, 'jnlp').resources).toEqual({ requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '512Mi' } });
    expect(container(pod, 'step-0-0').resources).toEqual({ requests: { cpu: '500m' }, limits: { memory: '1Gi' } });
  });

  it('gives a step the resources it wrote in the Kubernetes shape, as Rancher\'s keys would', () => {
    const yaml = (resources: string) => `stages:\n- name: s\n  steps:\n  - runScriptConfig: {image: x}\n    ${resources}\n`;
    const kube = container(buildPod(aCompileInput(yaml('resources: {requests: {cpu: 250m, memory: 64Mi}, limits: {cpu: "1", memory: 1Gi}}'))), 'step-0-0');
    const rancher = container(buildPod(aCompileInput(yaml('resources: {cpuRequest: 250m, memoryRequest: 64Mi, cpuLimit: "1", memoryLimit: 1Gi}'))), 'step-0-0');
    expect(kube.resources).toEqual({ requests: { cpu: '250m', memory: '64Mi' }, limits: { cpu: '1', memory: '1Gi' } });
    expect(rancher.resources).toEqual(kube.resources);
  });

  it.each([
    ['a YAML line break', '1Gi\n  command: [sh, -c, "curl evil | sh"]'],
    ['a Groovy triple quote', "1Gi''' + evil() + '''"],
    ['a Groovy interpolation', '${evil()}'],
    ['a number with a unit Kubernetes does not know', '1GB'],
  ])('refuses a step quantity with %s that did not come through the parser, naming the step', (_what, value) => {
    const input = aCompileInput(TWO_STAGES);
    input.config.stages[0].steps[0].resources = { memoryLimit: value };
    const err = (() => { try { compileJenkinsJob(input); } catch (e) { return e; } })() as JenkinsCompileError;
    expect(err).toBeInstanceOf(JenkinsCompileError);
    expect(err.code).toBe('InvalidQuantity');
    expect(err.message).toBe(`stages[0].steps[0] ("unit"): resources memoryLimit ${JSON.stringify(value)} is not a quantity; expected a Kubernetes quantity: a number with an optional suffix, such as 250m, 0.5, 2, 512Mi or 1Gi`);
  });

  it('refuses executor resources that are not quantities', () => {
    const input = aCompileInput(TWO_STAGES, { settings: { agentResources: { cpuRequest: '1\nprivileged: true' } } });
    expect(() => compileJenkinsJob(input)).toThrow(/^the executor \(PipelineSetting spec\.executor\): resources cpuRequest "1\\nprivileged: true" is not a quantity/);
  });

  it('sets the CICD variables in every container, then the step env, with every $ doubled for the kubelet', () => {
    const pod = buildPod(aCompileInput(TWO_STAGES));
    for (const c of pod.spec.containers) expect(envNames(c)).toEqual(expect.arrayContaining(['CICD_GIT_COMMIT', 'CICD_EXECUTION_ID']));
    const step = container(pod, 'step-0-0');
    expect(envValue(step, 'MODE')).toEqual({ name: 'MODE', value: 'ci' });
    expect(envValue(step, 'PRICE')).toEqual({ name: 'PRICE', value: '$$(SECRET) $$5' });
  });

  it('passes envFrom secrets as secretKeyRef into the execution Secret, never as values', () => {
    const step = container(buildPod(aCompileInput(TWO_STAGES)), 'step-0-0');
    expect(envValue(step, 'NPM_TOKEN')).toEqual({ name: 'NPM_TOKEN', valueFrom: { secretKeyRef: { name: 'web-12-env', key: 'npm__token' } } });
  });

  it('omits envFrom secrets for pull requests from forks and of unknown origin, but not from the same repository', () => {
    const pr = (fromFork?: boolean) =>
      container(buildPod(aCompileInput(TWO_STAGES, { facts: { event: 'pull_request', fromFork, ref: 'refs/pull/3/head' } })), 'step-0-0');
    expect(envNames(pr(true))).not.toContain('NPM_TOKEN');
    expect(envNames(pr(undefined))).not.toContain('NPM_TOKEN');
    expect(envNames(pr(false))).toContain('NPM_TOKEN');
  });

  it('runs no container privileged by default, and forbids privilege escalation', () => {
    const pod = buildPod(aCompileInput(TWO_STAGES));
    for (const c of pod.spec.containers) {
      expect(c.securityContext?.privileged).toBeUndefined();
      expect(c.securityContext?.allowPrivilegeEscalation).toBe(false);
    }
  });

  it('refuses a privileged step unless the operator allows it, naming the stage and step, and honours it when allowed', () => {
    const yaml = `stages: [{name: build, steps: [{name: dind, runScriptConfig: {image: docker}, privileged: true}]}]`;
    expect(() => buildPod(aCompileInput(yaml))).toThrow(expect.objectContaining({
      code: 'PrivilegedNotAllowed', message: expect.stringContaining('stage "build" step "dind" asks for a privileged container'),
    }));
    const pod = buildPod(aCompileInput(yaml, { settings: { allowPrivileged: true } }));
    expect(container(pod, 'step-0-0').securityContext).toEqual({ privileged: true });
  });

  it('refuses a privileged step even when it would be skipped, since the pipeline cannot run in this project', () => {
    const yaml = `stages: [{name: s, steps: [{runScriptConfig: {image: x}}, {name: dind, when: {branch: nope}, runScriptConfig: {image: docker}, privileged: true}]}]`;
    expect(() => buildPod(aCompileInput(yaml))).toThrow(expect.objectContaining({ code: 'PrivilegedNotAllowed' }));
  });

  it('never runs a privileged container for a fork pull request, even where the operator allows it', () => {
    const yaml = `stages: [{name: s, steps: [{runScriptConfig: {image: docker}, privileged: true}]}]`;
    const pod = buildPod(aCompileInput(yaml, { settings: { allowPrivileged: true }, facts: { event: 'pull_request', fromFork: true, ref: 'refs/pull/3/head' } }));
    expect(pod.spec.containers.map((c) => c.name)).toEqual(['jnlp']);
  });

  it('prefers the recent nodes, newest first', () => {
    const terms = buildPod(aCompileInput()).spec.affinity?.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution;
    expect(terms?.map((t) => [t.preference.matchFields[0].values[0], t.weight])).toEqual([['node-a', 100], ['node-b', 50]]);
  });

  it('mounts pipeline and step caches from claims, never hostPath, makes them writable, and prepares workspace directories as the agent user', () => {
    const yaml = `
cache: {paths: [node_modules]}
stages: [{name: s, steps: [{runScriptConfig: {image: node}, cache: {paths: [/root/.npm], key: npm}}]}]`;
    const pod = buildPod(aCompileInput(yaml));
    expect(JSON.stringify(pod)).not.toContain('hostPath');
    const all = container(pod, 'step-0-0').volumeMounts ?? [];
    const mounts = all.filter((m) => m.subPath !== undefined);
    expect(mounts.map((m) => m.mountPath)).toEqual(['/home/jenkins/agent/workspace/web/node_modules', '/root/.npm']);
    expect(mounts.map((m) => m.subPath)).toEqual(['node_modules', expect.stringMatching(/^_root_.npm-[0-9a-f]{10}$/)]);
    const claims = pod.spec.volumes?.flatMap((v) => ('persistentVolumeClaim' in v ? [v.persistentVolumeClaim] : []));
    expect(claims).toEqual([
      { claimName: expect.stringMatching(/^cache-[0-9a-f]{20}$/), readOnly: false }, { claimName: expect.stringMatching(/^cache-[0-9a-f]{20}$/), readOnly: false },
    ]);
    expect(mounts.map((m) => m.name)).toEqual(claims?.map((c) => c.claimName));
    // Each key's directory whole, writable, for the wrapper's lock and stamp.
    const control = all.filter((m) => m.subPath === undefined);
    expect(control).toEqual([...(claims ?? [])].map((c) => ({ name: c.claimName, mountPath: `/.keelson-cache/${c.claimName}`, readOnly: false }))
      .sort((a, b) => (a.mountPath < b.mountPath ? -1 : 1)));
    const [cache, prepare] = pod.spec.initContainers ?? [];
    expect(cache.command?.slice(0, 3)).toEqual(['sh', '-c', 'chmod 0777 -- "$@"']);
    expect(cache.securityContext).toEqual({ runAsUser: 0, runAsGroup: 0, allowPrivilegeEscalation: false });
    const keyDirs = cache.volumeMounts?.filter((m) => m.subPath === undefined) ?? [];
    expect(keyDirs.map((m) => [m.name, m.mountPath])).toEqual(claims?.map((c) => [c.claimName, `/keelson/cache-keys/${c.claimName}`]));
    expect(cache.volumeMounts?.filter((m) => m.subPath !== undefined).map((m) => [m.name, m.subPath])).toEqual(mounts.map((m) => [m.name, m.subPath]));
    expect(cache.command?.slice(4)).toEqual(cache.volumeMounts?.map((m) => m.mountPath));
    expect(prepare?.securityContext).toMatchObject({ runAsUser: 1000 });
    expect(prepare?.command?.slice(4)).toEqual([
      '/home/jenkins/agent/workspace', '/home/jenkins/agent/workspace/web', '/home/jenkins/agent/workspace/web/node_modules',
    ]);
  });

  it('mounts the fork cache key read-only for a fork pull request, and leaves its permissions alone', () => {
    const yaml = `cache: {paths: [node_modules]}\nstages: [{name: s, steps: [{runScriptConfig: {image: node}}]}]`;
    const fork = buildPod(aCompileInput(yaml, { facts: { event: 'pull_request', fromFork: true, ref: 'refs/pull/3/head' } }));
    const trusted = buildPod(aCompileInput(yaml));
    expect(container(fork, 'step-0-0').volumeMounts?.map((m) => m.readOnly)).toEqual([true, true]);
    expect(fork.spec.volumes?.[0]).toMatchObject({ persistentVolumeClaim: { readOnly: true } });
    expect(fork.spec.volumes?.[0].name).not.toBe(trusted.spec.volumes?.[0].name);
    expect(fork.spec.initContainers?.map((c) => c.name)).toEqual(['keelson-prepare']);
  });

  it('mounts a stage cache into every step of the stage and no other, beside the pipeline and step caches', () => {
    const yaml = `
cache: {paths: [.m2]}
stages:
- name: build
  cache: {paths: [node_modules], key: "deps-\${CICD_GIT_BRANCH}"}
  steps: [{runScriptConfig: {image: a}}, {runScriptConfig: {image: b}, cache: {paths: [dist], key: out}}]
- {name: test, steps: [{runScriptConfig: {image: c}}]}`;
    const pod = buildPod(aCompileInput(yaml));
    const paths = (name: string) => (container(pod, name).volumeMounts ?? []).filter((m) => m.subPath !== undefined).map((m) => m.mountPath.replace('/home/jenkins/agent/workspace/web/', ''));
    expect(paths('step-0-0')).toEqual(['.m2', 'node_modules']);
    expect(paths('step-0-1')).toEqual(['.m2', 'node_modules', 'dist']);
    expect(paths('step-1-0')).toEqual(['.m2']);
    // The stage key is substituted: the branch of the run is `main` in the default facts.
    const volumes = buildCacheVolumes(aCompileInput(yaml)).volumes.map((v) => v.spec.hostPath.path.split('/').pop());
    expect(volumes.sort()).toEqual(['default', 'deps-main', 'out']);
  });

  it('refuses a cache path named at two levels, naming both', () => {
    const yaml = `
cache: {paths: [node_modules]}
stages: [{name: build, cache: {paths: [./node_modules]}, steps: [{runScriptConfig: {image: a}}]}]`;
    expect(() => buildPod(aCompileInput(yaml))).toThrow('cache path "/home/jenkins/agent/workspace/web/node_modules" is named by the pipeline and by stage "build"');
  });

  it('refuses a cache path under the directory Keelson mounts its cache keys at', () => {
    const yaml = `stages: [{name: b, steps: [{runScriptConfig: {image: a}, cache: {paths: [/.keelson-cache/x]}}]}]`;
    expect(() => buildPod(aCompileInput(yaml))).toThrow('is reserved: Keelson mounts its cache directories at /.keelson-cache');
  });

  it('never automounts the service-account token, and mounts a deploy token only into deploy steps of trusted builds', () => {
    const yaml = `
stages:
- {name: test, steps: [{runScriptConfig: {image: x}}]}
- {name: deploy, steps: [{applyYamlConfig: {path: k8s.yaml}}, {applyAppConfig: {chart: c, releaseName: r}}]}`;
    const pod = buildPod(aCompileInput(yaml));
    expect(pod.spec.automountServiceAccountToken).toBe(false);
    expect(pod.spec.serviceAccountName).toBe('keelson-build');
    const tokenMount = { name: 'deploy-token', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true };
    for (const name of ['step-1-0', 'step-1-1']) expect(container(pod, name).volumeMounts).toContainEqual(tokenMount);
    for (const name of ['jnlp', 'step-0-0']) expect(container(pod, name).volumeMounts ?? []).not.toContainEqual(expect.objectContaining({ name: 'deploy-token' }));
    expect(pod.spec.volumes?.filter((v) => v.name === 'deploy-token')).toEqual([{
      name: 'deploy-token',
      projected: {
        sources: [
          { serviceAccountToken: { expirationSeconds: 3600, path: 'token' } },
          { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
          { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
        ],
      },
    }]);
    const fork = buildPod(aCompileInput(yaml, { facts: { event: 'pull_request', fromFork: true, ref: 'refs/pull/1/head' } }));
    expect(fork.spec.automountServiceAccountToken).toBe(false);
    expect(JSON.stringify(fork)).not.toContain('serviceAccountToken');
    expect(buildPod(aCompileInput()).spec.volumes?.map((v) => v.name) ?? []).not.toContain('deploy-token');
  });

  it('makes Helm keep its releases in ConfigMaps, since the deploy role grants no Secrets', () => {
    const yaml = `stages: [{name: s, steps: [{applyAppConfig: {chart: c, releaseName: r}, env: {HELM_DRIVER: secret}}, {applyYamlConfig: {path: k.yaml}}]}]`;
    const pod = buildPod(aCompileInput(yaml));
    expect(container(pod, 'step-0-0').env?.filter((e) => e.name === 'HELM_DRIVER')).toEqual([{ name: 'HELM_DRIVER', value: 'configmap' }]);
    expect(envNames(container(pod, 'step-0-1'))).not.toContain('HELM_DRIVER');
  });

  it('builds images with Kaniko as root without privilege escalation, pushing with the project credentials and CA', () => {
    const yaml = `stages: [{name: s, steps: [{publishImageConfig: {tag: 'web:1'}}]}]`;
    const pod = buildPod(aCompileInput(yaml));
    const builder = container(pod, 'step-0-0');
    expect(builder.image).toMatch(/^gcr\.io\/kaniko-project\/executor:v[\d.]+-debug@sha256:[0-9a-f]{64}$/);
    // Baseline Pod Security: root with the default capabilities and the pod's RuntimeDefault seccomp profile.
    expect(builder.securityContext).toEqual({ runAsUser: 0, runAsGroup: 0, allowPrivilegeEscalation: false });
    expect(builder.command).toEqual(['cat']);
    expect(envValue(builder, 'DOCKER_CONFIG')).toEqual({ name: 'DOCKER_CONFIG', value: '/kaniko/.docker' });
    expect(envValue(builder, 'container')).toEqual({ name: 'container', value: 'kube' });
    expect(builder.volumeMounts).toEqual([
      { name: 'step-0-0-docker-config', mountPath: '/kaniko/.docker', readOnly: true },
      { name: 'registry-ca', mountPath: '/kaniko/registry-ca', readOnly: true },
    ]);
    expect(pod.spec.volumes).toEqual([
      { name: 'step-0-0-docker-config', secret: { secretName: 'registry-push', items: [{ key: '.dockerconfigjson', path: 'config.json' }] } },
      { name: 'registry-ca', secret: { secretName: 'registry-ca', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
    ]);
  });

  it('names to Kaniko the CA file the pod mounts, for the project registry only', () => {
    const yaml = `stages: [{name: s, steps: [{publishImageConfig: {tag: 'web:1'}}, {publishImageConfig: {tag: 'org/web:1', pushRemote: true, registry: quay.io}}]}]`;
    const job = compileJenkinsJob(aCompileInput(yaml, { settings: { remoteRegistryCredentials: { 'quay.io': 'quay-push' } } }));
    const script = (name: string) => job.files.find((f) => f.name === `${name}.sh`)?.content ?? '';
    expect(script('step-0-0')).toContain("--registry-certificate='registry.team-a-pipeline.svc:5000=/kaniko/registry-ca/ca.crt'");
    expect(script('step-0-1')).not.toContain('--registry-certificate');
    expect(container(job.pod, 'step-0-1').volumeMounts?.map((m) => m.name)).toEqual(['step-0-1-docker-config']);
    const withoutCa = compileJenkinsJob(aCompileInput(yaml, { settings: { registry: { credentialsSecret: 'registry-push' } } }));
    expect(withoutCa.files.find((f) => f.name === 'step-0-0.sh')?.content).not.toContain('--registry-certificate');
    expect(withoutCa.pod.spec.volumes?.map((v) => v.name)).not.toContain('registry-ca');
  });

  it('overrides the seccomp or AppArmor profile of no container, and lets none escalate privileges', () => {
    const yaml = `
stages:
- {name: a, steps: [{publishImageConfig: {tag: 'web:1'}}, {runScriptConfig: {image: x, shellScript: make}}]}
- {name: b, steps: [{applyYamlConfig: {path: k.yaml}}, {applyAppConfig: {chart: c, releaseName: r}}, {publishCatalogConfig: {path: p, catalogTemplate: t, version: '1', gitUrl: 'https://g/c.git', gitBranch: main}}]}`;
    const pod = buildPod(aCompileInput(yaml));
    const all = [...(pod.spec.initContainers ?? []), ...pod.spec.containers];
    expect(all.length).toBe(6);
    for (const c of all) {
      expect([c.name, Object.keys(c.securityContext ?? {}).filter((k) => !['runAsUser', 'runAsGroup', 'allowPrivilegeEscalation'].includes(k))]).toEqual([c.name, []]);
      expect([c.name, c.securityContext?.allowPrivilegeEscalation]).toEqual([c.name, false]);
    }
    expect(pod.spec.securityContext).toEqual({ seccompProfile: { type: 'RuntimeDefault' } });
  });

  it('gives a fork pull request no registry credentials, and Kaniko builds it without pushing', () => {
    const yaml = `stages: [{name: s, steps: [{publishImageConfig: {tag: 'web:1'}}]}]`;
    const job = compileJenkinsJob(aCompileInput(yaml, { facts: { event: 'pull_request', fromFork: true, ref: 'refs/pull/3/head' } }));
    expect(envNames(container(job.pod, 'step-0-0'))).not.toContain('DOCKER_CONFIG');
    expect(job.pod.spec.volumes?.map((v) => v.name)).not.toContain('step-0-0-docker-config');
    expect(job.files.find((f) => f.name === 'step-0-0.sh')?.content).toMatch(/^ {2}--no-push \\$/m);
    expect(compileJenkinsJob(aCompileInput(yaml)).files.find((f) => f.name === 'step-0-0.sh')?.content).not.toContain('--no-push');
  });

  it('uses the configured credentials of a remote registry', () => {
    const yaml = `stages: [{name: s, steps: [{publishImageConfig: {tag: 'org/web:1', pushRemote: true, registry: quay.io}}]}]`;
    const pod = buildPod(aCompileInput(yaml, { settings: { remoteRegistryCredentials: { 'quay.io': 'quay-push' } } }));
    expect(pod.spec.volumes).toContainEqual({ name: 'step-0-0-docker-config', secret: { secretName: 'quay-push', items: [{ key: '.dockerconfigjson', path: 'config.json' }] } });
    expect(pod.spec.volumes?.map((v) => v.name)).not.toContain('registry-ca');
  });

  it('tells manifest steps the image of the nearest earlier publish step', () => {
    const yaml = `
stages:
- {name: build, steps: [{publishImageConfig: {tag: 'web:\${CICD_GIT_COMMIT}'}}]}
- {name: deploy, steps: [{applyYamlConfig: {path: k8s.yaml}}]}`;
    const deploy = container(buildPod(aCompileInput(yaml)), 'step-1-0');
    expect(envValue(deploy, 'CICD_IMAGE')).toEqual({ name: 'CICD_IMAGE', value: 'registry.team-a-pipeline.svc:5000/web' });
  });

  it('lets Kubernetes end the pod at the pipeline timeout', () => {
    const pod = buildPod(aCompileInput(`timeout: 30\nstages: [{name: s, steps: [{runScriptConfig: {image: x}}]}]`));
    expect(pod.spec.activeDeadlineSeconds).toBe(1800);
    expect(pod.spec.restartPolicy).toBe('Never');
  });

  it('pulls step images with the project registry credentials and the extra pull secrets', () => {
    const pod = buildPod(aCompileInput(undefined, { settings: { imagePullSecrets: ['hub', 'registry-push'] } }));
    expect(pod.spec.imagePullSecrets).toEqual([{ name: 'registry-push' }, { name: 'hub' }]);
  });

  it('gives the pod of a fork pull request no pull secret, neither the registry push Secret nor the extra ones', () => {
    const settings = { imagePullSecrets: ['hub'] };
    const fork = buildPod(aCompileInput(undefined, { settings, facts: { event: 'pull_request', fromFork: true, ref: 'refs/pull/3/head' } }));
    expect(fork.spec.imagePullSecrets).toBeUndefined();
    const sameRepository = buildPod(aCompileInput(undefined, { settings, facts: { event: 'pull_request', fromFork: false, ref: 'refs/pull/3/head' } }));
    expect(sameRepository.spec.imagePullSecrets).toEqual([{ name: 'registry-push' }, { name: 'hub' }]);
  });

  it('fails with a compile error on an invalid cache root', () => {
    expect(() => buildPod(aCompileInput(undefined, { settings: { cacheRoot: 'relative' } }))).toThrow(JenkinsCompileError);
  });
});

describe('buildPod for untrusted builds', () => {
  it('pulls a loopback (registry proxy) image every time, so a node that holds it still checks the pull credentials', () => {
    const yaml = `stages: [{name: s, steps: [{runScriptConfig: {image: '127.0.0.1:34362/team-b/app:1', shellScript: x}}, {runScriptConfig: {image: 'busybox:1', shellScript: y}}]}]`;
    const fork = buildPod(aCompileInput(yaml, { facts: { event: 'pull_request', fromFork: true, ref: 'refs/pull/1/head' } }));
    const steps = fork.spec.containers.filter((c) => c.name !== 'jnlp');
    expect(steps.map((c) => [c.image, c.imagePullPolicy])).toEqual([['127.0.0.1:34362/team-b/app:1', 'Always'], ['busybox:1', undefined]]);
    expect(fork.spec.imagePullSecrets).toBeUndefined();
  });

  it('gives deploy steps of a fork pull request no container', () => {
    const yaml = `stages: [{name: s, steps: [{applyYamlConfig: {path: k.yaml}}, {applyAppConfig: {chart: c, releaseName: r}}]}]`;
    const pod = buildPod(aCompileInput(yaml, { facts: { event: 'pull_request', fromFork: true, ref: 'refs/pull/1/head' } }));
    expect(pod.spec.containers.map((c) => c.name)).toEqual(['jnlp']);
  });
});

describe('isLoopbackImage', () => {
  it.each([
    ['127.0.0.1:34362/team-a/web:1', true], ['localhost:5000/x', true], ['127.1.2.3:1/x', true], ['[::1]:5000/x', true],
    ['registry.team-a-pipeline.svc:5000/web', false], ['busybox', false], ['127.0.0.1.example.com/x', false], ['docker.io/127.0.0.1/x', false],
    // Imported into the node's runtime (the real node's images): pulling it would fail.
    ['localhost/keelson/debian:1', false],
  ])('%s: %s', (image, loopback) => expect(isLoopbackImage(image)).toBe(loopback));
});
