import { ControlPlane, TcpProxy, waitFor } from '@keelson/servers';
import { KubeClient, Keelson, Informer } from '@keelson/kube';
import type { ObjectOf } from '@keelson/kube';
type Pipeline = ObjectOf<typeof Keelson.Pipeline>;
import { metricsRegistry } from '@keelson/observability';

// Watches go straight to etcd (no watch cache), so compacting etcd makes a stale resume answer 410 Gone.
let cp: ControlPlane;
let admin: KubeClient;
const ns = 'informer-tests';

beforeAll(async () => {
  cp = await ControlPlane.start({ watchCache: false });
  admin = new KubeClient({ kubeconfigPath: cp.adminKubeconfig });
  await cp.kubectl(['create', 'namespace', ns]);
});
afterAll(() => cp?.stop());

function pipeline(name: string): Pipeline {
  return { apiVersion: 'devops.keelson.dev/v1alpha1', kind: 'Pipeline', metadata: { namespace: ns, name }, spec: { repositoryUrl: 'https://x.org/a.git' } as never };
}

/** Records what an informer reported, in order. */
function recorder(informer: Informer<Pipeline>) {
  const events: string[] = [];
  informer.addHandlers({
    onAdd: (p) => events.push(`add ${p.metadata.name}`),
    onUpdate: (_o, p) => events.push(`update ${p.metadata.name}`),
    onDelete: (p) => events.push(`delete ${p.metadata.name}`),
  });
  return events;
}

async function restarts(reason: string): Promise<number> {
  const metric = await metricsRegistry.getSingleMetric('keelson_informer_restarts_total')!.get();
  return metric.values.filter((v) => v.labels.reason === reason).reduce((sum, v) => sum + v.value, 0);
}

async function compactEtcdTo(revision: string): Promise<void> {
  const res = await fetch(`${cp.etcd.url}/v3/kv/compaction`, { method: 'POST', body: JSON.stringify({ revision, physical: true }) });
  expect(res.status).toBe(200);
}

describe('Informer on a real apiserver', () => {
  it('lists, then follows adds, updates and deletes', async () => {
    await admin.resource(Keelson.Pipeline).create(pipeline('before-start'));
    const informer = admin.informer(Keelson.Pipeline, { namespace: ns });
    const events = recorder(informer);
    informer.start();
    try {
      await informer.waitForSync();
      expect(events).toEqual(['add before-start']);
      await admin.resource(Keelson.Pipeline).create(pipeline('after-start'));
      await admin.resource(Keelson.Pipeline).patch(ns, 'after-start', { spec: { suspend: true } });
      await admin.resource(Keelson.Pipeline).delete(ns, 'after-start');
      await waitFor('the delete event', () => events.includes('delete after-start'), { timeoutMs: 10_000 });
      expect(events).toEqual(['add before-start', 'add after-start', 'update after-start', 'delete after-start']);
    } finally {
      await informer.stop();
    }
  });

  it('survives an apiserver restart and sees what happens afterwards', async () => {
    const informer = admin.informer(Keelson.Pipeline, { namespace: ns, backoffBaseMs: 100, backoffMaxMs: 1000 });
    const events = recorder(informer);
    informer.start();
    try {
      await informer.waitForSync();
      const before = await restarts('error');
      await cp.apiserver.restart();
      await admin.resource(Keelson.Pipeline).create(pipeline('after-restart'));
      await waitFor('the add after the restart', () => events.includes('add after-restart'), { timeoutMs: 30_000 });
      expect(await restarts('error')).toBeGreaterThan(before);
      expect(informer.get(`${ns}/after-restart`)).toBeDefined();
    } finally {
      await informer.stop();
    }
  });

  it('relists after a forced 410 Gone and reports the changes it missed', async () => {
    const proxy = await TcpProxy.start(Number(new URL(cp.server).port));
    const viaProxy = new KubeClient({ server: `https://127.0.0.1:${proxy.port}`, caPem: cp.certs.caPem, token: cp.admin.token });
    const pipelines = admin.resource(Keelson.Pipeline);
    await pipelines.create(pipeline('doomed'));
    const informer = viaProxy.informer(Keelson.Pipeline, { namespace: ns, backoffBaseMs: 50, backoffMaxMs: 200 });
    const events = recorder(informer);
    informer.start();
    try {
      await informer.waitForSync();
      events.length = 0;
      const goneBefore = await restarts('gone');

      // Cut the informer off, change things behind its back, and compact etcd past its last version.
      proxy.sever();
      await pipelines.delete(ns, 'doomed');
      const born = await pipelines.create(pipeline('born-in-the-gap'));
      await compactEtcdTo(born.metadata.resourceVersion!);
      proxy.restore();

      await waitFor('the relist', () => events.includes('delete doomed') && events.includes('add born-in-the-gap'), { timeoutMs: 30_000 });
      expect(await restarts('gone')).toBeGreaterThan(goneBefore);
      expect(informer.get(`${ns}/doomed`)).toBeUndefined();
      expect(informer.get(`${ns}/born-in-the-gap`)?.metadata.uid).toBe(born.metadata.uid);
    } finally {
      await informer.stop();
      await proxy.stop();
    }
  });

  it('stops at once when stopped during its first list, without opening a watch', async () => {
    // With a watch opened on an already-aborted signal, stop() waited for the server's watch timeout.
    const informer = admin.informer(Keelson.Pipeline, { namespace: ns, watchTimeoutSeconds: 1800 });
    informer.start();
    const stopped = informer.stop().then(() => 'stopped');
    const hung = new Promise((r) => setTimeout(() => r('still watching'), 30_000).unref());
    expect(await Promise.race([stopped, hung])).toBe('stopped');
  });
});
