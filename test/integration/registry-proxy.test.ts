// The node-local registry proxy against real registries (CNCF Distribution), one per project, configured with
// exactly the environment the data plane renders for its registry: TLS from the project's own CA, htpasswd with
// the push user and the pull-only user. An image is pushed with the harness's push helper (which speaks plain
// HTTP without credentials, so it pushes through a second registry process on the same storage before the
// project's TLS registry starts), then pulled through the proxy the way a kubelet does: the challenge, the
// manifest, every blob, digests compared. Another project's credentials, none, and a wrong CA are refused.
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import {
  dataPlaneNamespace, defaultCredentialGenerator, desiredRegistry, desiredRegistryProxyCa, generateRegistryTls, registryDnsNames,
  registryHtpasswd, resolveDataPlaneInput, type DataPlaneCredentials,
} from '@keelson/data-plane';
import { silentLogger } from '@keelson/observability';
import { freePort, ManagedProcess, OCI_MANIFEST, pushImage, RegistryServer, repoRoot, serverBinary, waitFor, type PushedManifest } from '@keelson/servers';

import { DirectoryProjectCas } from '../../apps/registry-proxy/src/project-cas';
import { createRegistryProxyServer } from '../../apps/registry-proxy/src/registry-proxy.server';
import { aDataPlaneInput } from '../../libs/data-plane/src/testing/data-plane.builders';

const PROJECTS = ['team-a', 'team-b'] as const;
type Project = (typeof PROJECTS)[number];

interface ProjectRegistry {
  dir: string;
  port: number;
  credentials: DataPlaneCredentials;
  server: ManagedProcess;
  pushed: PushedManifest;
  layer: Buffer;
}

const registries = {} as Record<Project, ProjectRegistry>;
let caDir: string;
let proxy: Server;
let proxyUrl: string;

