import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ControlPlane, kubeconfigYaml } from '@keelson/servers';
import { Core, KubeClient, KubeObject, ResourceType } from '@keelson/kube';
import {
  DataPlaneEndpointResolver, DataPlaneInput, DataPlaneProvisioner, desiredDataPlane, httpJenkinsProbe, kubeClientFor,
} from '@keelson/data-plane';
import { aDataPlaneInput, aSetting } from '../../libs/data-plane/src/testing/data-plane.builders';
import type { DataPlaneCredentials } from '../../libs/data-plane/src/credentials';

// The data plane on a real apiserver: every object the builders describe is stored as described, a second
// ensure writes nothing, hand-deleted objects come back, generated credentials survive, RoleBindings of the
// build account exist in the project's namespaces only, and what builds use lives in `<project>-builds`. There
// is no kubelet here: a small HTTP server stands in for Jenkins' /login behind the endpoint resolver's override.
let cp: ControlPlane;
let kube: KubeClient;
let jenkins: Server;
let jenkinsStatus = 503;
let resolver: DataPlaneEndpointResolver;
let now = Date.parse('2026-03-01T00:00:00Z');
const ns = 'team-a-pipeline';
const builds = 'team-a-builds';
const input: DataPlaneInput = aDataPlaneInput({ project: 'team-a', managedNamespaces: ['team-a', 'team-a-staging'] });

const KINDS: Record<string, ResourceType> = {
  Namespace: Core.Namespace, Secret: Core.Secret, ConfigMap: Core.ConfigMap, Service: Core.Service, ServiceAccount: Core.ServiceAccount,
  PersistentVolumeClaim: Core.PersistentVolumeClaim, Deployment: Core.Deployment, Role: Core.Role, RoleBinding: Core.RoleBinding,
  ClusterRole: Core.ClusterRole, NetworkPolicy: Core.NetworkPolicy,
};
const getObject = (o: KubeObject) => kube.resource(KINDS[o.kind as string]).get(o.metadata.namespace, o.metadata.name as string);

function provisioner(): DataPlaneProvisioner {
  return new DataPlaneProvisioner({ kube, resolver, probeJenkins: httpJenkinsProbe({ timeoutMs: 2000 }), clock: { now: () => now } });
}

