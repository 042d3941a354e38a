// The image-push trigger against a real registry (CNCF Distribution 3.x) whose notifications go to a real
// manager, over a real kube-apiserver and Redis (no controllers, so what the intake made is what the tests
// see): blobs and a tagged manifest pushed over the registry's HTTP API make exactly one execution; the same
// push again, the same manifest under another tag, and a redelivered event id make none; a tag outside the
// filter and an index's children pushed by digest start nothing; a wrong or missing token is refused with
// nothing made. The data plane's own rendering of the notification config is fed to a second registry. With
// Redis away, a push that runs still answers 201 and one that only has records 503.
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { registryNotificationEndpoints, REGISTRY_NOTIFICATIONS_ENV } from '@keelson/data-plane';
import { Core, Keelson, KubeClient } from '@keelson/kube';
import { createLogger } from '@keelson/observability';
import { ControlPlane, RedisServer, RegistryServer, freePort, pushImage, pushIndex, waitFor } from '@keelson/servers';
import { Manager, startManager } from '../../apps/manager/src/manager';
import { imageExecutionName } from '../../apps/manager/src/hooks/registry-execution';
import { RegistryHookTokens } from '../../apps/manager/src/hooks/registry-hook-tokens';

const REPO = 'https://github.com/acme/widget.git';
const V2 = 'application/vnd.docker.distribution.events.v2+json';

let cp: ControlPlane;
let redis: RedisServer;
let manager: Manager;
let registry: RegistryServer;
let admin: KubeClient;
let token: string;
const logLines: string[] = [];

const executionsOf = async (pipeline: string) => (await admin.resource(Keelson.PipelineExecution).list('demo')).items.filter((e) => e.spec.pipelineRef.name === pipeline);
const deliveriesOf = async (pipeline: string): Promise<Array<Record<string, any>>> =>
  ((await (await fetch(`${manager.url}/api/v1/namespaces/demo/pipelines/${pipeline}/deliveries`)).json()) as { items: Array<Record<string, any>> }).items;
/** Notifications the intake answered, from its log: one line per envelope. */
const notifications = () => logLines.filter((l) => l.includes('"registry notification"')).map((l) => JSON.parse(l) as Record<string, any>);

async function createPipeline(name: string, imagePush: Record<string, unknown> | undefined, namespace = 'demo'): Promise<void> {
  await admin.resource(Keelson.Pipeline).create({
    apiVersion: 'devops.keelson.dev/v1alpha1', kind: 'Pipeline', metadata: { name, namespace },
    spec: { repositoryUrl: REPO, configPath: '.devops.yml', suspend: false, ...(imagePush && { triggers: { imagePush } }) },
  } as never);
}

