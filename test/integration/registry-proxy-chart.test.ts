// The chart's registry-proxy objects on a KWOK cluster (real apiserver, scheduler and controller-manager; KWOK
// runs the pods): rendered by helm exactly as installed, applied, and a proxy pod lands on every node, a node
// added later included, each binding its hostPort on the node's 127.0.0.1 only. Then the manager's half: the data
// plane publishes each project's CA into the ConfigMap the DaemonSet mounts (one key per project, the chart's
// object kept) and puts the pull Secret in the builds namespace and the project's own namespace.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { DataPlaneProvisioner, registryCaFieldManager } from '@keelson/data-plane';
import { Core, KubeClient, KubeError, type KubeObject, type Pod } from '@keelson/kube';
import { Cluster, repoRoot, serverBinary, waitFor } from '@keelson/servers';

import { aDataPlaneInput } from '../../libs/data-plane/src/testing/data-plane.builders';

const NAMESPACE = 'keelson-system';
const SELECTOR = 'app.kubernetes.io/component=registry-proxy,app.kubernetes.io/instance=keelson';
type ProxyPodSpec = {
  hostNetwork?: boolean; automountServiceAccountToken?: boolean; securityContext?: Record<string, unknown>; volumes?: unknown[];
  containers: Array<{
    ports?: unknown[]; command?: string[]; securityContext?: Record<string, unknown>; readinessProbe?: { httpGet?: Record<string, unknown> };
    env?: Array<{ name: string; value?: string }>;
  }>;
};
let cluster: Cluster;
let kube: KubeClient;
let rendered: string;

function helmTemplate(...set: string[]): string {
  return execFileSync(serverBinary('helm'), [
    'template', 'keelson', join(repoRoot(), 'charts', 'keelson'), '--namespace', NAMESPACE, '--show-only', 'templates/registry-proxy.yaml',
    // Off by default (its hostPort needs a privileged namespace); this test's namespace admits it.
    ...['registryProxy.enabled=true', ...set].flatMap((s) => ['--set', s]),
  ], { encoding: 'utf8' });
}

async function proxyPods(): Promise<Pod[]> {
  return (await kube.resource(Core.Pod).list(NAMESPACE, { labelSelector: SELECTOR })).items as Pod[];
}

async function nodeNames(): Promise<string[]> {
  return (await kube.resource(Core.Node).list()).items.map((n) => n.metadata.name as string).sort();
}

/** Waits until every node runs exactly one Running proxy pod, and returns them. */
async function onePodPerNode(): Promise<Pod[]> {
  let pods: Pod[] = [];
  await waitFor('a running registry-proxy pod on every node', async () => {
    const nodes = await nodeNames();
    pods = (await proxyPods()).filter((p) => p.status?.phase === 'Running');
    return pods.map((p) => p.spec?.nodeName).sort().join(',') === nodes.join(',');
  }, { timeoutMs: 60_000 });
  return pods;
}

beforeAll(async () => {
  cluster = await Cluster.start({ crds: false, nodes: 3 });
  kube = new KubeClient({ kubeconfigPath: cluster.adminKubeconfig });
  await kube.resource(Core.Namespace).create({ metadata: { name: NAMESPACE } });
  rendered = helmTemplate();
  await cluster.kubectl(['apply', '--server-side', '--field-manager', 'helm', '-f', '-'], rendered);
}, 180_000);

afterAll(async () => {
  await cluster?.stop();
});

