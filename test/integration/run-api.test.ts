// The run API's answers against a real kube-apiserver, with a manager that serves only the API: Idempotency-Key on
// run and rerun (found through a label selector), executions of a pipeline whose name is too long for a label
// value, who may answer an approval, and 400/403/409 for the ways an answer can be wrong. Nothing runs a build
// here: the approval's waiting state is written as the sync loop would write it.
import { Core, Keelson, KubeClient } from '@keelson/kube';
import { silentLogger } from '@keelson/observability';
import { ControlPlane, GitRepository, RedisServer, freePort } from '@keelson/servers';
import { Manager, startManager } from '../../apps/manager/src/manager';
import { stopReason } from '../../apps/manager/src/executions/stop-reason';

const LONG_NAME = `web-${'a'.repeat(67)}`; // 71 characters: a fine object name, too long for a label value
const DEVOPS_YML = `
stages:
- name: build
  steps:
  - runScriptConfig: {image: alpine:3.20, shellScript: make}
- name: gate
  steps:
  - name: ship
    approval: {message: Ship it?, users: [admin, carol], groups: [release-managers]}
`;

let cp: ControlPlane;
let redis: RedisServer;
let repo: GitRepository;
let manager: Manager;
let admin: KubeClient;
let asManager: KubeClient;

interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, any>;
}

async function call(path: string, options: { token?: string; key?: string; body?: unknown } = {}): Promise<Answer> {
  const headers: Record<string, string> = { authorization: `Bearer ${options.token ?? cp.admin.token}`, 'content-type': 'application/json' };
  if (options.key !== undefined) headers['idempotency-key'] = options.key;
  const res = await fetch(`${manager.url}/api/v1/namespaces/demo${path}`, { method: 'POST', headers, body: JSON.stringify(options.body ?? {}) });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, any> };
}

const run = (pipeline: string, options: { token?: string; key?: string } = {}) => call(`/pipelines/${pipeline}/run`, { ...options, body: { branch: 'main' } });
const executionsOf = async (pipeline: string) => (await admin.resource(Keelson.PipelineExecution).list('demo')).items.filter((e) => e.spec.pipelineRef.name === pipeline);

async function createPipeline(name: string): Promise<void> {
  await admin.resource(Keelson.Pipeline).create({
    apiVersion: 'devops.keelson.dev/v1alpha1', kind: 'Pipeline', metadata: { name, namespace: 'demo' },
    spec: { repositoryUrl: repo.fileUrl, configPath: '.devops.yml', suspend: false },
  });
}

beforeAll(async () => {
  cp = await ControlPlane.start();
  redis = await RedisServer.start();
  repo = await GitRepository.create({ '.devops.yml': DEVOPS_YML });
  admin = new KubeClient({ kubeconfigPath: cp.adminKubeconfig });
  asManager = new KubeClient({ kubeconfigPath: cp.managerKubeconfig });
  await admin.resource(Core.Namespace).create({ metadata: { name: 'demo' } });
  for (const name of ['web', 'api', LONG_NAME]) await createPipeline(name);
  // alice (group keelson:users) may run and answer in demo: RBAC lets her, the approval's lists decide.
  await admin.resource(Core.Role).create({
    metadata: { namespace: 'demo', name: 'runner' },
    rules: [{ apiGroups: ['devops.keelson.dev'], resources: ['pipelineexecutions'], verbs: ['create', 'patch'] }],
  });
  await admin.resource(Core.RoleBinding).create({
    metadata: { namespace: 'demo', name: 'runner' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'runner' },
    subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'alice' }],
  });
  // API only: no controller picks the executions up, so what the API made is what the tests see.
  manager = await startManager({
    KUBECONFIG: cp.managerKubeconfig, HOST: '127.0.0.1', PORT: String(await freePort()), ROLES: 'api',
    REDIS_URL: redis.url, ALLOW_FILE_REPOSITORIES: 'true',
  }, silentLogger);
}, 120_000);

afterAll(async () => {
  await manager?.close();
  await repo?.remove();
  await redis?.stop();
  await cp?.stop();
});

