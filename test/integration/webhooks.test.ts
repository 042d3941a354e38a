// Webhook intake against a real kube-apiserver and a real Redis, with a manager serving the API and the hooks
// (no controllers, so what the intake made is what the tests see): exactly one execution per event whatever
// the redeliveries, every bad input a clear 4xx with nothing created and nothing logged that holds the secret
// or the body, ignored deliveries recorded with their reason and readable through the deliveries API.
import { createHmac, randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { Writable } from 'node:stream';
import { Core, Keelson, KubeClient } from '@keelson/kube';
import { createLogger } from '@keelson/observability';
import { ControlPlane, RedisServer, freePort } from '@keelson/servers';
import { Manager, startManager } from '../../apps/manager/src/manager';
import { webhookSecretName } from '../../apps/manager/src/hooks/webhook-secrets';

const SECRET = `whsec-${randomUUID()}`;
const REPO = 'https://github.com/acme/widget.git';
const SHA = (n: number) => n.toString(16).padStart(40, 'a');

let cp: ControlPlane;
let redis: RedisServer;
let manager: Manager;
let admin: KubeClient;
let asManager: KubeClient;
const logLines: string[] = [];

const sign = (body: string, secret = SECRET) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
const pushBody = (branch: string, sha: string, over: Record<string, unknown> = {}) => JSON.stringify({
  ref: `refs/heads/${branch}`, before: '0'.repeat(40), after: sha,
  repository: { id: 1, full_name: 'acme/widget', clone_url: REPO, html_url: 'https://github.com/acme/widget' },
  head_commit: { id: sha, message: `commit ${sha.slice(0, 7)}\n\nbody`, url: `https://github.com/acme/widget/commit/${sha}`, author: { name: 'Octo', email: 'octo@example.com' } },
  ...over,
});

interface Answer { status: number; body: Record<string, any> }

async function deliver(pipeline: string, body: string | Buffer, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await fetch(`${manager.url}/hooks/pipelines/demo/${pipeline}`, {
    method: 'POST', body,
    headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'x-github-delivery': randomUUID(), 'x-hub-signature-256': sign(body.toString()), ...headers },
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

const executionsOf = async (pipeline: string) => (await admin.resource(Keelson.PipelineExecution).list('demo')).items.filter((e) => e.spec.pipelineRef.name === pipeline);

async function createPipeline(name: string, spec: Record<string, unknown> = {}, secret: string | null = SECRET): Promise<void> {
  await admin.resource(Keelson.Pipeline).create({
    apiVersion: 'devops.keelson.dev/v1alpha1', kind: 'Pipeline', metadata: { name, namespace: 'demo' },
    spec: { repositoryUrl: REPO, configPath: '.devops.yml', suspend: false, ...spec },
  } as never);
  if (secret !== null) {
    await admin.resource(Core.Secret).create({ metadata: { name: webhookSecretName(name), namespace: 'demo' }, stringData: { secret } });
  }
}

beforeAll(async () => {
  cp = await ControlPlane.start();
  redis = await RedisServer.start();
  admin = new KubeClient({ kubeconfigPath: cp.adminKubeconfig });
  asManager = new KubeClient({ kubeconfigPath: cp.managerKubeconfig });
  await admin.resource(Core.Namespace).create({ metadata: { name: 'demo' } });
  // The manager keeps its signing key in a Secret of its own namespace (POD_NAMESPACE, default keelson-system).
  await admin.resource(Core.Namespace).create({ metadata: { name: 'keelson-system' } });
  await createPipeline('web', { triggers: { push: { enabled: true, filter: { exclude: ['wip/**'] } }, pullRequest: { enabled: true } } });
  await createPipeline('nosecret', {}, null);
  await createPipeline('paused', { suspend: true });
  const sink = new Writable({ write(chunk, _enc, done) { logLines.push(chunk.toString()); done(); } });
  manager = await startManager({
    KUBECONFIG: cp.managerKubeconfig, HOST: '127.0.0.1', PORT: String(await freePort()), ROLES: 'api,webhooks', API_AUTH: 'disabled',
    REDIS_URL: redis.url, REDIS_PREFIX: `wh-${process.pid}`, LOG_LEVEL: 'debug',
  }, createLogger({ level: 'debug', destination: sink }));
}, 120_000);

afterAll(async () => {
  await manager?.close();
  await redis?.stop();
  await cp?.stop();
});

describe('a signed push', () => {
  it('creates one execution carrying what the event says, with no git call', async () => {
    const sha = SHA(1);
    const answer = await deliver('web', pushBody('main', sha), { 'x-github-delivery': 'delivery-one' });
    expect(answer).toMatchObject({ status: 201, body: { outcome: 'created' } });
    const [exe] = await executionsOf('web');
    expect(answer.body.executions).toEqual([exe.metadata.name]);
    expect(exe.spec).toMatchObject({
      commit: sha, branch: 'main', ref: 'refs/heads/main', repositoryUrl: REPO, fork: false,
      trigger: { event: 'push', deliveryId: 'delivery-one' }, title: `commit ${sha.slice(0, 7)}`, author: { name: 'Octo', email: 'octo@example.com' },
      htmlUrl: `https://github.com/acme/widget/commit/${sha}`,
    });
    expect(exe.spec.run).toBeUndefined();
    expect(exe.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'Pipeline', name: 'web' });
  });

  it('stays one execution per event when each is redelivered 3 times and sent twice at once', async () => {
    const bodies = Array.from({ length: 8 }, (_, i) => pushBody(`feature-${i}`, SHA(100 + i)));
    const ids = bodies.map(() => randomUUID());
    const before = (await executionsOf('web')).length;
    // Twice at once under the same id, then three redeliveries under the same id, and one under a new id.
    const first = await Promise.all(bodies.flatMap((b, i) => [deliver('web', b, { 'x-github-delivery': ids[i] }), deliver('web', b, { 'x-github-delivery': ids[i] })]));
    expect(first.every((a) => a.status === 201 || a.status === 200)).toBe(true);
    for (let round = 0; round < 3; round++) {
      const again = await Promise.all(bodies.map((b, i) => deliver('web', b, { 'x-github-delivery': ids[i] })));
      expect(again.map((a) => a.body.outcome)).toEqual(bodies.map(() => 'duplicate'));
    }
    const newIds = await Promise.all(bodies.map((b) => deliver('web', b)));
    expect(newIds.map((a) => a.body.outcome)).toEqual(bodies.map(() => 'duplicate'));
    const after = await executionsOf('web');
    expect(after.length - before).toBe(bodies.length);
    expect(new Set(after.map((e) => e.spec.branch)).size).toBe(after.length);
  });

  it('finds the execution a crashed manager made before it could answer, when the provider retries', async () => {
    // What a manager that died after its create left behind: the execution, and no delivery record.
    const { webhookExecution } = await import('../../apps/manager/src/hooks/webhook-execution');
    const { parseDelivery } = await import('@keelson/webhooks');
    const body = pushBody('crash', SHA(7));
    const pipeline = await admin.resource(Keelson.Pipeline).get('demo', 'web');
    const [event] = parseDelivery('github', 'push', JSON.parse(body));
    await asManager.resource(Keelson.PipelineExecution).create(webhookExecution(pipeline, event as never, 'crashed-delivery'));
    const retry = await deliver('web', body, { 'x-github-delivery': 'crashed-delivery' });
    expect(retry).toMatchObject({ status: 200, body: { outcome: 'duplicate' } });
    expect((await executionsOf('web')).filter((e) => e.spec.branch === 'crash')).toHaveLength(1);
  });

  it('runs a fork\'s pull request from the fork, marked fork', async () => {
    const body = JSON.stringify({
      action: 'opened', number: 5, repository: { id: 1, full_name: 'acme/widget', clone_url: REPO },
      pull_request: {
        number: 5, title: 'Please merge', html_url: 'https://github.com/acme/widget/pull/5', user: { login: 'stranger' },
        head: { sha: SHA(55), ref: 'patch-1', repo: { id: 99, full_name: 'stranger/widget', clone_url: 'https://github.com/stranger/widget.git' } },
        base: { sha: SHA(1), ref: 'main', repo: { id: 1, full_name: 'acme/widget', clone_url: REPO } },
      },
    });
    const answer = await deliver('web', body, { 'x-github-event': 'pull_request' });
    expect(answer.status).toBe(201);
    const exe = await admin.resource(Keelson.PipelineExecution).get('demo', answer.body.executions[0]);
    expect(exe.spec).toMatchObject({
      fork: true, repositoryUrl: 'https://github.com/stranger/widget.git', commit: SHA(55), branch: 'main', ref: 'refs/pull/5/head', trigger: { event: 'pull_request' },
    });
  });
});

describe('deliveries that start nothing', () => {
  it('answers ping, a deleted branch, a filtered branch, a disabled tag trigger and a suspended pipeline 200, and records why', async () => {
    const before = (await executionsOf('web')).length;
    const ping = await deliver('web', JSON.stringify({ zen: 'hi', hook_id: 1 }), { 'x-github-event': 'ping', 'x-github-delivery': 'ping-1' });
    expect(ping).toMatchObject({ status: 200, body: { outcome: 'ignored', ignored: ['ping'] } });
    const deleted = await deliver('web', pushBody('old', '0'.repeat(40), { deleted: true, head_commit: null }));
    expect(deleted.body).toMatchObject({ outcome: 'ignored', ignored: ['refs/heads/old was deleted'] });
    const filtered = await deliver('web', pushBody('wip/x', SHA(9)));
    expect(filtered.body.ignored).toEqual(['branch "wip/x" matches spec.triggers.push.filter.exclude "wip/**"']);
    const tag = await deliver('web', JSON.stringify({ ...JSON.parse(pushBody('x', SHA(3))), ref: 'refs/tags/v1' }));
    expect(tag.body.ignored).toEqual(['spec.triggers.tag is not enabled']);
    expect((await executionsOf('web')).length).toBe(before);
    const paused = await deliver('paused', pushBody('main', SHA(4)));
    expect(paused.body).toMatchObject({ outcome: 'ignored', ignored: ['pipeline paused is suspended (spec.suspend)'] });
    expect(await executionsOf('paused')).toHaveLength(0);

    const res = await fetch(`${manager.url}/api/v1/namespaces/demo/pipelines/web/deliveries`);
    const { items } = (await res.json()) as { items: Array<Record<string, any>> };
    expect(res.status).toBe(200);
    expect(items.find((d) => d.id === 'ping-1')).toMatchObject({ provider: 'github', event: 'ping', outcome: 'ignored', reason: 'ping', status: 200 });
    expect(items.find((d) => d.id === 'delivery-one')).toMatchObject({ outcome: 'created', status: 201 });
    expect(items.some((d) => d.outcome === 'duplicate')).toBe(true);
  });
});

describe('bad inputs: a clear 4xx, nothing created, nothing logged that holds the secret or the body', () => {
  const MARKER = `body-marker-${randomUUID()}`;

  afterAll(() => {
    const logs = logLines.join('');
    expect(logs).not.toContain(SECRET);
    expect(logs).not.toContain(MARKER);
  });

  async function expectRefused(pipeline: string, answer: Promise<Answer> | Answer, status: number, message: RegExp): Promise<void> {
    const before = (await executionsOf(pipeline)).length;
    const got = await answer;
    expect(got.status).toBe(status);
    expect(got.body).toMatchObject({ outcome: 'refused' });
    expect(got.body.message).toMatch(message);
    expect(JSON.stringify(got.body)).not.toContain(SECRET);
    expect((await executionsOf(pipeline)).length).toBe(before);
  }

  const marked = (branch: string, over: Record<string, unknown> = {}) => pushBody(branch, SHA(11), { marker: MARKER, ...over });

  it('refuses a wrong and a missing signature, and a pipeline without a secret', async () => {
    await expectRefused('web', deliver('web', marked('main'), { 'x-hub-signature-256': sign(marked('main'), 'guess') }), 401, /X-Hub-Signature-256 does not match the body/);
    await expectRefused('web', deliver('web', marked('main'), { 'x-hub-signature-256': '' }), 401, /X-Hub-Signature-256 is missing/);
    await expectRefused('nosecret', deliver('nosecret', marked('main')), 403, /has no webhook secret/);
  });

  it('refuses an unknown pipeline and a delivery without a provider header', async () => {
    const unknown = await deliver('ghost', marked('main'));
    expect(unknown.status).toBe(404);
    await expectRefused('web', deliver('web', marked('main'), { 'x-github-event': '' }), 400, /no provider event header/);
  });

  it('refuses malformed JSON, hostile refs and another repository\'s payload, signed or not', async () => {
    const broken = `{"ref": "refs/heads/main", "marker": "${MARKER}"`;
    await expectRefused('web', deliver('web', broken), 400, /the body is not valid JSON/);
    await expectRefused('web', deliver('web', marked('a..b')), 400, /field ref: branch "a\.\.b"/);
    await expectRefused('web', deliver('web', marked('-x')), 400, /field ref: branch "-x"/);
    const foreign = marked('main', { repository: { id: 2, full_name: 'evil/other', clone_url: 'https://github.com/evil/other.git' } });
    await expectRefused('web', deliver('web', foreign), 422, /repository "evil\/other", not this pipeline's/);
  });

  it('refuses a 2 MiB body with 413', async () => {
    const big = marked('main', { padding: 'x'.repeat(2 * 1024 * 1024) });
    await expectRefused('web', deliver('web', big), 413, /at most 1048576/);
  });

  it('cuts a slowloris off at the deadline with 408', async () => {
    const before = (await executionsOf('web')).length;
    const started = Date.now();
    const status = await new Promise<number>((resolve, reject) => {
      const url = new URL(`${manager.url}/hooks/pipelines/demo/web`);
      const req = request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'transfer-encoding': 'chunked' } });
      req.on('response', (res) => {
        clearInterval(drip);
        resolve(res.statusCode!);
        res.resume();
      });
      req.on('error', (err) => (Date.now() - started > 9000 ? resolve(408) : reject(err)));
      // 10 MB at a byte every 50 ms would take days; the server answers at its deadline.
      const drip = setInterval(() => req.write('x'), 50);
    });
    expect(status).toBe(408);
    expect(Date.now() - started).toBeGreaterThanOrEqual(9_500);
    expect((await executionsOf('web')).length).toBe(before);
  }, 30_000);

  it('refuses a compressed body rather than inflate it', async () => {
    await expectRefused('web', deliver('web', marked('main'), { 'content-encoding': 'gzip' }), 415, /Content-Encoding "gzip"/);
  });
});

describe('when Redis is away', () => {
  it('still answers a run event 201 (the execution is the record) and an ignored one 503 (it has no other)', async () => {
    await redis.down();
    try {
      const run = await deliver('web', pushBody('redis-down', SHA(21)));
      expect(run.status).toBe(201);
      const ignored = await deliver('web', JSON.stringify({ zen: 'hi' }), { 'x-github-event': 'ping' });
      expect(ignored.status).toBe(503);
    } finally {
      await redis.up();
    }
  }, 30_000);
});