const basic = ({ username, password }: { username: string; password: string }) => ({ authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` });
const sha256 = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

/** Status of an anonymous GET /v2/ over TLS checked against the project's CA and Service name; 0 when no answer. */
function tlsStatus(port: number, project: Project, ca: string): Promise<number> {
  return new Promise((resolve) => {
    const req = httpsRequest({ host: '127.0.0.1', port, path: '/v2/', ca, servername: `registry.${project}-pipeline.svc`, timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve(0));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

function credentialsOf(project: Project): DataPlaneCredentials {
  const namespace = dataPlaneNamespace(project);
  const user = (username: string) => {
    const password = defaultCredentialGenerator.password();
    return { username, password, htpasswd: defaultCredentialGenerator.htpasswd(username, password) };
  };
  return {
    jenkinsAdmin: { username: 'admin', password: 'unused' },
    minioRoot: { username: 'root', password: 'unused' },
    registryAuth: user('keelson'),
    registryPull: user('keelson-pull'),
    registryTls: generateRegistryTls(`registry.${namespace}.svc`, registryDnsNames(namespace), new Date()),
  };
}

/** The registry container's environment as the data plane renders it, paths moved to this test's directory. */
function dataPlaneRegistryEnv(project: Project, credentials: DataPlaneCredentials, dir: string, port: number): Record<string, string> {
  const deployment = desiredRegistry(resolveDataPlaneInput(aDataPlaneInput({ project })), credentials).find((o) => o.kind === 'Deployment');
  const container = (deployment?.spec as { template: { spec: { containers: Array<{ env: Array<{ name: string; value?: string }> }> } } }).template.spec.containers[0];
  const env = Object.fromEntries(container.env.filter((e) => e.value !== undefined).map((e) => [e.name, e.value as string]));
  expect(env).toMatchObject({ REGISTRY_AUTH: 'htpasswd', REGISTRY_HTTP_TLS_CERTIFICATE: '/etc/registry/tls/tls.crt', REGISTRY_AUTH_HTPASSWD_PATH: '/etc/registry/auth/htpasswd' });
  return {
    ...env,
    REGISTRY_HTTP_ADDR: `127.0.0.1:${port}`,
    REGISTRY_HTTP_TLS_CERTIFICATE: join(dir, 'tls.crt'),
    REGISTRY_HTTP_TLS_KEY: join(dir, 'tls.key'),
    REGISTRY_AUTH_HTPASSWD_PATH: join(dir, 'htpasswd'),
    REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY: join(dir, 'registry-data'),
  };
}

async function startProjectRegistry(project: Project): Promise<ProjectRegistry> {
  const dir = mkdtempSync(join(tmpdir(), `keelson-proxy-${project}-`));
  const credentials = credentialsOf(project);
  // Push first, through a plain registry on the same storage, then stop it: one process on the storage at a time.
  const layer = Buffer.from(`the ${project} layer ${'x'.repeat(200_000)}`);
  const plain = await RegistryServer.start({ dir });
  const pushed = await pushImage(plain.url, 'apps/web', 'v1', layer);
  await plain.stop();

  writeFileSync(join(dir, 'tls.crt'), credentials.registryTls.tlsCrt);
  writeFileSync(join(dir, 'tls.key'), credentials.registryTls.tlsKey);
  writeFileSync(join(dir, 'htpasswd'), registryHtpasswd(credentials));
  const configFile = join(dir, 'tls-registry.yml');
  writeFileSync(configFile, stringify({ version: 0.1, log: { level: 'warn' }, storage: { filesystem: { rootdirectory: join(dir, 'registry-data') } }, http: { addr: '127.0.0.1:0' } }));
  const port = await freePort();
  const server = new ManagedProcess({
    name: `registry-${project}`, command: serverBinary('registry'), logDir: dir, args: ['serve', configFile],
    env: dataPlaneRegistryEnv(project, credentials, dir, port),
  }).start();
  // The registry answers 401 to an anonymous /v2/ once it serves TLS with the project's certificate.
  await waitFor(`${project} registry over TLS`, async () => (await tlsStatus(port, project, credentials.registryTls.caCrt)) === 401, {
    timeoutMs: 30_000, onTimeout: () => server.tail(),
  });
  return { dir, port, credentials, server, pushed, layer };
}

function publishCa(project: Project, credentials: DataPlaneCredentials): void {
  // Written exactly as the manager publishes it: the data of the proxy's ConfigMap, one file per key.
  const input = resolveDataPlaneInput(aDataPlaneInput({ project, registryProxy: { port: 34362, caConfigMap: { namespace: 'keelson-system', name: 'keelson-registry-cas' } } }));
  const data = desiredRegistryProxyCa(input, credentials)?.data as Record<string, string>;
  for (const [key, value] of Object.entries(data)) writeFileSync(join(caDir, key), value);
}

beforeAll(async () => {
  for (const project of PROJECTS) registries[project] = await startProjectRegistry(project);
  caDir = mkdtempSync(join(tmpdir(), 'keelson-proxy-cas-'));
  mkdirSync(caDir, { recursive: true });
  for (const project of PROJECTS) publishCa(project, registries[project].credentials);
  proxy = createRegistryProxyServer({
    // No cache: a test below swaps a CA.
    cas: new DirectoryProjectCas(caDir, 0),
    // Each project's registry listens on its own loopback port; its certificate names the Service, as in a cluster.
    upstream: (project) => ({ origin: `https://127.0.0.1:${registries[project as Project]?.port ?? 1}`, tlsName: `registry.${project}-pipeline.svc` }),
    timeoutMs: 10_000,
    logger: silentLogger,
  });
  proxy.listen(0, '127.0.0.1');
  await once(proxy, 'listening');
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
}, 120_000);

afterAll(async () => {
  if (proxy) {
    proxy.closeAllConnections();
    await new Promise((r) => proxy.close(r));
  }
  for (const registry of Object.values(registries)) {
    await registry.server.stop();
    rmSync(registry.dir, { recursive: true, force: true });
  }
  if (caDir) rmSync(caDir, { recursive: true, force: true });
});