describe('the registry-proxy DaemonSet on the cluster', () => {
  it('renders a ConfigMap and a DaemonSet only, with the chart\'s names and labels', () => {
    const docs = parseAllDocuments(rendered).map((d) => d.toJS() as KubeObject | null).filter((d): d is KubeObject => !!d);
    expect(docs.map((d) => `${d.kind}/${d.metadata.name}`)).toEqual(['ConfigMap/keelson-registry-cas', 'DaemonSet/keelson-registry-proxy']);
    for (const d of docs) expect(d.metadata.labels).toMatchObject({ 'app.kubernetes.io/component': 'registry-proxy', 'app.kubernetes.io/part-of': 'keelson' });
  });

  it('runs one pod per node, each binding hostPort 34362 on 127.0.0.1 only, and follows a node added later', async () => {
    const pods = await onePodPerNode();
    expect(pods).toHaveLength(3);
    for (const pod of pods) {
      const spec = pod.spec as unknown as ProxyPodSpec;
      const container = spec.containers[0];
      expect(container.ports).toEqual([{ name: 'registry', containerPort: 34362, hostIP: '127.0.0.1', hostPort: 34362, protocol: 'TCP' }]);
      expect(spec.hostNetwork).toBeUndefined();
      expect(container.command).toEqual(['/usr/bin/tini', '--', 'node', 'dist/apps/registry-proxy/src/main.js']);
      expect(container.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
      expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
      expect(spec.automountServiceAccountToken).toBe(false);
      expect(container.readinessProbe?.httpGet).toMatchObject({ path: '/healthz', port: 'registry' });
      expect(spec.volumes).toContainEqual({ name: 'registry-cas', configMap: { name: 'keelson-registry-cas', optional: true, defaultMode: 420 } });
      expect(Object.fromEntries((container.env ?? []).map((e: { name: string; value?: string }) => [e.name, e.value]))).toMatchObject({
        REGISTRY_PROXY_PORT: '34362', REGISTRY_PROXY_LISTEN_HOST: '0.0.0.0', REGISTRY_PROXY_CA_DIR: '/etc/keelson/registry-cas',
      });
    }
    await cluster.addNodes([{ name: 'kwok-node-late' }]);
    const after = await onePodPerNode();
    expect(after.map((p) => p.spec?.nodeName)).toContain('kwok-node-late');
    expect(after).toHaveLength(4);
  });

  it('is refused by a namespace enforcing the baseline Pod Security level (hostPort): the release namespace must not', async () => {
    await kube.resource(Core.Namespace).create({ metadata: { name: 'baseline-ns', labels: { 'pod-security.kubernetes.io/enforce': 'baseline' } } });
    await kube.resource(Core.ServiceAccount).create({ metadata: { namespace: 'baseline-ns', name: 'default' } }).catch(() => undefined);
    const template = (parseAllDocuments(rendered)[1].toJS() as { spec: { template: { metadata: KubeObject['metadata']; spec: Record<string, unknown> } } }).spec.template;
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { ...template.metadata, name: 'proxy-from-template', namespace: 'baseline-ns' }, spec: template.spec } as Pod;
    const refusal = await kube.resource(Core.Pod).create(pod, { dryRun: true }).then(() => undefined, (err: unknown) => err);
    expect(refusal).toBeInstanceOf(KubeError);
    expect((refusal as KubeError).message).toMatch(/hostPort/);
  });
});

