import { ControlPlane } from '@keelson/servers';
import { Core, KubeClient, KubeError, KubeObject, Pod } from '@keelson/kube';
import { DataPlaneProvisioner } from '@keelson/data-plane';
import { aDataPlaneInput } from '../../libs/data-plane/src/testing/data-plane.builders';

// Pod Security Admission on a real apiserver (on by default since 1.25): the data plane's own pods pass
// `restricted` in `<project>-pipeline`, and `<project>-builds` refuses privileged and hostPath pods unless the
// operator allowed privileged builds for the project. No controller-manager runs here, so Deployments make no
// pods: each pod is created by hand from its Deployment's template, and the `default` ServiceAccounts the
// controller-manager would make are created too (the ServiceAccount admission plugin refuses pods without one).
let cp: ControlPlane;
let kube: KubeClient;
const pipeline = 'team-a-pipeline';
const builds = 'team-a-builds';

type PodAnswer =
  | { admitted: true; pod: Pod }
  | { admitted: false; status: number; reason: string; message: string };

/**
 * Creates `pod` in `namespace` for real (no dry run: admission runs exactly as for Jenkins' agents) and returns
 * what the apiserver answered: the stored Pod, or its refusal with the admission message.
 */
async function createPodIn(namespace: string, pod: KubeObject): Promise<PodAnswer> {
  try {
    const stored = await kube.resource(Core.Pod).create({ ...pod, metadata: { ...pod.metadata, namespace } } as Pod);
    return { admitted: true, pod: stored };
  } catch (err) {
    if (!(err instanceof KubeError)) throw err;
    return { admitted: false, status: err.status, reason: err.reason, message: err.message };
  }
}

/** A Pod as the Deployment controller would make it from the stored Deployment's template. */
function podFromDeployment(deployment: KubeObject): KubeObject {
  const template = (deployment.spec as { template: { metadata?: KubeObject['metadata']; spec: Record<string, unknown> } }).template;
  return { apiVersion: 'v1', kind: 'Pod', metadata: { ...template.metadata, name: `${deployment.metadata.name}-from-template` }, spec: template.spec };
}

function aPod(name: string, spec: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'step', image: 'docker.io/library/busybox:1.36' }], ...spec } };
}

const privilegedPod = (name: string) => aPod(name, {
  containers: [{ name: 'step', image: 'docker.io/library/docker:27-dind', securityContext: { privileged: true } }],
});

async function defaultServiceAccount(namespace: string): Promise<void> {
  await kube.resource(Core.ServiceAccount).create({ metadata: { namespace, name: 'default' } });
}

beforeAll(async () => {
  cp = await ControlPlane.start({ crds: false });
  kube = new KubeClient({ kubeconfigPath: cp.adminKubeconfig });
  for (const name of ['team-a', 'team-p']) await kube.resource(Core.Namespace).create({ metadata: { name } });
  const provisioner = new DataPlaneProvisioner({ kube });
  await provisioner.ensure(aDataPlaneInput({ project: 'team-a' }));
  await provisioner.ensure(aDataPlaneInput({ project: 'team-p', allowPrivileged: true }));
  for (const ns of [pipeline, builds, 'team-p-pipeline', 'team-p-builds']) await defaultServiceAccount(ns);
});
afterAll(() => cp?.stop());

describe('Pod Security in <project>-pipeline (restricted)', () => {
  it('admits real pods made from the Jenkins, registry and MinIO Deployment templates', async () => {
    const deployments = (await kube.resource(Core.Deployment).list(pipeline)).items;
    expect(deployments.map((d) => d.metadata.name).sort()).toEqual(['jenkins', 'minio', 'registry']);
    for (const deployment of deployments) {
      const answer = await createPodIn(pipeline, podFromDeployment(deployment));
      expect([deployment.metadata.name, answer]).toEqual([deployment.metadata.name, expect.objectContaining({ admitted: true })]);
    }
    // Jenkins' init container went through admission too.
    const jenkins = await kube.resource(Core.Pod).get(pipeline, 'jenkins-from-template');
    expect((jenkins.spec.initContainers as unknown[]).length).toBe(1);
  });

  it('refuses a pod that only meets baseline, so the templates above were really checked against restricted', async () => {
    const answer = await createPodIn(pipeline, aPod('plain'));
    expect(answer).toMatchObject({ admitted: false, status: 403, reason: 'Forbidden' });
    expect((answer as { message: string }).message).toContain('violates PodSecurity "restricted:latest"');
  });
});

describe('Pod Security in <project>-builds (baseline)', () => {
  it('admits an ordinary build container', async () => {
    await expect(createPodIn(builds, aPod('ordinary'))).resolves.toMatchObject({ admitted: true });
  });

  it('refuses a privileged container, naming the PodSecurity level', async () => {
    const answer = await createPodIn(builds, privilegedPod('privileged'));
    expect(answer).toMatchObject({ admitted: false, status: 403, reason: 'Forbidden' });
    expect((answer as { message: string }).message).toMatch(/violates PodSecurity "baseline:latest": privileged \(container "step" must not set securityContext\.privileged=true\)/);
  });

  it('refuses a hostPath volume, naming the PodSecurity level', async () => {
    const answer = await createPodIn(builds, aPod('host-path', {
      containers: [{ name: 'step', image: 'docker.io/library/busybox:1.36', volumeMounts: [{ name: 'etc', mountPath: '/host-etc' }] }],
      volumes: [{ name: 'etc', hostPath: { path: '/etc' } }],
    }));
    expect(answer).toMatchObject({ admitted: false, status: 403 });
    expect((answer as { message: string }).message).toMatch(/violates PodSecurity "baseline:latest": .*hostPath volumes \(volume "etc"\)/);
  });

  it('admits a privileged container in the builds namespace of a project the operator allowed', async () => {
    await expect(createPodIn('team-p-builds', privilegedPod('privileged'))).resolves.toMatchObject({ admitted: true });
    // The allowance is for builds only: the project's data-plane namespace stays restricted.
    const pipelineAnswer = await createPodIn('team-p-pipeline', privilegedPod('privileged'));
    expect(pipelineAnswer).toMatchObject({ admitted: false, status: 403 });
    expect((pipelineAnswer as { message: string }).message).toContain('violates PodSecurity "restricted:latest"');
  });
});