describe('a pull through the node-local proxy', () => {
  it('answers the registry challenge, then serves team-a\'s manifest and every blob with the digests pushed', async () => {
    const { pushed, layer, credentials } = registries['team-a'];
    const anonymous = await fetch(`${proxyUrl}/v2/`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
    const pull = basic(credentials.registryPull);
    expect((await fetch(`${proxyUrl}/v2/`, { headers: pull })).status).toBe(200);

    const head = await fetch(`${proxyUrl}/v2/team-a/apps/web/manifests/v1`, { method: 'HEAD', headers: { ...pull, accept: OCI_MANIFEST } });
    expect(head.status).toBe(200);
    expect(head.headers.get('docker-content-digest')).toBe(pushed.digest);
    expect(Number(head.headers.get('content-length'))).toBe(pushed.size);

    const manifestRes = await fetch(`${proxyUrl}/v2/team-a/apps/web/manifests/v1`, { headers: { ...pull, accept: OCI_MANIFEST } });
    expect(manifestRes.status).toBe(200);
    expect(manifestRes.headers.get('content-type')).toBe(OCI_MANIFEST);
    const manifestBytes = Buffer.from(await manifestRes.arrayBuffer());
    expect(sha256(manifestBytes)).toBe(pushed.digest);
    const manifest = JSON.parse(manifestBytes.toString('utf8')) as { config: { digest: string; size: number }; layers: Array<{ digest: string; size: number }> };

    for (const blob of [manifest.config, ...manifest.layers]) {
      const res = await fetch(`${proxyUrl}/v2/team-a/apps/web/blobs/${blob.digest}`, { headers: pull });
      expect(res.status).toBe(200);
      const bytes = Buffer.from(await res.arrayBuffer());
      expect(bytes.length).toBe(blob.size);
      expect(sha256(bytes)).toBe(blob.digest);
      expect(res.headers.get('docker-content-digest')).toBe(blob.digest);
    }
    expect(manifest.layers[0].digest).toBe(sha256(layer));

    // By digest, as a kubelet does once it resolved the tag.
    const byDigest = await fetch(`${proxyUrl}/v2/team-a/apps/web/manifests/${pushed.digest}`, { headers: { ...pull, accept: OCI_MANIFEST } });
    expect(sha256(Buffer.from(await byDigest.arrayBuffer()))).toBe(pushed.digest);
  });

  it('passes a ranged blob read through (206 and the bytes asked for)', async () => {
    const { layer, credentials } = registries['team-a'];
    const res = await fetch(`${proxyUrl}/v2/team-a/apps/web/blobs/${sha256(layer)}`, { headers: { ...basic(credentials.registryPull), range: 'bytes=4-10' } });
    expect(res.status).toBe(206);
    expect(res.headers.get('content-range')).toBe(`bytes 4-10/${layer.length}`);
    expect(Buffer.from(await res.arrayBuffer())).toEqual(layer.subarray(4, 11));
  });

  it('lists tags with the project prefix kept out of the registry\'s view', async () => {
    const res = await fetch(`${proxyUrl}/v2/team-b/apps/web/tags/list`, { headers: basic(registries['team-b'].credentials.registryPull) });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ name: 'apps/web', tags: ['v1'] });
  });
});

