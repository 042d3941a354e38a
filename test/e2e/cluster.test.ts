import { Cluster, POD_EXIT_CODE_ANNOTATION, POD_FINISH_ANNOTATION, waitFor } from '@keelson/servers';
import { Core, KubeClient, Pod } from '@keelson/kube';

let cluster: Cluster;
let kube: KubeClient;
const ns = 'default';

beforeAll(async () => {
  cluster = await Cluster.start({
    nodes: [
      { name: 'node-a', labels: { zone: 'a' } },
      { name: 'node-b', labels: { zone: 'b' } },
      { name: 'node-c', labels: { zone: 'c' } },
    ],
  });
  kube = new KubeClient({ kubeconfigPath: cluster.adminKubeconfig });
  await waitFor('the default ServiceAccount', async () => {
    try {
      await kube.resource(Core.ServiceAccount).get(ns, 'default');
      return true;
    } catch {
      return false;
    }
  }, { timeoutMs: 30_000 });
});
afterAll(() => cluster?.stop());

function pod(name: string, extra: Record<string, unknown> = {}): Pod {
  return {
    metadata: { namespace: ns, name },
    spec: { containers: [{ name: 'main', image: 'busybox:1.36', resources: { requests: { cpu: '100m' } } }], restartPolicy: 'Never', ...extra },
  };
}

async function phaseOf(name: string): Promise<string | undefined> {
  return (await kube.resource(Core.Pod).get(ns, name)).status?.phase;
}

describe('a cluster of KWOK nodes with the real scheduler and controller-manager', () => {
  it('has the labelled nodes Ready', async () => {
    const nodes = await kube.resource(Core.Node).list();
    const ready = nodes.items.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
    expect(ready.map((n) => `${n.metadata.name}:${n.metadata.labels?.zone}`).sort()).toEqual(['node-a:a', 'node-b:b', 'node-c:c']);
  });

  it('schedules a pod by preferred node affinity and runs it', async () => {
    await kube.resource(Core.Pod).create(pod('prefers-b', {
      affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [
        { weight: 100, preference: { matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['node-b'] }] } },
      ] } },
    }));
    await waitFor('the pod to run', async () => (await phaseOf('prefers-b')) === 'Running', { timeoutMs: 30_000 });
    expect((await kube.resource(Core.Pod).get(ns, 'prefers-b')).spec.nodeName).toBe('node-b');
  });

  it('finishes a bare pod as Failed with the exit code its annotation names', async () => {
    await kube.resource(Core.Pod).create(pod('fails'));
    await waitFor('the pod to run', async () => (await phaseOf('fails')) === 'Running', { timeoutMs: 30_000 });
    await kube.resource(Core.Pod).patch(ns, 'fails', { metadata: { annotations: { [POD_FINISH_ANNOTATION]: 'Failed', [POD_EXIT_CODE_ANNOTATION]: '3' } } });
    await waitFor('the pod to fail', async () => (await phaseOf('fails')) === 'Failed', { timeoutMs: 30_000 });
    const status = (await kube.resource(Core.Pod).get(ns, 'fails')).status as { containerStatuses: Array<{ state: { terminated: { exitCode: number } } }> };
    expect(status.containerStatuses[0].state.terminated.exitCode).toBe(3);
  });

  it('finishes a bare pod as Succeeded when annotated so', async () => {
    await kube.resource(Core.Pod).create(pod('succeeds'));
    await waitFor('the pod to run', async () => (await phaseOf('succeeds')) === 'Running', { timeoutMs: 30_000 });
    await kube.resource(Core.Pod).patch(ns, 'succeeds', { metadata: { annotations: { [POD_FINISH_ANNOTATION]: 'Succeeded' } } });
    await waitFor('the pod to succeed', async () => (await phaseOf('succeeds')) === 'Succeeded', { timeoutMs: 30_000 });
  });

  it('runs a Deployment through the controller-manager', async () => {
    await cluster.kubectl(['create', 'deployment', 'web', '--image', 'nginx:1.27', '--replicas', '2', '-n', ns]);
    await waitFor('two running pods', async () => {
      const pods = await kube.resource(Core.Pod).list(ns, { labelSelector: 'app=web' });
      return pods.items.filter((p) => p.status?.phase === 'Running').length === 2;
    }, { timeoutMs: 60_000 });
  });
});