async function secretData(name: string, namespace = ns): Promise<Record<string, string>> {
  const s = await kube.resource(Core.Secret).get(namespace, name);
  return Object.fromEntries(Object.entries(s.data as Record<string, string>).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
}

async function storedCredentials(): Promise<DataPlaneCredentials> {
  const [admin, minio, auth, pull, tls] = await Promise.all(['jenkins-admin', 'minio-root', 'registry-auth', 'registry-pull-auth', 'registry-tls'].map((n) => secretData(n)));
  return {
    jenkinsAdmin: { username: admin.username, password: admin.password },
    minioRoot: { username: minio.username, password: minio.password },
    registryAuth: { username: auth.username, password: auth.password, htpasswd: auth.htpasswd },
    registryPull: { username: pull.username, password: pull.password, htpasswd: pull.htpasswd },
    registryTls: { caCrt: tls['ca.crt'], tlsCrt: tls['tls.crt'], tlsKey: tls['tls.key'] },
  };
}

async function resourceVersions(): Promise<Record<string, string>> {
  const objects = desiredDataPlane(input, await storedCredentials());
  const entries = await Promise.all(objects.map(async (o) => [`${o.kind}/${o.metadata.namespace}/${o.metadata.name}`, (await getObject(o)).metadata.resourceVersion as string]));
  return Object.fromEntries(entries);
}

beforeAll(async () => {
  cp = await ControlPlane.start({ crds: false });
  kube = new KubeClient({ kubeconfigPath: cp.adminKubeconfig });
  for (const name of ['team-a', 'team-a-staging', 'keelson-system', 'other']) await kube.resource(Core.Namespace).create({ metadata: { name } });
  jenkins = createServer((req, res) => {
    res.statusCode = req.url === `/${ns}/login` ? jenkinsStatus : 404;
    res.end();
  });
  await new Promise<void>((resolve) => jenkins.listen(0, '127.0.0.1', resolve));
  resolver = new DataPlaneEndpointResolver(kube, { jenkins: `http://127.0.0.1:${(jenkins.address() as AddressInfo).port}/{namespace}` });
});
afterAll(async () => {
  await new Promise<void>((resolve) => (jenkins ? jenkins.close(() => resolve()) : resolve()));
  await cp?.stop();
});

describe('DataPlaneProvisioner on a real apiserver', () => {
  it('applies every object as described and reports Provisioning while Jenkins does not answer', async () => {
    const status = await provisioner().ensure(input);
    expect(status).toEqual({ namespace: ns, ready: false, reason: 'JenkinsStarting', message: expect.any(String), missingNamespaces: [] });
    const desired = desiredDataPlane(input, await storedCredentials());
    expect(desired.length).toBeGreaterThan(20);
    for (const obj of desired) {
      const stored = await getObject(obj);
      const { apiVersion: _a, kind: _k, ...body } = obj;
      expect(stored).toMatchObject(body);
      const managers = (stored.metadata as { managedFields?: Array<{ manager: string; operation: string }> }).managedFields ?? [];
      expect(managers).toContainEqual(expect.objectContaining({ manager: 'keelson', operation: 'Apply' }));
    }
  });

  it('generated real credentials: long random passwords and an htpasswd line for the registry user', async () => {
    const creds = await storedCredentials();
    for (const p of [creds.jenkinsAdmin.password, creds.minioRoot.password, creds.registryAuth.password, creds.registryPull.password]) expect(p).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(new Set([creds.jenkinsAdmin.password, creds.minioRoot.password, creds.registryAuth.password, creds.registryPull.password]).size).toBe(4);
    expect(creds.registryAuth.htpasswd).toMatch(/^keelson:\$2[aby]\$10\$/);
    expect(creds.registryPull.htpasswd).toMatch(/^keelson-pull:\$2[aby]\$10\$/);
    expect((await secretData('registry-htpasswd')).htpasswd).toBe(`${creds.registryAuth.htpasswd}${creds.registryPull.htpasswd}`);
    const push = JSON.parse((await secretData('registry-push', builds))['.dockerconfigjson']);
    expect(push.auths['registry.team-a-pipeline.svc:5000'].password).toBe(creds.registryAuth.password);
  });

  it('labels both namespaces for Pod Security, and keeps build-facing objects out of <project>-pipeline', async () => {
    const labels = async (name: string) => (await kube.resource(Core.Namespace).get(undefined, name)).metadata.labels ?? {};
    expect(await labels(ns)).toMatchObject({ 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/enforce-version': 'latest' });
    expect(await labels(builds)).toMatchObject({ 'pod-security.kubernetes.io/enforce': 'baseline', 'pod-security.kubernetes.io/audit': 'baseline' });
    const secrets = (await kube.resource(Core.Secret).list(ns)).items.map((x) => x.metadata.name).sort();
    expect(secrets).toEqual(['jenkins-admin', 'minio-root', 'registry-auth', 'registry-htpasswd', 'registry-pull-auth', 'registry-tls']);
    expect((await kube.resource(Core.Role).list(ns)).items).toEqual([]);
    expect((await kube.resource(Core.ServiceAccount).find(ns, 'keelson-build'))).toBeUndefined();
    expect((await kube.resource(Core.ServiceAccount).get(builds, 'keelson-build')).automountServiceAccountToken).toBe(false);
  });

  it('makes <project>-builds privileged when the operator allows it, and baseline again when no longer', async () => {
    const enforce = async () => (await kube.resource(Core.Namespace).get(undefined, builds)).metadata.labels?.['pod-security.kubernetes.io/enforce'];
    await provisioner().ensure({ ...input, allowPrivileged: true });
    expect(await enforce()).toBe('privileged');
    await provisioner().ensure(input);
    expect(await enforce()).toBe('baseline');
  });

  it('changes nothing on a second ensure (same resourceVersions) and keeps the generated values', async () => {
    const before = await resourceVersions();
    const credsBefore = await storedCredentials();
    await provisioner().ensure(input);
    expect(await resourceVersions()).toEqual(before);
    expect(await storedCredentials()).toEqual(credsBefore);
  });

  it('brings back a hand-deleted Service, NetworkPolicy, ClusterRole and derived Secret, and undoes a hand edit', async () => {
    const credsBefore = await storedCredentials();
    await kube.resource(Core.Service).delete(ns, 'jenkins');
    await kube.resource(Core.NetworkPolicy).delete(ns, 'keelson-data-plane');
    await kube.resource(Core.NetworkPolicy).delete(builds, 'keelson-default-deny');
    await kube.resource(Core.ClusterRole).delete(undefined, 'keelson-deploy');
    await kube.resource(Core.Secret).delete(builds, 'registry-push');
    await kube.resource(Core.ConfigMap).patch(ns, 'jenkins-casc', { data: { 'jenkins.yaml': 'jenkins: {}\n' } }, { fieldManager: 'someone' });
    await provisioner().ensure(input);
    const svc = await kube.resource(Core.Service).get(ns, 'jenkins');
    expect((svc.spec as { ports: Array<{ port: number }> }).ports.map((p) => p.port)).toEqual([8080, 50000]);
    await expect(kube.resource(Core.NetworkPolicy).get(ns, 'keelson-data-plane')).resolves.toBeDefined();
    await expect(kube.resource(Core.NetworkPolicy).get(builds, 'keelson-default-deny')).resolves.toMatchObject({ spec: { policyTypes: ['Ingress', 'Egress'] } });
    await expect(kube.resource(Core.ClusterRole).get(undefined, 'keelson-deploy')).resolves.toBeDefined();
    const push = JSON.parse((await secretData('registry-push', builds))['.dockerconfigjson']);
    expect(push.auths['registry.team-a-pipeline.svc:5000'].password).toBe(credsBefore.registryAuth.password);
    expect((await kube.resource(Core.ConfigMap).get(ns, 'jenkins-casc')).data).toEqual({ 'jenkins.yaml': expect.stringContaining('team-a-pipeline') });
  });

  it('restores the labels of a volume claim, and keeps the claim when its size cannot shrink', async () => {
    const claims = kube.resource(Core.PersistentVolumeClaim);
    await claims.patch(ns, 'jenkins-home', { metadata: { labels: { 'keelson.dev/project': null } } });
    await provisioner().ensure(input);
    expect((await claims.get(ns, 'jenkins-home')).metadata.labels).toMatchObject({ 'keelson.dev/project': 'team-a' });
    const smaller = await provisioner().ensure({ ...input, storage: { jenkins: '1Gi' } });
    expect(smaller.namespace).toBe(ns);
    expect((await claims.get(ns, 'jenkins-home')).spec).toMatchObject({ resources: { requests: { storage: '8Gi' } } });
  });

  it('never regenerates a hand-deleted credential of another Secret, and recreates only the deleted one', async () => {
    const credsBefore = await storedCredentials();
    await kube.resource(Core.Secret).delete(ns, 'minio-root');
    await provisioner().ensure(input);
    const after = await storedCredentials();
    expect(after.minioRoot.password).not.toBe(credsBefore.minioRoot.password);
    expect({ ...after, minioRoot: credsBefore.minioRoot }).toEqual(credsBefore);
  });

  it('keeps a password an operator rotated by hand', async () => {
    await kube.resource(Core.Secret).patch(ns, 'jenkins-admin', { data: { password: Buffer.from('rotated-by-hand').toString('base64') } });
    await provisioner().ensure(input);
    expect((await secretData('jenkins-admin')).password).toBe('rotated-by-hand');
  });

  it('binds the build ServiceAccount in the managed namespaces only, and unbinds a namespace the project left', async () => {
    const buildBindings = async () => (await kube.resource(Core.RoleBinding).list()).items
      .filter((rb) => (rb.subjects as Array<{ name: string; namespace: string }> | undefined)?.some((s) => s.name === 'keelson-build' && s.namespace === builds))
      .map((rb) => rb.metadata.namespace)
      .sort();
    expect(await buildBindings()).toEqual(['team-a', 'team-a-staging']);
    const binding = await kube.resource(Core.RoleBinding).get('team-a', 'keelson-build-team-a');
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'keelson-deploy' });
    const clusterBindings = (await kube.resource(Core.ClusterRoleBinding).list()).items
      .filter((b) => JSON.stringify(b.subjects ?? []).includes('keelson-build'));
    expect(clusterBindings).toEqual([]);

    const status = await provisioner().ensure({ ...input, managedNamespaces: ['team-a', 'team-a-gone'] });
    expect(status.missingNamespaces).toEqual(['team-a-gone']);
    expect(await buildBindings()).toEqual(['team-a']);
    await provisioner().ensure(input);
    expect(await buildBindings()).toEqual(['team-a', 'team-a-staging']);
  });

  it('removes what a data plane made before the builds namespace, and prunes its old build RoleBindings', async () => {
    const managed = { 'app.kubernetes.io/managed-by': 'keelson', 'keelson.dev/project': 'team-a' };
    await kube.resource(Core.Secret).create({ metadata: { namespace: ns, name: 'registry-push', labels: managed }, stringData: { x: 'y' } });
    await kube.resource(Core.ServiceAccount).create({ metadata: { namespace: ns, name: 'keelson-build', labels: managed } });
    await kube.resource(Core.Role).create({ metadata: { namespace: ns, name: 'jenkins-agents', labels: managed }, rules: [] });
    await kube.resource(Core.RoleBinding).create({
      metadata: { namespace: ns, name: 'jenkins-agents', labels: managed },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'jenkins-agents' },
      subjects: [{ kind: 'ServiceAccount', name: 'jenkins', namespace: ns }],
    });
    // Someone else's object of the same name is not ours to delete.
    await kube.resource(Core.Secret).create({ metadata: { namespace: ns, name: 'registry-ca' }, stringData: { mine: 'yes' } });
    await kube.resource(Core.RoleBinding).create({
      metadata: { namespace: 'other', name: 'keelson-build-team-a', labels: { ...managed, 'keelson.dev/build-binding-of': ns } },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' },
      subjects: [{ kind: 'ServiceAccount', name: 'keelson-build', namespace: ns }],
    });
    await provisioner().ensure(input);
    await expect(kube.resource(Core.Secret).find(ns, 'registry-push')).resolves.toBeUndefined();
    await expect(kube.resource(Core.ServiceAccount).find(ns, 'keelson-build')).resolves.toBeUndefined();
    await expect(kube.resource(Core.Role).find(ns, 'jenkins-agents')).resolves.toBeUndefined();
    await expect(kube.resource(Core.RoleBinding).find(ns, 'jenkins-agents')).resolves.toBeUndefined();
    await expect(kube.resource(Core.RoleBinding).find('other', 'keelson-build-team-a')).resolves.toBeUndefined();
    expect(await secretData('registry-ca')).toEqual({ mine: 'yes' });
    await kube.resource(Core.Secret).delete(ns, 'registry-ca');
  });

  it('is ready once Jenkins answers through the endpoint resolver', async () => {
    jenkinsStatus = 200;
    try {
      await expect(provisioner().ensure(input)).resolves.toMatchObject({ ready: true });
    } finally {
      jenkinsStatus = 503;
    }
  });

  it('is ready once the Jenkins Deployment has an available replica', async () => {
    // No controller manager runs here: the status the Deployment controller would write is written by hand.
    await kube.resource(Core.Deployment).patchStatus(ns, 'jenkins', { replicas: 1, readyReplicas: 1, availableReplicas: 1 });
    const status = await new DataPlaneProvisioner({ kube }).ensure(input);
    expect(status).toEqual({ namespace: ns, ready: true, missingNamespaces: [] });
  });

  it('renews the registry certificate when it is due, and rolls the registry with it', async () => {
    const checksum = async () => ((await kube.resource(Core.Deployment).get(ns, 'registry')).spec as {
      template: { metadata: { annotations: Record<string, string> } };
    }).template.metadata.annotations['keelson.dev/config-checksum'];
    const before = await storedCredentials();
    const checksumBefore = await checksum();
    now += 340 * 86_400_000;
    await provisioner().ensure(input);
    const after = await storedCredentials();
    expect(after.registryTls.tlsCrt).not.toBe(before.registryTls.tlsCrt);
    expect((await secretData('registry-ca', builds))['ca.crt']).toBe(after.registryTls.caCrt);
    expect(after.registryAuth).toEqual(before.registryAuth);
    expect(await checksum()).not.toBe(checksumBefore);
  });

  it('gives two managers racing on a new project one set of credentials', async () => {
    await kube.resource(Core.Namespace).create({ metadata: { name: 'team-b' } });
    const teamB = aDataPlaneInput({ project: 'team-b', managedNamespaces: ['team-b'] });
    await Promise.all([provisioner().ensure(teamB), provisioner().ensure(teamB)]);
    const auth = await secretData('registry-auth', 'team-b-pipeline');
    const push = JSON.parse((await secretData('registry-push', 'team-b-builds'))['.dockerconfigjson']);
    expect(push.auths['registry.team-b-pipeline.svc:5000'].password).toBe(auth.password);
  });
});