describe('what the proxy refuses', () => {
  it('team-b\'s pull credentials, and team-b\'s push credentials, on team-a\'s image: 401 from team-a\'s registry', async () => {
    for (const creds of [registries['team-b'].credentials.registryPull, registries['team-b'].credentials.registryAuth]) {
      for (const path of ['/v2/team-a/apps/web/manifests/v1', `/v2/team-a/apps/web/blobs/${registries['team-a'].pushed.digest}`]) {
        const res = await fetch(`${proxyUrl}${path}`, { headers: { ...basic(creds), accept: OCI_MANIFEST } });
        expect(res.status).toBe(401);
        expect(res.headers.get('www-authenticate')).toBe('Basic realm="keelson-registry-proxy"');
        expect(await res.text()).not.toContain('the team-a layer');
      }
    }
    // The same request with team-a's own pull credentials works: the refusal is about whose credentials they are.
    expect((await fetch(`${proxyUrl}/v2/team-a/apps/web/manifests/v1`, { headers: { ...basic(registries['team-a'].credentials.registryPull), accept: OCI_MANIFEST } })).status).toBe(200);
  });

  it('a pull without credentials or with a wrong password', async () => {
    expect((await fetch(`${proxyUrl}/v2/team-a/apps/web/manifests/v1`)).status).toBe(401);
    const wrong = { username: 'keelson-pull', password: 'not-the-password' };
    expect((await fetch(`${proxyUrl}/v2/team-a/apps/web/manifests/v1`, { headers: basic(wrong) })).status).toBe(401);
  });

  it('a push, even with the push user\'s credentials: nothing reaches the registry', async () => {
    const push = basic(registries['team-a'].credentials.registryAuth);
    const res = await fetch(`${proxyUrl}/v2/team-a/apps/web/blobs/uploads/`, { method: 'POST', headers: push });
    expect(res.status).toBe(405);
    const tags = await fetch(`${proxyUrl}/v2/team-a/apps/web/tags/list`, { headers: push });
    expect(await tags.json()).toEqual({ name: 'apps/web', tags: ['v1'] });
  });

  it('a project without a published CA (404), and a registry that the published CA does not vouch for (502)', async () => {
    const pull = basic(registries['team-a'].credentials.registryPull);
    expect((await fetch(`${proxyUrl}/v2/team-c/apps/web/manifests/v1`, { headers: pull })).status).toBe(404);
    publishCa('team-a', registries['team-b'].credentials);
    try {
      expect((await fetch(`${proxyUrl}/v2/team-a/apps/web/manifests/v1`, { headers: pull })).status).toBe(502);
    } finally {
      publishCa('team-a', registries['team-a'].credentials);
    }
    expect((await fetch(`${proxyUrl}/v2/team-a/apps/web/manifests/v1`, { headers: { ...pull, accept: OCI_MANIFEST } })).status).toBe(200);
  });
});

describe('the proxy process as the DaemonSet runs it', () => {
  it('is configured by its environment alone: port, CA directory, upstream templates; then pulls and refuses as above', async () => {
    const port = await freePort();
    const { port: registryPort, credentials, pushed } = registries['team-a'];
    const entry = new ManagedProcess({
      name: 'registry-proxy', command: process.execPath, cwd: repoRoot(), logDir: caDir,
      args: ['-r', '@swc-node/register', join('apps', 'registry-proxy', 'src', 'main.ts')],
      env: {
        REGISTRY_PROXY_PORT: String(port), REGISTRY_PROXY_LISTEN_HOST: '127.0.0.1', REGISTRY_PROXY_CA_DIR: caDir,
        // Every project to team-a's registry here; its certificate must still name the requested project's Service.
        REGISTRY_PROXY_UPSTREAM: `https://127.0.0.1:${registryPort}/{project}`, REGISTRY_PROXY_UPSTREAM_TLS_NAME: 'registry.{project}-pipeline.svc',
        LOG_LEVEL: 'info',
      },
    }).start();
    try {
      const url = `http://127.0.0.1:${port}`;
      await waitFor('the registry-proxy process', async () => (await fetch(`${url}/healthz`).then((r) => r.status, () => 0)) === 200, { timeoutMs: 60_000, onTimeout: () => entry.tail() });
      const pull = basic(credentials.registryPull);
      const manifest = await fetch(`${url}/v2/team-a/apps/web/manifests/v1`, { headers: { ...pull, accept: OCI_MANIFEST } });
      expect(manifest.status).toBe(200);
      expect(sha256(Buffer.from(await manifest.arrayBuffer()))).toBe(pushed.digest);
      expect((await fetch(`${url}/v2/team-a/apps/web/manifests/v1`)).status).toBe(401);
      // team-b's CA does not vouch for team-a's registry, which is where this configuration sends team-b.
      expect((await fetch(`${url}/v2/team-b/apps/web/manifests/v1`, { headers: pull })).status).toBe(502);
      const log = readFileSync(entry.logFile, 'utf8');
      expect(log).toContain('"registry proxy listening"');
      expect(log).toContain('"project":"team-a"');
      expect(log).not.toContain(credentials.registryPull.password);
      expect(log).not.toContain(pull.authorization.slice('Basic '.length));
    } finally {
      await entry.stop();
    }
  });
});

