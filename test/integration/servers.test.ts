import { createServer, IncomingMessage, Server } from 'node:http';
import { createHash } from 'node:crypto';
import { AddressInfo } from 'node:net';
import { Client as MinioClient } from 'minio';
import Redis from 'ioredis';
import { MinioServer, RedisServer, RegistryServer, waitFor } from '@keelson/servers';

describe('Redis server of the harness', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await RedisServer.start();
  });
  afterAll(() => redis?.stop());

  it('runs on its own port and loses everything on restart (no persistence)', async () => {
    expect(redis.port).not.toBe(6379);
    const client = new Redis(redis.url, { maxRetriesPerRequest: 1, lazyConnect: true });
    await client.connect();
    await client.set('k', 'v');
    expect(await client.get('k')).toBe('v');
    client.disconnect();
    await redis.restart();
    const again = new Redis(redis.url, { lazyConnect: true });
    await again.connect();
    expect(await again.get('k')).toBeNull();
    again.disconnect();
  });
});

describe('MinIO server of the harness', () => {
  let minio: MinioServer;
  beforeAll(async () => {
    minio = await MinioServer.start();
  });
  afterAll(() => minio?.stop());

  it('stores and returns an object with the generated credentials', async () => {
    const url = new URL(minio.endpoint);
    const client = new MinioClient({ endPoint: url.hostname, port: Number(url.port), useSSL: false, accessKey: minio.accessKey, secretKey: minio.secretKey });
    await client.makeBucket('logs');
    await client.putObject('logs', 'run-1/step-0.log', Buffer.from('hello\n'));
    const stream = await client.getObject('logs', 'run-1/step-0.log');
    const chunks: Buffer[] = [];
    for await (const c of stream) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('hello\n');
  });
});

describe('registry server of the harness', () => {
  let registry: RegistryServer;
  let hook: Server;
  const envelopes: Array<{ headers: IncomingMessage['headers']; body: { events: Array<{ action: string; target: { repository: string; tag?: string } }> } }> = [];

  beforeAll(async () => {
    hook = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        envelopes.push({ headers: req.headers, body: JSON.parse(body) });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    registry = await RegistryServer.start({
      notificationUrl: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hooks/registry/demo`,
      notificationHeaders: { Authorization: ['Bearer test-secret'] },
    });
  });
  afterAll(async () => {
    await registry?.stop();
    await new Promise((r) => hook.close(r));
  });

  async function pushBlob(repo: string, content: Buffer): Promise<string> {
    const digest = `sha256:${createHash('sha256').update(content).digest('hex')}`;
    const start = await fetch(`${registry.url}/v2/${repo}/blobs/uploads/`, { method: 'POST' });
    expect(start.status).toBe(202);
    const location = new URL(start.headers.get('location')!, registry.url);
    location.searchParams.set('digest', digest);
    const put = await fetch(location, { method: 'PUT', body: content, headers: { 'Content-Type': 'application/octet-stream' } });
    expect(put.status).toBe(201);
    return digest;
  }

  it('sends a push event, with the configured headers, to the notification endpoint when a manifest is pushed', async () => {
    const config = Buffer.from('{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}');
    const configDigest = await pushBlob('demo/web', config);
    const manifest = JSON.stringify({
      schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.length }, layers: [],
    });
    const put = await fetch(`${registry.url}/v2/demo/web/manifests/v1`, {
      method: 'PUT', body: manifest, headers: { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' },
    });
    expect(put.status).toBe(201);

    await waitFor('the push notification', () => envelopes.some((e) => e.body.events.some((ev) => ev.action === 'push' && ev.target.tag === 'v1')), { timeoutMs: 20_000 });
    const envelope = envelopes.find((e) => e.body.events.some((ev) => ev.action === 'push'))!;
    expect(envelope.headers.authorization).toBe('Bearer test-secret');
    expect(envelope.headers['content-type']).toMatch(/application\/vnd\.docker\.distribution\.events\.v[12]\+json/);
    expect(envelope.body.events.find((ev) => ev.action === 'push')!.target.repository).toBe('demo/web');
  });
});

describe('the reaper', () => {
  it('finds and kills a server whose starter was SIGKILLed, even one that rewrites its environment (redis-server)', async () => {
    const owner = `reaper-test-${process.pid}`;
    const { spawn } = await import('node:child_process');
    const { join } = await import('node:path');
    const { processesOwnedBy, reapProcessesOwnedBy, repoRoot } = await import('@keelson/servers');
    const starter = spawn(process.execPath, ['-r', '@swc-node/register', '-e',
      `require('./libs/servers/src/redis').RedisServer.start().then(() => process.stdout.write('up\\n'))`], {
      cwd: repoRoot(), env: { ...process.env, KEELSON_SERVER_OWNER: owner, SWC_NODE_PROJECT: join(repoRoot(), 'tsconfig.json') },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve) => starter.stdout!.on('data', (d) => String(d).includes('up') && resolve()));
    starter.kill('SIGKILL');
    await new Promise((r) => starter.once('exit', r));

    const orphans = processesOwnedBy(owner);
    expect(orphans).toHaveLength(1);
    expect(reapProcessesOwnedBy(owner)).toEqual(orphans);
    await waitFor('the orphan to die', () => processesOwnedBy(owner).length === 0, { timeoutMs: 5000 });
  });
});
