import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ControlPlane, repoRoot } from '@keelson/servers';
import { Core, KubeClient, KubeError, Pod } from '@keelson/kube';
import { compileJenkinsJob } from '@keelson/engine-jenkins';
import { aCompileInput } from '../../libs/engine-jenkins/src/compiler/testing/compile-input.builders';

// The compiler's build pod, as the YAML Jenkins's Kubernetes plugin receives, must be a Pod the real apiserver
// accepts in the build namespace, which enforces baseline Pod Security (ADR 0004). A server-side dry run runs
// validation and every admission plugin, PodSecurity included, without storing anything; the controls at the end
// prove that the same dry run does refuse what baseline forbids.
let cp: ControlPlane;
let kube: KubeClient;
const ns = 'team-a-builds';
const examplesDir = join(repoRoot(), 'examples');
const examples = readdirSync(examplesDir).filter((f) => f.endsWith('.devops.yml'));
const BUILDER_IMAGE = /^gcr\.io\/kaniko-project\/executor:/;

type Facts = NonNullable<Parameters<typeof aCompileInput>[1]>['facts'];
const PUSH: Facts = {};
const FORK: Facts = { event: 'pull_request', fromFork: true, ref: 'refs/pull/3/head' };

function compiledPod(file: string, facts: Facts, name: string): Pod {
  const yaml = readFileSync(join(examplesDir, file), 'utf8');
  const pod = parse(compileJenkinsJob(aCompileInput(yaml, { settings: { namespace: ns }, facts })).podYaml) as Pod;
  pod.metadata = { ...pod.metadata, namespace: ns, name: name.slice(0, 63).replace(/-$/, '') };
  return pod;
}

const podName = (kind: string, file: string) => `dry-${kind}-${file.replace(/\W+/g, '-').toLowerCase()}`;

/** The apiserver's answer to a dry-run create: the Pod it would store, or its refusal. */
async function dryRun(pod: Pod): Promise<{ admitted: true; pod: Pod } | { admitted: false; status: number; message: string }> {
  try {
    return { admitted: true, pod: await kube.resource(Core.Pod).create(pod, { dryRun: true }) };
  } catch (err) {
    if (!(err instanceof KubeError)) throw err;
    return { admitted: false, status: err.status, message: err.message };
  }
}

function builderOf(pod: Pod): Record<string, unknown> {
  const containers = pod.spec.containers as Array<{ name: string; image: string }>;
  return containers.find((c) => BUILDER_IMAGE.test(c.image)) as Record<string, unknown>;
}

beforeAll(async () => {
  cp = await ControlPlane.start({ crds: false });
  kube = new KubeClient({ kubeconfigPath: cp.adminKubeconfig });
  await kube.resource(Core.Namespace).create({
    metadata: {
      name: ns,
      labels: { 'pod-security.kubernetes.io/enforce': 'baseline', 'pod-security.kubernetes.io/enforce-version': 'latest' },
    },
  });
  await kube.resource(Core.ServiceAccount).create({ metadata: { namespace: ns, name: 'keelson-build' } });
});
afterAll(() => cp?.stop());

describe('the compiled build pod on a real apiserver, in a baseline build namespace', () => {
  it('covers every example, each building an image in its push build, and some in their fork build too', () => {
    expect(examples.length).toBeGreaterThanOrEqual(3);
    for (const file of examples) expect([file, builderOf(compiledPod(file, PUSH, 'x'))]).toEqual([file, expect.anything()]);
    expect(examples.filter((file) => builderOf(compiledPod(file, FORK, 'x'))).length).toBeGreaterThanOrEqual(1);
  });

  it.each(examples)('%s: the push build pod passes validation and baseline Pod Security (server-side dry run)', async (file) => {
    const answer = await dryRun(compiledPod(file, PUSH, podName('push', file)));
    expect(answer).toMatchObject({ admitted: true });
    const accepted = (answer as { pod: Pod }).pod;
    expect(accepted.metadata.uid).toBeTruthy();
    expect((accepted.spec.containers as unknown[]).length).toBeGreaterThan(1);
    expect(builderOf(accepted)).toMatchObject({ securityContext: { runAsUser: 0, allowPrivilegeEscalation: false } });
  });

  it.each(examples)('%s: the fork build pod passes validation and baseline Pod Security (server-side dry run)', async (file) => {
    const answer = await dryRun(compiledPod(file, FORK, podName('fork', file)));
    expect(answer).toMatchObject({ admitted: true });
    const accepted = (answer as { pod: Pod }).pod;
    expect(accepted.metadata.labels?.['keelson.dev/fork']).toBe('true');
    // Built without pushing: no registry credentials anywhere in the pod.
    expect(JSON.stringify(accepted.spec)).not.toMatch(/docker-config|DOCKER_CONFIG/);
  });

  it('keeps the preferred node affinity and fork-safe secrets through validation', async () => {
    // An example with envFrom: its push build gets the secrets, its fork pull-request build must not.
    const push = await dryRun(compiledPod('go-service-helm.devops.yml', PUSH, 'dry-push'));
    expect(push).toMatchObject({ admitted: true });
    expect(JSON.stringify((push as { pod: Pod }).pod.spec)).toContain('secretKeyRef');
    const fork = await dryRun(compiledPod('go-service-helm.devops.yml', FORK, 'dry-fork'));
    expect(fork).toMatchObject({ admitted: true });
    const spec = (fork as { pod: Pod }).pod.spec as { affinity?: { nodeAffinity?: { preferredDuringSchedulingIgnoredDuringExecution?: unknown[] } } };
    expect(spec.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution?.length).toBeGreaterThan(0);
    expect(JSON.stringify(spec)).not.toContain('secretKeyRef');
  });
});

describe('controls: the same dry run refuses what baseline forbids', () => {
  const refusedByBaseline = expect.objectContaining({
    admitted: false, status: 403, message: expect.stringContaining('violates PodSecurity "baseline:latest"'),
  });

  it('refuses the build pod with a privileged builder', async () => {
    const pod = compiledPod(examples[0], PUSH, 'control-privileged');
    builderOf(pod).securityContext = { privileged: true };
    const answer = await dryRun(pod);
    expect(answer).toEqual(refusedByBaseline);
    expect((answer as { message: string }).message).toContain('privileged');
  });

  it('refuses the build pod with a hostPath volume', async () => {
    const pod = compiledPod(examples[0], PUSH, 'control-hostpath');
    const volumes = (pod.spec.volumes ?? []) as unknown[];
    pod.spec.volumes = [...volumes, { name: 'node-root', hostPath: { path: '/' } }];
    const answer = await dryRun(pod);
    expect(answer).toEqual(refusedByBaseline);
    expect((answer as { message: string }).message).toContain('hostPath');
  });

  it('refuses the build pod with the unconfined profiles rootless BuildKit needed', async () => {
    const pod = compiledPod(examples[0], PUSH, 'control-unconfined');
    builderOf(pod).securityContext = {
      runAsUser: 1000, seccompProfile: { type: 'Unconfined' }, appArmorProfile: { type: 'Unconfined' },
    };
    const answer = await dryRun(pod);
    expect(answer).toEqual(refusedByBaseline);
    expect((answer as { message: string }).message).toMatch(/seccompProfile|appArmorProfile/);
  });
});
