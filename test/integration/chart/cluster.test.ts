// The chart on the harness's cluster (kube-apiserver, kube-controller-manager, scheduler, KWOK nodes): every
// rendering accepted by the apiserver, then a real install, upgrade and uninstall. KWOK simulates the pods, so
// the rollouts are real Deployments and ReplicaSets whose pods become Ready without running the image. The
// namespace enforces restricted Pod Security, so a pod the chart gets wrong is never created.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { Cluster } from '@keelson/servers';
import { SPLIT_VALUES, helm, helmOk, installValuesArgs, renderText, type RenderOptions } from './helm';

const NS = 'keelson-system';
const RELEASE = 'keelson';
const REDIS_URL = 'redis://redis.example.internal:6379';

/** A stand-in for the Prometheus Operator's CRD, so the apiserver knows the kind the ServiceMonitor uses. */
const SERVICE_MONITOR_CRD = {
  apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition',
  metadata: { name: 'servicemonitors.monitoring.coreos.com' },
  spec: {
    group: 'monitoring.coreos.com', scope: 'Namespaced',
    names: { kind: 'ServiceMonitor', listKind: 'ServiceMonitorList', plural: 'servicemonitors', singular: 'servicemonitor' },
    versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
  },
};

let cluster: Cluster;
let valuesDir: string;

async function json(args: string[]): Promise<any> {
  return JSON.parse(await cluster.kubectl([...args, '-o', 'json']));
}

async function names(kind: string, selector = `app.kubernetes.io/instance=${RELEASE}`): Promise<string[]> {
  return (await json(['get', kind, '-n', NS, '-l', selector])).items.map((i: { metadata: { name: string } }) => i.metadata.name).sort();
}

async function helmRelease(verb: 'install' | 'upgrade', opts: RenderOptions): Promise<string> {
  return helmOk([verb, RELEASE, join(__dirname, '..', '..', '..', 'charts', 'keelson'), '--namespace', NS,
    ...(verb === 'install' ? ['--create-namespace'] : []), '--wait', '--timeout', '150s', ...installValuesArgs(opts, valuesDir)],
  { kubeconfig: cluster.adminKubeconfig });
}

/** Each manager Deployment's replicas as the controllers report them once rolled out. */
async function rolledOut(): Promise<Record<string, { replicas: number; ready: number; updated: number; observed: boolean }>> {
  const list = await json(['get', 'deployments', '-n', NS, '-l', 'app.kubernetes.io/component=manager']);
  return Object.fromEntries(list.items.map((d: any) => [d.metadata.name, {
    replicas: d.spec.replicas, ready: d.status.readyReplicas ?? 0, updated: d.status.updatedReplicas ?? 0,
    observed: d.status.observedGeneration === d.metadata.generation,
  }]));
}

const ready = (replicas: number) => ({ replicas, ready: replicas, updated: replicas, observed: true });

beforeAll(async () => {
  valuesDir = mkdtempSync(join(tmpdir(), 'keelson-chart-values-'));
  cluster = await Cluster.start({ crds: false, nodes: 2 });
  await cluster.kubectl(['apply', '-f', '-'], JSON.stringify(SERVICE_MONITOR_CRD));
  await cluster.kubectl(['wait', '--for', 'condition=Established', '--timeout', '60s', 'crd/servicemonitors.monitoring.coreos.com']);
  // The apiserver enforces restricted Pod Security on the chart's pods, and warns of a Deployment that breaks it.
  await cluster.kubectl(['create', 'namespace', NS]);
  await cluster.kubectl(['label', 'namespace', NS, 'pod-security.kubernetes.io/enforce=restricted', 'pod-security.kubernetes.io/warn=restricted']);
}, 180_000);

afterAll(async () => {
  await cluster?.stop();
  rmSync(valuesDir, { recursive: true, force: true });
});