describe('Idempotency-Key', () => {
  it('answers a retried run with the execution the first request made: 201, then 200 and Idempotent-Replayed', async () => {
    const first = await run('web', { key: 'deploy-2030-01-01' });
    const retry = await run('web', { key: 'deploy-2030-01-01' });
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(retry.status).toBe(200);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.body.metadata.name).toBe(first.body.metadata.name);
    expect((await executionsOf('web')).filter((e) => e.metadata.labels?.['keelson.dev/idempotency-key'])).toHaveLength(1);
  });

  it('makes one execution for a burst of requests with one key', async () => {
    const before = (await executionsOf('web')).length;
    const answers = await Promise.all(Array.from({ length: 8 }, () => run('web', { key: 'burst' })));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 201]);
    expect(new Set(answers.map((a) => a.body.metadata.name)).size).toBe(1);
    expect((await executionsOf('web')).length).toBe(before + 1);
  });

  it('keeps one user\'s key apart from another\'s and from another pipeline\'s', async () => {
    const byAdmin = await run('web', { key: 'shared' });
    const byAlice = await run('web', { key: 'shared', token: cp.user.token });
    const otherPipeline = await run('api', { key: 'shared' });
    expect([byAdmin.status, byAlice.status, otherPipeline.status]).toEqual([201, 201, 201]);
    expect(new Set([byAdmin.body.metadata.name, byAlice.body.metadata.name, otherPipeline.body.metadata.name]).size).toBe(3);
  });

  it('stores only a hash of user and key on the execution', async () => {
    const key = 'my-very-recognisable-key';
    const made = await run('web', { key });
    const stored = await admin.resource(Keelson.PipelineExecution).get('demo', made.body.metadata.name);
    const label = stored.metadata.labels?.['keelson.dev/idempotency-key'] ?? '';
    expect(label).toMatch(/^[0-9a-f]{1,63}$/);
    expect(JSON.stringify(stored)).not.toContain(key);
  });

  it.each<[string, string]>([
    ['too long', 'k'.repeat(256)],
    ['not printable ASCII', 'clé'],
  ])('refuses a key that is %s with 400 naming the header, and makes nothing', async (_what, key) => {
    const before = (await executionsOf('web')).length;
    const res = await run('web', { key });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'InvalidIdempotencyKey', detail: expect.stringContaining('Idempotency-Key') });
    expect((await executionsOf('web')).length).toBe(before);
  });

  it('is taken by rerun too', async () => {
    const original = await run('web');
    const first = await call(`/pipelineexecutions/${original.body.metadata.name}/rerun`, { key: 'rerun-once' });
    const retry = await call(`/pipelineexecutions/${original.body.metadata.name}/rerun`, { key: 'rerun-once' });
    expect([first.status, retry.status]).toEqual([201, 200]);
    expect(retry.body.metadata.name).toBe(first.body.metadata.name);
    expect(first.body.spec.trigger).toMatchObject({ rerunOf: original.body.metadata.name });
  });

  it('refuses with 422 a key reused for another branch, commit or a rerun, and makes nothing', async () => {
    const other = await repo.branch('release');
    const first = await call('/pipelines/web/run', { key: 'one-request', body: { branch: 'main' } });
    expect(first.status).toBe(201);
    const before = (await executionsOf('web')).length;
    const asks = [
      call('/pipelines/web/run', { key: 'one-request', body: { branch: 'release' } }),
      call('/pipelines/web/run', { key: 'one-request', body: { commit: other } }),
      call('/pipelines/web/run', { key: 'one-request', body: { branch: 'main', commit: other } }),
      call(`/pipelineexecutions/${first.body.metadata.name}/rerun`, { key: 'one-request' }),
    ];
    for (const res of await Promise.all(asks)) {
      expect(res.status).toBe(422);
      expect(res.body).toMatchObject({ code: 'IdempotencyKeyReused', detail: expect.stringContaining(first.body.metadata.name) });
    }
    expect((await executionsOf('web')).length).toBe(before);
    // The request it was made for still replays.
    const retry = await call('/pipelines/web/run', { key: 'one-request', body: { branch: 'main' } });
    expect([retry.status, retry.body.metadata.name]).toEqual([200, first.body.metadata.name]);
  });

  it('refuses with 422 a rerun key reused to rerun another execution', async () => {
    const [a, b] = [await run('web'), await run('web')];
    expect((await call(`/pipelineexecutions/${a.body.metadata.name}/rerun`, { key: 'rerun-a' })).status).toBe(201);
    const reused = await call(`/pipelineexecutions/${b.body.metadata.name}/rerun`, { key: 'rerun-a' });
    expect(reused.status).toBe(422);
    expect(reused.body.code).toBe('IdempotencyKeyReused');
  });
});

describe('a pipeline whose name is longer than a label value', () => {
  it('runs (201), labelled with a hashed value that selects its executions', async () => {
    expect(LONG_NAME).toHaveLength(71);
    const res = await run(LONG_NAME, { key: 'long-1' });
    expect(res.status).toBe(201);
    expect(res.body.metadata.name).toBe(`${LONG_NAME}-1`);
    const label = res.body.metadata.labels['keelson.dev/pipeline'];
    expect(label.length).toBeLessThanOrEqual(63);
    const selected = await admin.resource(Keelson.PipelineExecution).list('demo', { labelSelector: `keelson.dev/pipeline=${label}` });
    expect(selected.items.map((e) => e.metadata.name)).toEqual([`${LONG_NAME}-1`]);
    expect((await run(LONG_NAME, { key: 'long-1' })).status).toBe(200);
  });
});

