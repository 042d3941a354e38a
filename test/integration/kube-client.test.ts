import { ControlPlane } from '@keelson/servers';
import { Core, Keelson, KubeClient, KubeError, retryOnConflict, isNotFound } from '@keelson/kube';

let cp: ControlPlane;
let kube: KubeClient;
const ns = 'kube-client-tests';

beforeAll(async () => {
  cp = await ControlPlane.start();
  kube = new KubeClient({ kubeconfigPath: cp.adminKubeconfig });
  await kube.resource(Core.Namespace).create({ metadata: { name: ns } });
});
afterAll(() => cp?.stop());

describe('KubeClient on a real apiserver', () => {
  it('server-side applies an object, and a second identical apply changes nothing', async () => {
    const configMaps = kube.resource(Core.ConfigMap);
    const desired = { metadata: { namespace: ns, name: 'jenkins-casc', labels: { app: 'jenkins' } }, data: { 'jenkins.yaml': 'x: 1\n' } };
    const first = await configMaps.apply(desired, { fieldManager: 'keelson' });
    const second = await configMaps.apply(desired, { fieldManager: 'keelson' });
    expect(second.metadata.resourceVersion).toBe(first.metadata.resourceVersion);
    const managers = (second.metadata as { managedFields?: Array<{ manager: string; operation: string }> }).managedFields ?? [];
    expect(managers).toEqual([expect.objectContaining({ manager: 'keelson', operation: 'Apply' })]);
  });

  it('restores a hand-edited field on the next apply and leaves fields of other managers alone', async () => {
    const configMaps = kube.resource(Core.ConfigMap);
    await configMaps.patch(ns, 'jenkins-casc', { data: { 'jenkins.yaml': 'edited by hand\n', 'extra': 'theirs' } }, { fieldManager: 'someone' });
    const reapplied = await configMaps.apply(
      { metadata: { namespace: ns, name: 'jenkins-casc', labels: { app: 'jenkins' } }, data: { 'jenkins.yaml': 'x: 1\n' } },
      { fieldManager: 'keelson' },
    );
    expect(reapplied.data).toEqual({ 'jenkins.yaml': 'x: 1\n', extra: 'theirs' });
  });

  it('dry-runs a create without storing anything', async () => {
    await kube.resource(Core.ConfigMap).create({ metadata: { namespace: ns, name: 'dry' }, data: {} }, { dryRun: true });
    const lookup = await kube.resource(Core.ConfigMap).get(ns, 'dry').then(() => 'found', (err) => (isNotFound(err) ? 'not found' : err));
    expect(lookup).toBe('not found');
  });

  it('retries optimistic status updates on 409 so that 20 concurrent increments all land', async () => {
    const pipelines = kube.resource(Keelson.Pipeline);
    await pipelines.create({ metadata: { namespace: ns, name: 'counter' }, spec: { repositoryUrl: 'https://x.org/a.git' } } as never);
    let conflicts = 0;
    const allocate = () => retryOnConflict(async () => {
      const current = await pipelines.get(ns, 'counter');
      const next = current.status?.nextRun ?? 1;
      try {
        await pipelines.patchStatus(ns, 'counter', { nextRun: next + 1 }, current.metadata.resourceVersion);
      } catch (err) {
        if (err instanceof KubeError && err.status === 409) conflicts++;
        throw err;
      }
      return next;
    }, { attempts: 50 });
    const numbers = await Promise.all(Array.from({ length: 20 }, allocate));
    expect(new Set(numbers).size).toBe(20);
    expect(numbers.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect((await pipelines.get(ns, 'counter')).status?.nextRun).toBe(21);
    expect(conflicts).toBeGreaterThan(0);
  });

  it('reads raw paths: JSON parsed, other text as it is', async () => {
    expect(await kube.raw<{ major: string }>('/version')).toMatchObject({ major: '1' });
    const metrics = await kube.raw<string>('/metrics');
    expect(typeof metrics).toBe('string');
    expect(metrics).toMatch(/^apiserver_request_total\{/m);
    expect(await kube.raw<string>('/readyz')).toBe('ok');
  });
});