describe('the manager\'s half', () => {
  it('publishes each project\'s CA into the chart\'s ConfigMap, one key and one field manager per project, and the pull Secrets', async () => {
    for (const name of ['team-a', 'team-b']) await kube.resource(Core.Namespace).create({ metadata: { name } });
    const provisioner = new DataPlaneProvisioner({ kube });
    const registryProxy = { port: 34362, caConfigMap: { namespace: NAMESPACE, name: 'keelson-registry-cas' } };
    await Promise.all(['team-a', 'team-b'].map((project) => provisioner.ensure(aDataPlaneInput({ project, registryProxy }))));

    const cm = await kube.resource(Core.ConfigMap).get(NAMESPACE, 'keelson-registry-cas');
    const data = cm.data as Record<string, string>;
    expect(Object.keys(data).sort()).toEqual(['team-a.crt', 'team-b.crt']);
    for (const project of ['team-a', 'team-b']) {
      const tls = await kube.resource(Core.Secret).get(`${project}-pipeline`, 'registry-tls');
      expect(data[`${project}.crt`]).toBe(Buffer.from((tls.data as Record<string, string>)['ca.crt'], 'base64').toString('utf8'));
    }
    const managers = ((cm.metadata as { managedFields?: Array<{ manager: string }> }).managedFields ?? []).map((f) => f.manager);
    expect(managers).toEqual(expect.arrayContaining(['helm', registryCaFieldManager('team-a'), registryCaFieldManager('team-b')]));
    // The chart's labels stay, owned by the chart's apply.
    expect(cm.metadata.labels).toMatchObject({ 'app.kubernetes.io/component': 'registry-proxy' });

    // Helm applying the chart again (an upgrade) keeps the keys it never rendered.
    await cluster.kubectl(['apply', '--server-side', '--field-manager', 'helm', '-f', '-'], rendered);
    const again = await kube.resource(Core.ConfigMap).get(NAMESPACE, 'keelson-registry-cas');
    expect(Object.keys(again.data as Record<string, string>).sort()).toEqual(['team-a.crt', 'team-b.crt']);

    // A renewed registry certificate comes with a new CA: published first, the previous one kept behind it while
    // the old registry pod may still serve the old certificate.
    const before = data['team-a.crt'];
    await kube.resource(Core.Secret).delete('team-a-pipeline', 'registry-tls');
    await provisioner.ensure(aDataPlaneInput({ project: 'team-a', registryProxy }));
    const renewedTls = await kube.resource(Core.Secret).get('team-a-pipeline', 'registry-tls');
    const renewedCa = Buffer.from((renewedTls.data as Record<string, string>)['ca.crt'], 'base64').toString('utf8');
    expect(renewedCa).not.toBe(before);
    const bundle = ((await kube.resource(Core.ConfigMap).get(NAMESPACE, 'keelson-registry-cas')).data as Record<string, string>)['team-a.crt'];
    expect(bundle).toBe(`${renewedCa.trimEnd()}\n${before.trimEnd()}\n`);
    await provisioner.ensure(aDataPlaneInput({ project: 'team-a', registryProxy }));
    expect(((await kube.resource(Core.ConfigMap).get(NAMESPACE, 'keelson-registry-cas')).data as Record<string, string>)['team-a.crt']).toBe(bundle);

    for (const namespace of ['team-a-builds', 'team-a']) {
      const pull = await kube.resource(Core.Secret).get(namespace, 'keelson-registry-pull');
      expect(pull.type).toBe('kubernetes.io/dockerconfigjson');
      const config = JSON.parse(Buffer.from((pull.data as Record<string, string>)['.dockerconfigjson'], 'base64').toString('utf8'));
      expect(Object.keys(config.auths)).toEqual(['127.0.0.1:34362']);
      expect(config.auths['127.0.0.1:34362'].username).toBe('keelson-pull');
    }
  });

  it('still provisions a data plane whose cluster has no namespace for the proxy\'s ConfigMap (a separate data-plane cluster)', async () => {
    await kube.resource(Core.Namespace).create({ metadata: { name: 'team-c' } });
    const provisioner = new DataPlaneProvisioner({ kube });
    const status = await provisioner.ensure(aDataPlaneInput({ project: 'team-c', registryProxy: { port: 34362, caConfigMap: { namespace: 'absent-ns', name: 'keelson-registry-cas' } } }));
    expect(status.namespace).toBe('team-c-pipeline');
    await expect(kube.resource(Core.Secret).get('team-c-builds', 'keelson-registry-pull')).resolves.toBeDefined();
  });

  it('removes the pull Secret from a namespace the project no longer owns, but not one someone else put there since', async () => {
    for (const name of ['team-d', 'team-d-staging', 'team-d-qa']) await kube.resource(Core.Namespace).create({ metadata: { name } });
    const provisioner = new DataPlaneProvisioner({ kube });
    const registryProxy = { port: 34362 };
    await provisioner.ensure(aDataPlaneInput({ project: 'team-d', managedNamespaces: ['team-d', 'team-d-staging', 'team-d-qa'], registryProxy }));
    await expect(kube.resource(Core.Secret).get('team-d-staging', 'keelson-registry-pull')).resolves.toBeDefined();
    // Someone replaces the one in team-d-qa with a Secret of their own under the same name.
    await kube.resource(Core.Secret).delete('team-d-qa', 'keelson-registry-pull');
    await kube.resource(Core.Secret).create({ metadata: { namespace: 'team-d-qa', name: 'keelson-registry-pull' }, stringData: { mine: 'yes' } });
    await provisioner.ensure(aDataPlaneInput({ project: 'team-d', managedNamespaces: ['team-d'], registryProxy }));
    await expect(kube.resource(Core.Secret).find('team-d-staging', 'keelson-registry-pull')).resolves.toBeUndefined();
    await expect(kube.resource(Core.Secret).get('team-d', 'keelson-registry-pull')).resolves.toBeDefined();
    expect((await kube.resource(Core.Secret).get('team-d-qa', 'keelson-registry-pull')).data).toEqual({ mine: Buffer.from('yes').toString('base64') });
  });
});