describe('answering an approval', () => {
  let name: string;

  /** What the sync loop writes once the build waits at `gate/ship`. */
  async function waitAtGate(approval?: Record<string, string>): Promise<void> {
    await asManager.resource(Keelson.PipelineExecution).patchStatus('demo', name, {
      phase: 'Running', build: { job: name, number: 1 },
      stages: [
        { name: 'build', phase: 'Succeeded', steps: [{ name: 'step-1', phase: 'Succeeded' }] },
        { name: 'gate', phase: 'Running', steps: [{ name: 'ship', phase: 'Waiting', ...(approval ? { approval } : {}) }] },
      ],
    });
  }

  beforeAll(async () => {
    name = (await run('web')).body.metadata.name;
    await waitAtGate();
  });

  it('refuses a user who is neither listed nor in a listed group with 403 naming who may approve, and leaves the step waiting', async () => {
    const res = await call(`/pipelineexecutions/${name}/approve`, { token: cp.user.token, body: { stage: 'gate', step: 'ship' } });
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({
      code: 'NotAnApprover', user: 'alice', approvers: { users: ['admin', 'carol'], groups: ['release-managers'] },
      detail: 'user "alice" may not answer approval step "ship"; only users "admin", "carol" or members of groups "release-managers" may',
    });
    const step = (await admin.resource(Keelson.PipelineExecution).get('demo', name)).status?.stages?.[1]?.steps[0];
    expect(step).toMatchObject({ phase: 'Waiting' });
    expect(step?.approval).toBeUndefined();
  });

  it('refuses her rejection the same way', async () => {
    const res = await call(`/pipelineexecutions/${name}/reject`, { token: cp.user.token, body: { stage: 1, step: 0 } });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('NotAnApprover');
  });

  it.each<[string, unknown]>([
    ['no step', { stage: 'gate' }],
    ['a negative index', { stage: -1, step: 0 }],
    ['a list', [0, 0]],
  ])('answers 400 to a body with %s', async (_what, body) => {
    const res = await call(`/pipelineexecutions/${name}/approve`, { body });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('InvalidApprovalAnswer');
  });

  it('answers 409, naming who, when another user already settled the step', async () => {
    await waitAtGate({ decision: 'Approved', user: 'carol', time: '2030-01-01T00:00:00Z' });
    const res = await call(`/pipelineexecutions/${name}/approve`, { body: { stage: 'gate', step: 'ship' } });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: 'NoPendingApproval', detail: 'step "ship" was already approved by "carol"' });
  });
});

describe('stopping with a reason, reading a run\'s file, who am I', () => {
  const get = async (path: string, token = cp.admin.token) => {
    const res = await fetch(`${manager.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };

  it('records who stopped a run and why in its status before spec.stop, which is what the run ends with', async () => {
    const made = await run('web', { token: cp.user.token });
    const name = made.body.metadata.name as string;
    const tooLong = await call(`/pipelineexecutions/${name}/stop`, { token: cp.user.token, body: { reason: 'r'.repeat(501) } });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body).toMatchObject({ code: 'InvalidStopRequest', detail: expect.stringContaining('reason') });
    expect((await admin.resource(Keelson.PipelineExecution).get('demo', name)).spec.stop).toBe(false);
    const stopped = await call(`/pipelineexecutions/${name}/stop`, { token: cp.user.token, body: { reason: 'wrong branch' } });
    expect(stopped.status).toBe(200);
    const stored = await admin.resource(Keelson.PipelineExecution).get('demo', name);
    expect(stored.spec.stop).toBe(true);
    expect(stored.status?.conditions).toContainEqual(expect.objectContaining({ type: 'StopRequested', status: 'True', reason: 'StoppedByUser', message: 'stopped by "alice": wrong branch' }));
    expect(stopReason(stored)).toBe('stopped by "alice": wrong branch');
  });

  it('answers the run\'s pipeline file at its commit to a caller who may read the run, and 403 to one who may not', async () => {
    const made = await run('web');
    const path = `/api/v1/namespaces/demo/pipelineexecutions/${made.body.metadata.name}/config`;
    const read = await get(path);
    expect(read.status).toBe(200);
    expect(read.body).toEqual({ path: '.devops.yml', commit: repo.initialCommit, text: DEVOPS_YML, warnings: [], errors: [] });
    // alice may create and patch executions here, not get them.
    expect((await get(path, cp.user.token)).status).toBe(403);
  });

  it('tells a caller who the cluster takes them to be, and lists the runs they started with ?user=', async () => {
    expect((await get('/api/v1/whoami', cp.user.token)).body).toEqual({ username: 'alice', groups: expect.arrayContaining(['keelson:users', 'system:authenticated']) });
    const hers = await get('/api/v1/namespaces/demo/pipelineexecutions?user=alice&limit=500');
    expect(hers.body.items.length).toBeGreaterThan(0);
    expect(hers.body.items.every((e: { spec: { trigger?: { user?: string } } }) => e.spec.trigger?.user === 'alice')).toBe(true);
  });
});
