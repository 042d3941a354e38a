// The `.devops.yml` concurrency block, enforced by the whole manager (controllers, sync loop, API) against a real
// kube-apiserver and the Jenkins double. Every pipeline here ends in an approval step, so a run holds its slot until
// the test approves it: what waits, what starts and what is aborted is decided by Keelson, never by timing.
import { randomBytes } from 'node:crypto';
import { Core, Keelson, KubeClient, type ObjectOf } from '@keelson/kube';
import { silentLogger } from '@keelson/observability';
import { ControlPlane, GitRepository, RedisServer, freePort, waitFor } from '@keelson/servers';
import { Manager, startManager } from '../../apps/manager/src/manager';
import { credentialsFromSecret, JenkinsDouble, startJenkinsDouble } from '../doubles/jenkins/jenkins-double';

type Execution = ObjectOf<typeof Keelson.PipelineExecution>;

const gated = (concurrency: string) => `
concurrency: ${concurrency}
stages:
- name: build
  steps:
  - runScriptConfig: {image: alpine:3.20, shellScript: echo built}
- name: gate
  steps:
  - approval: {message: Ship it?}
`;

let cp: ControlPlane;
let redis: RedisServer;
let repo: GitRepository;
let jenkins: JenkinsDouble;
let manager: Manager;
let kube: KubeClient;

beforeAll(async () => {
  cp = await ControlPlane.start();
  redis = await RedisServer.start();
  kube = new KubeClient({ kubeconfigPath: cp.adminKubeconfig });
  repo = await GitRepository.create({
    'limited.devops.yml': gated('{limit: 1}'),
    'latest.devops.yml': gated('{limit: 1, cancelSuperseded: true}'),
  });
  await repo.branch('dev', 'main');
  for (const ns of ['keelson-system', 'demo']) await kube.resource(Core.Namespace).create({ metadata: { name: ns } });
  for (const name of ['limited', 'latest']) {
    await kube.resource(Keelson.Pipeline).create({
      apiVersion: 'devops.keelson.dev/v1alpha1', kind: 'Pipeline', metadata: { name, namespace: 'demo' },
      spec: { repositoryUrl: repo.fileUrl, configPath: `${name}.devops.yml`, suspend: false },
    });
  }
  // The project's own limit stays out of the way: only the pipelines' limits hold runs back here.
  await kube.resource(Keelson.PipelineSetting).create({
    apiVersion: 'devops.keelson.dev/v1alpha1', kind: 'PipelineSetting', metadata: { name: 'settings', namespace: 'demo' },
    spec: { maxConcurrentExecutions: 10, historyLimit: 100, logRetentionDays: 30 },
  });
  jenkins = await startJenkinsDouble({ credentials: credentialsFromSecret(kube), quietPeriodSeconds: 0 });
  manager = await startManager({
    KUBECONFIG: cp.managerKubeconfig, HOST: '127.0.0.1', PORT: String(await freePort()), REDIS_URL: redis.url,
    REDIS_PREFIX: `keelson-${randomBytes(4).toString('hex')}`, DATA_PLANE_JENKINS_URL: `${jenkins.url()}/{namespace}`,
    ALLOW_FILE_REPOSITORIES: 'true', SYNC_BASE_POLL_MS: '200', SYNC_MAX_POLL_MS: '1000', SYNC_PROGRESS_INTERVAL_MS: '0', LOG_ARCHIVING: 'false',
    // A long resync: a waiting run must start because its sibling's end woke it, not because a resync came by.
    RESYNC_SECONDS: '600',
  }, silentLogger);
}, 180_000);

afterAll(async () => {
  await manager?.close();
  await jenkins?.stop();
  await repo?.remove();
  await redis?.stop();
  await cp?.stop();
});