describe('helm template | kubectl apply --dry-run=server', () => {
  it.each([
    ['default values', { values: { redis: { url: REDIS_URL } } }],
    ['ci/split-values.yaml', { valuesFiles: [SPLIT_VALUES] }],
  ] as Array<[string, RenderOptions]>)('is accepted by the apiserver with %s, CRDs in the same apply', async (_, opts) => {
    const text = await renderText(opts);
    const kinds = parseAllDocuments(text).map((d) => d.toJSON()).filter(Boolean).map((o: { kind: string }) => o.kind);
    // A warning (deprecated API, Pod Security) fails the apply.
    const out = await cluster.kubectl(['apply', '--dry-run=server', '--warnings-as-errors', '-f', '-'], text);
    const lines = out.trim().split('\n');
    expect(lines).toHaveLength(kinds.length);
    for (const line of lines) expect(line).toMatch(/ (created|configured|unchanged) \(server dry run\)$/);
    // Nothing was created.
    expect(await names('deployments')).toEqual([]);
  });
});

describe('helm install, upgrade, uninstall', () => {
  it('warns in its notes that the manager will not become ready while no Redis is configured', async () => {
    const out = await helmOk(['install', 'no-redis', join(__dirname, '..', '..', '..', 'charts', 'keelson'), '--namespace', NS, '--dry-run=client'],
      { kubeconfig: cluster.adminKubeconfig });
    expect(out).toContain('WARNING: no Redis is configured');
    expect(out).toContain('--set redis.url=redis://<host>:6379');
  });

  it('installs the default release and rolls the manager out', async () => {
    const out = await helmRelease('install', { values: { redis: { url: REDIS_URL } } });
    expect(out).toContain(`kubectl -n ${NS} rollout status deployment -l app.kubernetes.io/instance=${RELEASE},app.kubernetes.io/component=manager`);
    expect(out).toContain(`port-forward service/keelson 8080`);
    expect(out).not.toContain('WARNING');
    expect(await rolledOut()).toEqual({ 'keelson-manager': ready(1) });
    const crds = await json(['get', 'crds', '-l', 'app.kubernetes.io/part-of=keelson']);
    expect(crds.items.map((c: any) => c.metadata.name).sort()).toEqual([
      'pipelineexecutions.devops.keelson.dev', 'pipelines.devops.keelson.dev', 'pipelinesettings.devops.keelson.dev',
      'sourcecodecredentials.devops.keelson.dev', 'sourcecodeproviders.devops.keelson.dev', 'sourcecoderepositories.devops.keelson.dev',
    ]);
    for (const crd of crds.items) expect(crd.metadata.annotations['helm.sh/resource-policy']).toBe('keep');
    const policy = await json(['get', 'validatingadmissionpolicy', 'keelson-pipelineexecutions']);
    expect(policy.spec.matchConditions[0].expression).toBe("request.userInfo.username != 'system:serviceaccount:keelson-system:keelson-manager'");
    expect(await names('serviceaccounts')).toEqual(['keelson-manager']);
    expect(await names('services')).toEqual(['keelson', 'keelson-metrics']);
    expect(await names('configmaps')).toEqual(['keelson', 'keelson-runtime']);
    const pods = await json(['get', 'pods', '-n', NS, '-l', 'app.kubernetes.io/component=manager']);
    expect(pods.items.map((p: any) => [p.spec.serviceAccountName, p.status.phase, p.spec.nodeName.startsWith('kwok-node-')]))
      .toEqual([['keelson-manager', 'Running', true]]);
    // The CRDs serve: a Pipeline is accepted.
    await cluster.kubectl(['apply', '-n', NS, '-f', '-'], JSON.stringify({
      apiVersion: 'devops.keelson.dev/v1alpha1', kind: 'Pipeline', metadata: { name: 'kept' }, spec: { repositoryUrl: 'https://git.example.com/a/b.git' },
    }));
  }, 200_000);

  it('upgrades from combined to split roles, each Deployment with its replicas, and removes the combined one', async () => {
    const first = await json(['get', 'deployment', 'keelson-manager', '-n', NS]);
    expect(first.spec.template.metadata.annotations['checksum/config']).toMatch(/^[0-9a-f]{64}$/);
    await helmRelease('upgrade', { values: {
      redis: { url: REDIS_URL },
      manager: { roles: { mode: 'split', api: { replicas: 1 }, webhooks: { replicas: 1 }, controllers: { replicas: 2 }, workers: { replicas: 3 } } },
    } });
    expect(await rolledOut()).toEqual({
      'keelson-manager-api': ready(1), 'keelson-manager-webhooks': ready(1), 'keelson-manager-controllers': ready(2), 'keelson-manager-workers': ready(3),
    });
    const pods = await json(['get', 'pods', '-n', NS, '-l', 'app.kubernetes.io/component=manager']);
    const roles = pods.items.filter((p: any) => !p.metadata.deletionTimestamp).map((p: any) => p.spec.containers[0].env.find((e: any) => e.name === 'ROLES').value);
    expect(roles.sort()).toEqual(['api', 'controllers', 'controllers', 'webhooks', 'workers', 'workers', 'workers']);
    expect(await names('poddisruptionbudgets')).toEqual(['keelson-manager-controllers', 'keelson-manager-workers']);
    expect(await names('services')).toEqual(['keelson', 'keelson-metrics', 'keelson-webhooks']);
  }, 200_000);

  it('rolls every Deployment out again when a setting changes, and scales one when its replicas change', async () => {
    const before = await json(['get', 'deployment', 'keelson-manager-workers', '-n', NS]);
    await helmRelease('upgrade', { values: {
      redis: { url: REDIS_URL },
      manager: { config: { LOG_LEVEL: 'debug' }, roles: { mode: 'split', api: { replicas: 1 }, webhooks: { replicas: 1 }, controllers: { replicas: 2 }, workers: { replicas: 1 } } },
    } });
    const after = await json(['get', 'deployment', 'keelson-manager-workers', '-n', NS]);
    expect(after.spec.template.metadata.annotations['checksum/config']).not.toBe(before.spec.template.metadata.annotations['checksum/config']);
    expect(after.metadata.generation).toBeGreaterThan(before.metadata.generation);
    expect(await rolledOut()).toEqual({
      'keelson-manager-api': ready(1), 'keelson-manager-webhooks': ready(1), 'keelson-manager-controllers': ready(2), 'keelson-manager-workers': ready(1),
    });
    // The workers' old ReplicaSet is scaled to zero: the pods run the new template.
    const replicaSets = await json(['get', 'replicasets', '-n', NS, '-l', 'keelson.dev/role=workers']);
    expect(replicaSets.items.map((r: any) => r.spec.replicas).sort()).toEqual([0, 1]);
    expect((await json(['get', 'configmap', 'keelson', '-n', NS])).data.LOG_LEVEL).toBe('debug');
  }, 200_000);

  it('uninstalls everything but the CRDs, the admission policy and the custom resources', async () => {
    const result = await helm(['uninstall', RELEASE, '--namespace', NS, '--wait', '--timeout', '120s'], { kubeconfig: cluster.adminKubeconfig });
    expect(result).toMatchObject({ code: 0 });
    expect(result.stdout).toContain('These resources were kept due to the resource policy');
    for (const kind of ['deployments', 'services', 'configmaps', 'secrets', 'serviceaccounts', 'poddisruptionbudgets', 'networkpolicies']) {
      expect({ kind, left: await names(kind) }).toEqual({ kind, left: [] });
    }
    const crds = await json(['get', 'crds', '-l', 'app.kubernetes.io/part-of=keelson']);
    expect(crds.items).toHaveLength(6);
    await cluster.kubectl(['get', 'validatingadmissionpolicy', 'keelson-pipelineexecutions']);
    await cluster.kubectl(['get', 'validatingadmissionpolicybinding', 'keelson-pipelineexecutions']);
    expect((await json(['get', 'pipeline', 'kept', '-n', NS])).spec.repositoryUrl).toBe('https://git.example.com/a/b.git');
  }, 200_000);
});