async function post(namespace: string, envelope: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: Record<string, any> }> {
  const res = await fetch(`${manager.url}/hooks/registry/${namespace}`, {
    method: 'POST', body: JSON.stringify(envelope), headers: { 'content-type': V2, authorization: `Bearer ${token}`, ...headers },
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

const manifestEvent = (id: string, repository: string, tag: string, digest: string) => ({
  events: [{ id, timestamp: new Date().toISOString(), action: 'push', target: { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest, repository, tag, size: 400 } }],
});

beforeAll(async () => {
  cp = await ControlPlane.start();
  redis = await RedisServer.start();
  admin = new KubeClient({ kubeconfigPath: cp.adminKubeconfig });
  await admin.resource(Core.Namespace).create({ metadata: { name: 'demo' } });
  // The manager keeps its signing key in a Secret of its own namespace (POD_NAMESPACE, default keelson-system).
  await admin.resource(Core.Namespace).create({ metadata: { name: 'keelson-system' } });
  await admin.resource(Core.Namespace).create({ metadata: { name: 'tokenless' } });
  await createPipeline('img', { enabled: true, repository: 'team/app', filter: { include: ['v*'] } });
  await createPipeline('img-release', { enabled: true, repository: 'team/app', branch: 'release', filter: { include: ['release-*'] } });
  await createPipeline('off', { enabled: false, repository: 'team/app' });
  await createPipeline('plain', undefined);
  await createPipeline('stranger', { enabled: true, repository: 'team/app' }, 'tokenless');
  token = await new RegistryHookTokens(admin).ensure('demo');
  const sink = new Writable({ write(chunk, _enc, done) { logLines.push(...chunk.toString().split('\n').filter(Boolean)); done(); } });
  manager = await startManager({
    KUBECONFIG: cp.managerKubeconfig, HOST: '127.0.0.1', PORT: String(await freePort()), ROLES: 'api,webhooks', API_AUTH: 'disabled',
    REDIS_URL: redis.url, REDIS_PREFIX: `reg-${process.pid}`, LOG_LEVEL: 'debug',
  }, createLogger({ level: 'debug', destination: sink }));
  registry = await RegistryServer.start({ notificationUrl: `${manager.url}/hooks/registry/demo`, notificationHeaders: { Authorization: [`Bearer ${token}`] } });
}, 120_000);

afterAll(async () => {
  await registry?.stop();
  await manager?.close();
  await redis?.stop();
  await cp?.stop();
  // Nothing logged holds the token.
  expect(logLines.join('\n')).not.toContain(token);
});

describe('an image pushed to the registry', () => {
  it('makes exactly one execution from its blobs and tagged manifest, at the tip of the trigger\'s branch', async () => {
    const pushed = await pushImage(registry.url, 'team/app', 'v1', Buffer.from('layer one'));
    await waitFor('the execution of team/app:v1', async () => (await executionsOf('img')).length > 0, { timeoutMs: 20_000 });
    // Two blobs and one manifest: three notifications, the blobs answered and ignored.
    await waitFor('three notifications', () => notifications().length >= 3, { timeoutMs: 20_000 });
    expect(notifications().filter((n) => n.outcome === 'ignored')).toHaveLength(2);
    const [exe] = await executionsOf('img');
    const pipeline = await admin.resource(Keelson.Pipeline).get('demo', 'img');
    expect(exe.metadata.name).toBe(imageExecutionName(pipeline, { repository: 'team/app', digest: pushed.digest }));
    expect(exe.spec).toMatchObject({
      repositoryUrl: REPO, ref: 'refs/heads/main', branch: 'main', fork: false,
      trigger: { event: 'image' }, title: 'image team/app:v1 pushed', message: `team/app:v1@${pushed.digest}`,
    });
    expect(exe.spec.commit).toBeUndefined();
    expect(exe.spec.trigger?.deliveryId).toMatch(/^[0-9a-f-]{36}$/);
    expect(exe.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'Pipeline', name: 'img' });
    // Neither the pipeline whose trigger is off, nor the one filtering other tags, nor one without the trigger ran.
    for (const other of ['img-release', 'off', 'plain']) expect(await executionsOf(other)).toHaveLength(0);
    const [delivery] = await deliveriesOf('img');
    expect(delivery).toMatchObject({ id: exe.spec.trigger?.deliveryId, provider: 'registry', event: 'image', outcome: 'created', status: 201, executions: [exe.metadata.name] });
    const [filtered] = await deliveriesOf('img-release');
    expect(filtered).toMatchObject({ outcome: 'ignored', reason: 'team/app:v1: tag "v1" matches no spec.triggers.imagePush.filter.include glob' });
  });

  it('makes none when the same image is pushed again, or the same manifest under another tag', async () => {
    const before = await executionsOf('img');
    await pushImage(registry.url, 'team/app', 'v1', Buffer.from('layer one'));
    await pushImage(registry.url, 'team/app', 'v1-again', Buffer.from('layer one'));
    await waitFor('two more records', async () => (await deliveriesOf('img')).filter((d) => d.outcome === 'duplicate').length >= 2, { timeoutMs: 20_000 });
    const duplicates = (await deliveriesOf('img')).filter((d) => d.outcome === 'duplicate');
    expect(duplicates.map((d) => d.executions)).toEqual([[before[0].metadata.name], [before[0].metadata.name]]);
    expect(new Set(duplicates.map((d) => d.id)).size).toBe(2);
    expect(await executionsOf('img')).toEqual(before);
  });

  it('runs another pipeline on its own branch for a tag only it lets through', async () => {
    const pushed = await pushImage(registry.url, 'team/app', 'release-2', Buffer.from('layer two'));
    await waitFor('the release execution', async () => (await executionsOf('img-release')).length > 0, { timeoutMs: 20_000 });
    const [exe] = await executionsOf('img-release');
    expect(exe.spec).toMatchObject({ branch: 'release', ref: 'refs/heads/release', message: `team/app:release-2@${pushed.digest}` });
    await waitFor('the filtered record', async () => (await deliveriesOf('img')).some((d) => d.reason?.includes('"release-2"')), { timeoutMs: 20_000 });
    expect(await executionsOf('img')).toHaveLength(1);
  });

  it('runs an OCI index once, under its tag, and not its children pushed by digest', async () => {
    const amd64 = await pushImage(registry.url, 'team/app', undefined, Buffer.from('amd64 layer'));
    const arm64 = await pushImage(registry.url, 'team/app', undefined, Buffer.from('arm64 layer'));
    const index = await pushIndex(registry.url, 'team/app', 'v2', [amd64, arm64]);
    await waitFor('the index execution', async () => (await executionsOf('img')).length === 2, { timeoutMs: 20_000 });
    const pipeline = await admin.resource(Keelson.Pipeline).get('demo', 'img');
    const names = (await executionsOf('img')).map((e) => e.metadata.name);
    expect(names).toContain(imageExecutionName(pipeline, { repository: 'team/app', digest: index.digest }));
    expect(names).not.toContain(imageExecutionName(pipeline, { repository: 'team/app', digest: amd64.digest }));
    await new Promise((r) => setTimeout(r, 500));
    expect(await executionsOf('img')).toHaveLength(2);
  });

  it('answers a redelivered event id as a duplicate', async () => {
    const digest = `sha256:${'7'.repeat(64)}`;
    const id = randomUUID();
    const first = await post('demo', manifestEvent(id, 'team/app', 'v9', digest));
    expect(first).toMatchObject({ status: 201, body: { outcome: 'created' } });
    const again = await post('demo', manifestEvent(id, 'team/app', 'v9', digest));
    expect(again).toMatchObject({ status: 200, body: { outcome: 'duplicate', executions: first.body.executions } });
    expect((await deliveriesOf('img'))[0]).toMatchObject({ id, outcome: 'duplicate', reason: `event ${id} was received before` });
  });
});

describe('what the intake refuses, with nothing made', () => {
  const count = async () => (await admin.resource(Keelson.PipelineExecution).list()).items.length;
  const digest = `sha256:${'8'.repeat(64)}`;

  it('refuses a wrong, a missing and a non-Bearer token 401, and a project without a token 403', async () => {
    const before = await count();
    const wrong = await post('demo', manifestEvent(randomUUID(), 'team/app', 'v10', digest), { authorization: `Bearer ${token.slice(0, -1)}x` });
    expect(wrong).toMatchObject({ status: 401, body: { outcome: 'refused', message: 'token refused: the Bearer token is not the project\'s registry token' } });
    const missing = await post('demo', manifestEvent(randomUUID(), 'team/app', 'v10', digest), { authorization: '' });
    expect(missing).toMatchObject({ status: 401, body: { message: 'token refused: Authorization is missing' } });
    const basic = await post('demo', manifestEvent(randomUUID(), 'team/app', 'v10', digest), { authorization: `Basic ${Buffer.from(`x:${token}`).toString('base64')}` });
    expect(basic.status).toBe(401);
    // Another project's token does not open this one, and a project without a Secret opens to nobody.
    const tokenless = await post('tokenless', manifestEvent(randomUUID(), 'team/app', 'v10', digest));
    expect(tokenless).toMatchObject({ status: 403, body: { message: expect.stringMatching(/project tokenless has no registry token/) } });
    expect(JSON.stringify([wrong, missing, basic, tokenless])).not.toContain(token);
    expect(await count()).toBe(before);
  });

  it('refuses hostile fields 400 and another content type 415', async () => {
    const before = await count();
    const dotdot = await post('demo', manifestEvent(randomUUID(), 'team/../app', 'v10', digest));
    expect(dotdot).toMatchObject({ status: 400, body: { message: expect.stringMatching(/^field events\[0\]\.target\.repository: "team\/\.\.\/app" is not a repository name/) } });
    const longTag = await post('demo', manifestEvent(randomUUID(), 'team/app', `v${'1'.repeat(200)}`, digest));
    expect(longTag).toMatchObject({ status: 400, body: { message: 'field events[0].target.tag: 201 characters; at most 128' } });
    const text = await post('demo', manifestEvent(randomUUID(), 'team/app', 'v10', digest), { 'content-type': 'text/plain' });
    expect(text.status).toBe(415);
    const badNamespace = await post('Demo..x', manifestEvent(randomUUID(), 'team/app', 'v10', digest));
    expect(badNamespace.status).toBe(404);
    expect(await count()).toBe(before);
  });
});

describe('the data plane\'s notification config', () => {
  it('makes a real registry notify the manager with the project token, pulls and blobs dropped at the source', async () => {
    const endpoints = registryNotificationEndpoints({ url: `${manager.url}/hooks/registry/demo`, token });
    const dataPlaneRegistry = await RegistryServer.start({ env: { [REGISTRY_NOTIFICATIONS_ENV]: endpoints } });
    try {
      const seen = notifications().length;
      const before = (await executionsOf('img')).length;
      const pushed = await pushImage(dataPlaneRegistry.url, 'team/app', 'v3', Buffer.from('layer three'));
      await waitFor('the v3 execution', async () => (await executionsOf('img')).length === before + 1, { timeoutMs: 20_000 });
      const pipeline = await admin.resource(Keelson.Pipeline).get('demo', 'img');
      expect((await executionsOf('img')).map((e) => e.metadata.name)).toContain(imageExecutionName(pipeline, { repository: 'team/app', digest: pushed.digest }));
      const pulled = await fetch(`${dataPlaneRegistry.url}/v2/team/app/manifests/v3`, { headers: { accept: 'application/vnd.oci.image.manifest.v1+json' } });
      expect(pulled.status).toBe(200);
      await new Promise((r) => setTimeout(r, 1000));
      // The manifest push alone reached the manager: no blob pushes, no pull.
      expect(notifications().length - seen).toBe(1);
    } finally {
      await dataPlaneRegistry.stop();
    }
  });
});

describe('when Redis is away', () => {
  it('still answers a run 201 (the execution is the record) and a filtered push 503 (it has no other), so the registry retries it', async () => {
    await redis.down();
    try {
      const run = await post('demo', manifestEvent(randomUUID(), 'team/app', 'v11', `sha256:${'9'.repeat(64)}`));
      expect(run).toMatchObject({ status: 201, body: { outcome: 'created' } });
      const filtered = await post('demo', manifestEvent(randomUUID(), 'team/app', 'nightly', `sha256:${'a'.repeat(64)}`));
      expect(filtered).toMatchObject({ status: 503, body: { outcome: 'refused', message: 'the event could not be recorded; retry' } });
    } finally {
      await redis.up();
    }
  }, 30_000);
});