async function post(path: string, body: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${manager.url}/api/v1/namespaces/demo${path}`, {
    method: 'POST', headers: { authorization: `Bearer ${cp.admin.token}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

async function run(pipeline: string, branch: string): Promise<string> {
  const res = await post(`/pipelines/${pipeline}/run`, { branch });
  expect(res.status).toBe(201);
  return res.body.metadata.name;
}

async function approve(name: string): Promise<void> {
  expect((await post(`/pipelineexecutions/${name}/approve`, { stage: 'gate', step: 0 })).status).toBe(200);
}

async function waitForStatus(name: string, what: string, ok: (e: Execution) => boolean, timeoutMs = 60_000): Promise<Execution> {
  let last: Execution | undefined;
  await waitFor(`${name} ${what}`, async () => ok((last = await kube.resource(Keelson.PipelineExecution).get('demo', name))), {
    timeoutMs, intervalMs: 200, onTimeout: () => JSON.stringify(last?.status),
  });
  return last!;
}

const waitingForApproval = (name: string) => waitForStatus(name, 'to wait for its approval', (e) => e.status?.phase === 'Running' && e.status.reason === 'waiting for approval');
const buildsOf = (name: string) => jenkins.builds('demo-pipeline').filter((b) => b.params.EXECUTION_ID === name);
const admitted = (e: Execution) => e.status?.conditions?.find((c) => c.type === 'Admitted');

describe('concurrency.limit', () => {
  it('queues the runs past the limit with the reason, and starts them in run-number order as slots free', async () => {
    const first = await run('limited', 'main');
    await waitingForApproval(first);
    const second = await run('limited', 'main');
    const third = await run('limited', 'dev');

    const queued = await waitForStatus(second, 'to be queued', (e) => e.status?.phase === 'Queued');
    expect(queued.status?.reason).toBe(`waiting: 1 of 1 run of pipeline limited is running: ${first}`);
    expect(admitted(queued)).toMatchObject({ status: 'False', reason: 'PipelineConcurrencyLimit', message: queued.status?.reason });
    const third1 = await waitForStatus(third, 'to be queued', (e) => e.status?.phase === 'Queued');
    expect(third1.status?.reason).toBe(`waiting: 1 of 1 run of pipeline limited is running: ${first}; older runs go first: ${second}`);
    // Still waiting a while later, and nothing of theirs reached Jenkins.
    await new Promise((r) => setTimeout(r, 2_000));
    expect((await kube.resource(Keelson.PipelineExecution).get('demo', second)).status?.phase).toBe('Queued');
    expect([buildsOf(second), buildsOf(third)]).toEqual([[], []]);

    await approve(first);
    await waitForStatus(first, 'to succeed', (e) => e.status?.phase === 'Succeeded');
    const started = await waitingForApproval(second);
    expect(admitted(started)).toMatchObject({ status: 'True', reason: 'SlotFree' });
    expect(buildsOf(second)).toHaveLength(1);
    const stillQueued = await waitForStatus(third, 'to name the new running run', (e) => e.status?.reason === `waiting: 1 of 1 run of pipeline limited is running: ${second}`);
    expect(stillQueued.status?.phase).toBe('Queued');

    await approve(second);
    await waitingForApproval(third);
    await approve(third);
    await waitForStatus(third, 'to succeed', (e) => e.status?.phase === 'Succeeded');
  });
});

describe('concurrency.cancelSuperseded', () => {
  it('aborts older runs of the branch, a queued one at once and a started one in Jenkins, naming the newer run; other branches are untouched', async () => {
    // A run of dev holds the pipeline's only slot, so the first run of main waits in the queue.
    const dev = await run('latest', 'dev');
    await waitingForApproval(dev);
    const queuedMain = await run('latest', 'main');
    await waitForStatus(queuedMain, 'to be queued', (e) => e.status?.phase === 'Queued');

    const newerMain = await run('latest', 'main');
    const superseded = await waitForStatus(queuedMain, 'to be aborted', (e) => e.status?.phase === 'Aborted');
    expect(superseded.status?.reason).toBe(`superseded by ${newerMain}`);
    expect(superseded.status?.conditions?.find((c) => c.type === 'Superseded')).toMatchObject({ status: 'True', reason: 'NewerRun', message: `superseded by ${newerMain}` });
    expect(buildsOf(queuedMain)).toEqual([]);
    // dev is another branch: it still waits for its approval, and holds its slot.
    expect((await kube.resource(Keelson.PipelineExecution).get('demo', dev)).status).toMatchObject({ phase: 'Running', reason: 'waiting for approval' });
    await waitForStatus(newerMain, 'to be queued behind dev', (e) => e.status?.reason === `waiting: 1 of 1 run of pipeline latest is running: ${dev}`);

    await approve(dev);
    await waitForStatus(dev, 'to succeed', (e) => e.status?.phase === 'Succeeded');
    await waitingForApproval(newerMain);

    // A newer run of main stops the started one through Jenkins, then takes its slot.
    const newestMain = await run('latest', 'main');
    const aborted = await waitForStatus(newerMain, 'to be aborted', (e) => e.status?.phase === 'Aborted');
    expect(aborted.status?.reason).toBe(`superseded by ${newestMain}`);
    expect(aborted.status?.stages?.every((s) => s.phase !== 'Running' && s.phase !== 'Waiting')).toBe(true);
    await waitFor('Jenkins to abort the superseded build', async () => buildsOf(newerMain)[0]?.result === 'ABORTED', { timeoutMs: 30_000 });
    await waitingForApproval(newestMain);
    await approve(newestMain);
    await waitForStatus(newestMain, 'to succeed', (e) => e.status?.phase === 'Succeeded');
  });
});