describe('DataPlaneEndpointResolver on a real apiserver', () => {
  it('reads the Jenkins admin from the jenkins-admin Secret', async () => {
    const admin = await secretData('jenkins-admin');
    await expect(resolver.jenkinsCredentials(ns)).resolves.toEqual({
      url: `http://127.0.0.1:${(jenkins.address() as AddressInfo).port}/${ns}`, username: admin.username, password: admin.password,
    });
    const minio = await secretData('minio-root');
    await expect(resolver.minioCredentials(ns)).resolves.toMatchObject({ accessKey: minio.username, secretKey: minio.password });
  });

  it('says the credentials are missing (retryable) for a data plane not provisioned yet', async () => {
    await expect(resolver.jenkinsCredentials('nobody-pipeline')).rejects.toMatchObject({ code: 'CredentialsMissing', retryable: true });
  });
});

describe('kubeClientFor on a real apiserver', () => {
  it('builds a client for the cluster a kubeconfig Secret in the project namespace names', async () => {
    await kube.resource(Core.Secret).create({
      metadata: { namespace: 'team-a', name: 'data-plane-cluster' },
      data: { kubeconfig: Buffer.from(kubeconfigYaml(cp.access())).toString('base64') },
    });
    const setting = aSetting({ dataPlane: { kubeconfigSecretRef: { name: 'data-plane-cluster', key: 'kubeconfig' } } });
    const client = await kubeClientFor(kube, 'team-a', setting);
    expect(client).not.toBe(kube);
    await expect(client.resource(Core.Namespace).get(undefined, ns)).resolves.toMatchObject({ metadata: { name: ns } });
  });

  it('refuses a missing Secret or key, and a kubeconfig that would run a command', async () => {
    const ref = (name: string, key = 'kubeconfig') => aSetting({ dataPlane: { kubeconfigSecretRef: { name, key } } });
    await expect(kubeClientFor(kube, 'team-a', ref('absent'))).rejects.toMatchObject({ code: 'KubeconfigSecretMissing' });
    await expect(kubeClientFor(kube, 'team-a', ref('data-plane-cluster', 'other'))).rejects.toMatchObject({ code: 'KubeconfigSecretMissing' });
    const evil = kubeconfigYaml(cp.access()).replace(/token: .*/, 'exec: { command: sh, args: ["-c", "touch /tmp/pwned"], apiVersion: client.authentication.k8s.io/v1 }');
    await kube.resource(Core.Secret).create({ metadata: { namespace: 'team-a', name: 'evil' }, data: { kubeconfig: Buffer.from(evil).toString('base64') } });
    await expect(kubeClientFor(kube, 'team-a', ref('evil'))).rejects.toMatchObject({ code: 'InvalidKubeconfig' });
  });
});
