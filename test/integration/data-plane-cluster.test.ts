// A PipelineSetting that names a kubeconfig Secret puts the project's data plane in that other cluster: the
// manager provisions it there, reads Jenkins' credentials from there, and leaves the management cluster alone.
import { Core, Keelson, KubeClient } from '@keelson/kube';
import { silentLogger } from '@keelson/observability';
import { ControlPlane, kubeconfigYaml } from '@keelson/servers';
import { ProvisioningGate } from '../../apps/manager/src/controllers/data-plane.gate';
import { DataPlaneClusters } from '../../apps/manager/src/data-plane/data-plane-clusters';

let management: ControlPlane;
let dataPlane: ControlPlane;
let kube: KubeClient;
let remote: KubeClient;

beforeAll(async () => {
  [management, dataPlane] = await Promise.all([ControlPlane.start(), ControlPlane.start()]);
  kube = new KubeClient({ kubeconfigPath: management.adminKubeconfig });
  remote = new KubeClient({ kubeconfigPath: dataPlane.adminKubeconfig });
  await kube.resource(Core.Namespace).create({ metadata: { name: 'team-a' } });
  await remote.resource(Core.Namespace).create({ metadata: { name: 'team-a' } });
  await kube.resource(Core.Secret).create({
    metadata: { name: 'builds-cluster', namespace: 'team-a' }, type: 'Opaque',
    stringData: { kubeconfig: kubeconfigYaml(dataPlane.access()) },
  });
}, 180_000);
afterAll(async () => {
  await management?.stop();
  await dataPlane?.stop();
});

it('provisions the data plane in the cluster of the setting\'s kubeconfig Secret, not in the management cluster', async () => {
  const setting = await kube.resource(Keelson.PipelineSetting).create({
    apiVersion: 'devops.keelson.dev/v1alpha1', kind: 'PipelineSetting', metadata: { name: 'default', namespace: 'team-a' },
    spec: { maxConcurrentExecutions: 3, historyLimit: 100, logRetentionDays: 30, allowPrivileged: false, dataPlane: { kubeconfigSecretRef: { name: 'builds-cluster', key: 'kubeconfig' } } },
  });
  const clusters = new DataPlaneClusters(kube, {}, silentLogger);
  // The operator's list reaches the builds namespace's Pod Security level through the gate.
  const status = await new ProvisioningGate(clusters, { privilegedProjects: ['team-a'] }).ensure('team-a', setting);
  expect(status.namespace).toBe('team-a-pipeline');
  const remoteBuilds = await remote.resource(Core.Namespace).get(undefined, 'team-a-builds');
  expect(remoteBuilds.metadata.labels).toMatchObject({ 'pod-security.kubernetes.io/enforce': 'privileged' });
  await expect(remote.resource(Core.Secret).get('team-a-builds', 'registry-push')).resolves.toBeDefined();

  const remoteDeployments = (await remote.resource(Core.Deployment).list('team-a-pipeline')).items.map((d) => d.metadata.name).sort();
  expect(remoteDeployments).toEqual(['jenkins', 'minio', 'registry']);
  const local = (await kube.resource(Core.Namespace).list()).items.map((n) => n.metadata.name);
  expect(local).not.toContain('team-a-pipeline');
  expect(local).not.toContain('team-a-builds');

  const endpoint = await clusters.jenkins('team-a');
  const secret = (await remote.resource(Core.Secret).get('team-a-pipeline', 'jenkins-admin')) as { data?: Record<string, string> };
  expect(endpoint.password).toBe(Buffer.from(secret.data?.password ?? '', 'base64').toString('utf8'));
  expect(endpoint.url).toBe('http://jenkins.team-a-pipeline.svc:8080');
});
