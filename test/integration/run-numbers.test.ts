// Run numbers are allocated atomically: 50 simultaneous run requests, spread over two manager replicas, get 50
// different numbers and make 50 executions (optimistic updates of Pipeline.status.nextRun, retried on 409).
import { Core, Keelson, KubeClient } from '@keelson/kube';
import { silentLogger } from '@keelson/observability';
import { ControlPlane, GitRepository, RedisServer, freePort } from '@keelson/servers';
import { Manager, startManager } from '../../apps/manager/src/manager';

let cp: ControlPlane;
let redis: RedisServer;
let repo: GitRepository;
const managers: Manager[] = [];
let kube: KubeClient;

beforeAll(async () => {
  cp = await ControlPlane.start();
  redis = await RedisServer.start();
  repo = await GitRepository.create({ '.devops.yml': 'stages:\n- name: a\n  steps:\n  - runScriptConfig: {image: alpine:3.20, shellScript: echo hi}\n' });
  kube = new KubeClient({ kubeconfigPath: cp.adminKubeconfig });
  await kube.resource(Core.Namespace).create({ metadata: { name: 'demo' } });
  await kube.resource(Keelson.Pipeline).create({
    apiVersion: 'devops.keelson.dev/v1alpha1', kind: 'Pipeline', metadata: { name: 'web', namespace: 'demo' },
    spec: { repositoryUrl: repo.fileUrl, configPath: '.devops.yml', suspend: false },
  });
  for (let i = 0; i < 2; i++) {
    // API only: no controller admits or runs anything, so only creation is measured.
    managers.push(await startManager({
      KUBECONFIG: cp.managerKubeconfig, HOST: '127.0.0.1', PORT: String(await freePort()), ROLES: 'api',
      REDIS_URL: redis.url, ALLOW_FILE_REPOSITORIES: 'true',
    }, silentLogger));
  }
}, 120_000);
afterAll(async () => {
  for (const m of managers) await m.close();
  await repo?.remove();
  await redis?.stop();
  await cp?.stop();
});

it('gives 50 simultaneous runs over two replicas 50 different run numbers', async () => {
  const answers = await Promise.all(Array.from({ length: 50 }, async (_, i) => {
    const res = await fetch(`${managers[i % 2].url}/api/v1/namespaces/demo/pipelines/web/run`, {
      method: 'POST', headers: { authorization: `Bearer ${cp.admin.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ branch: 'main' }),
    });
    return { status: res.status, body: (await res.json()) as { metadata: { name: string }; spec: { run: number } } };
  }));
  expect(answers.map((a) => a.status)).toEqual(Array(50).fill(201));
  const runs = answers.map((a) => a.body.spec.run).sort((a, b) => a - b);
  expect(runs).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
  const executions = (await kube.resource(Keelson.PipelineExecution).list('demo')).items;
  expect(executions.map((e) => e.metadata.name).sort()).toEqual(runs.map((r) => `web-${r}`).sort());
  expect((await kube.resource(Keelson.Pipeline).get('demo', 'web')).status?.nextRun).toBe(51);
});
