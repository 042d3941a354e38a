// The proxy's request handling against a small HTTPS server standing in for a project registry (the real
// registry is in test/integration/registry-proxy.test.ts): what is refused before anything goes upstream, what is
// forwarded and rewritten, and how an unreachable, slow or wrongly named registry answers.
import { once } from 'node:events';
import { createServer as createHttpsServer, Server as HttpsServer } from 'node:https';
import { request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateRegistryTls, registryDnsNames } from '@keelson/data-plane';
import type { Logger } from '@keelson/observability';

import { DEFAULT_UPSTREAM } from './registry-proxy.config';
import { basicCredentials, createRegistryProxyServer, rewriteLink, rewriteLocation, upstreamFromTemplates } from './registry-proxy.server';

const tls = generateRegistryTls('registry.team-a-pipeline.svc', registryDnsNames('team-a-pipeline'), new Date());
const otherTls = generateRegistryTls('registry.team-a-pipeline.svc', registryDnsNames('team-a-pipeline'), new Date());
const auth = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
let upstream: HttpsServer;
let upstreamHandler: Handler;
const seen: Array<{ method?: string; url?: string; headers: IncomingMessage['headers'] }> = [];
let proxy: Server;
let proxyUrl: string;
let cas: Record<string, string>;
const lines: Array<Record<string, unknown>> = [];

/** A GET with the path exactly as written (fetch would resolve `..` before sending). */
function rawGet(path: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${proxyUrl}${path}`, { headers }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.path = path;
    req.end();
  });
}

function recordingLogger(): Logger {
  const write = (level: string) => (fields: Record<string, unknown>, message: string) => lines.push({ level, message, ...fields });
  const logger: Logger = { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error'), child: () => logger };
  return logger;
}

async function startProxy(timeoutMs = 2000): Promise<void> {
  const port = (upstream.address() as AddressInfo).port;
  proxy = createRegistryProxyServer({
    cas: { caOf: async (project) => cas[project] },
    upstream: upstreamFromTemplates(`https://127.0.0.1:${port}`, 'registry.{project}-pipeline.svc'),
    timeoutMs,
    logger: recordingLogger(),
  });
  proxy.listen(0, '127.0.0.1');
  await once(proxy, 'listening');
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  upstream = createHttpsServer({ cert: tls.tlsCrt, key: tls.tlsKey }, (req, res) => {
    seen.push({ method: req.method, url: req.url, headers: req.headers });
    upstreamHandler(req, res);
  });
  upstream.listen(0, '127.0.0.1');
  await once(upstream, 'listening');
  await startProxy();
});

afterAll(async () => {
  proxy.closeAllConnections();
  upstream.closeAllConnections();
  await Promise.all([new Promise((r) => proxy.close(r)), new Promise((r) => upstream.close(r))]);
});

beforeEach(() => {
  seen.length = 0;
  lines.length = 0;
  cas = { 'team-a': tls.caCrt };
  upstreamHandler = (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
});

describe('what is answered without the registry', () => {
  it('challenges a client without Basic credentials as a registry does, on /v2/ and on a pull', async () => {
    for (const path of ['/v2/', '/v2/team-a/web/manifests/v1']) {
      const res = await fetch(`${proxyUrl}${path}`);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Basic realm="keelson-registry-proxy"');
      expect(res.headers.get('docker-distribution-api-version')).toBe('registry/2.0');
      expect(((await res.json()) as { errors: Array<{ code: string }> }).errors[0].code).toBe('UNAUTHORIZED');
    }
    const bearer = await fetch(`${proxyUrl}/v2/team-a/web/manifests/v1`, { headers: { authorization: 'Bearer abc' } });
    expect(bearer.status).toBe(401);
    expect(seen).toEqual([]);
  });

  it('answers /v2/ 200 with credentials (which project they are for shows only per repository)', async () => {
    const res = await fetch(`${proxyUrl}/v2/`, { headers: { authorization: auth('keelson-pull', 'pw') } });
    expect(res.status).toBe(200);
    expect(res.headers.get('docker-distribution-api-version')).toBe('registry/2.0');
    expect(seen).toEqual([]);
  });

  it('refuses pushes and deletes: 405, nothing forwarded', async () => {
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      const res = await fetch(`${proxyUrl}/v2/team-a/web/blobs/uploads/`, { method, headers: { authorization: auth('keelson', 'pw') } });
      expect(res.status).toBe(405);
      expect(res.headers.get('allow')).toBe('GET, HEAD');
    }
    expect(seen).toEqual([]);
  });

  it('refuses traversal and odd project names with 400 before any credentials check', async () => {
    for (const path of ['/v2/team-a/../team-b/web/manifests/v1', '/v2/Team-A/web/manifests/v1', '/v2/team-a/%2e%2e/web/manifests/v1', '/v2/a.b/web/manifests/v1']) {
      expect(await rawGet(path, { authorization: auth('keelson', 'pw') })).toBe(400);
    }
    expect(seen).toEqual([]);
  });

  it('answers 404 NAME_UNKNOWN for a project with no published CA', async () => {
    const res = await fetch(`${proxyUrl}/v2/team-z/web/manifests/v1`, { headers: { authorization: auth('keelson', 'pw') } });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { errors: Array<{ code: string }> }).errors[0].code).toBe('NAME_UNKNOWN');
    expect(seen).toEqual([]);
  });

  it('closes a request whose headers exceed 8 KiB', async () => {
    const res = await fetch(`${proxyUrl}/v2/`, { headers: { authorization: auth('keelson', 'pw'), 'x-padding': 'a'.repeat(9000) } });
    expect(res.status).toBe(431);
  });
});

describe('what is forwarded', () => {
  it('sends the pull to the project registry: path without the project, Basic credentials, pull headers only', async () => {
    upstreamHandler = (_req, res) => res.writeHead(200, {
      'content-type': 'application/vnd.oci.image.manifest.v1+json', 'content-length': '14', 'docker-content-digest': 'sha256:abc', 'set-cookie': 'x=1', 'x-internal': 'y',
    }).end('manifest-bytes');
    const res = await fetch(`${proxyUrl}/v2/team-a/org/web/manifests/v1`, {
      headers: { authorization: auth('keelson-pull', 'pw'), accept: 'application/vnd.oci.image.manifest.v1+json', cookie: 'c=1', 'x-forwarded-for': '1.2.3.4' },
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('manifest-bytes');
    expect(res.headers.get('content-type')).toBe('application/vnd.oci.image.manifest.v1+json');
    expect(res.headers.get('docker-content-digest')).toBe('sha256:abc');
    expect(res.headers.get('content-length')).toBe('14');
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(res.headers.get('x-internal')).toBeNull();
    expect(seen).toHaveLength(1);
    expect(seen[0].url).toBe('/v2/org/web/manifests/v1');
    expect(seen[0].headers.authorization).toBe(auth('keelson-pull', 'pw'));
    expect(seen[0].headers.accept).toBe('application/vnd.oci.image.manifest.v1+json');
    expect(seen[0].headers.cookie).toBeUndefined();
    expect(seen[0].headers['x-forwarded-for']).toBeUndefined();
  });

  it('passes Range through and the partial answer back', async () => {
    upstreamHandler = (req, res) => res.writeHead(206, { 'content-range': `bytes 2-4/10`, 'content-length': '3', 'accept-ranges': 'bytes' }).end(req.headers.range === 'bytes=2-4' ? 'abc' : 'xyz');
    const res = await fetch(`${proxyUrl}/v2/team-a/web/blobs/sha256:${'b'.repeat(64)}`, { headers: { authorization: auth('u', 'p'), range: 'bytes=2-4' } });
    expect(res.status).toBe(206);
    expect(res.headers.get('content-range')).toBe('bytes 2-4/10');
    expect(await res.text()).toBe('abc');
  });

  it('answers HEAD with the headers and no body', async () => {
    upstreamHandler = (_req, res) => res.writeHead(200, { 'content-length': '1234', 'docker-content-digest': 'sha256:def' }).end();
    const res = await fetch(`${proxyUrl}/v2/team-a/web/manifests/v1`, { method: 'HEAD', headers: { authorization: auth('u', 'p') } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe('1234');
    expect(seen[0].method).toBe('HEAD');
  });

  it('turns the registry\'s 401 into the proxy\'s own challenge', async () => {
    upstreamHandler = (_req, res) => res.writeHead(401, { 'www-authenticate': 'Basic realm="keelson"', 'content-type': 'application/json' }).end('{"errors":[{"code":"UNAUTHORIZED"}]}');
    const res = await fetch(`${proxyUrl}/v2/team-a/web/manifests/v1`, { headers: { authorization: auth('keelson-pull', 'wrong') } });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Basic realm="keelson-registry-proxy"');
  });

  it('rewrites redirects and next-page links to the registry itself, not those elsewhere', async () => {
    const origin = `https://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
    upstreamHandler = (req, res) => {
      if (req.url?.includes('blobs')) res.writeHead(307, { location: `${origin}/v2/web/blobs/sha256:${'c'.repeat(64)}?x=1` }).end();
      else res.writeHead(200, { link: '</v2/web/tags/list?last=b&n=2>; rel="next"' }).end('{}');
    };
    const blob = await fetch(`${proxyUrl}/v2/team-a/web/blobs/sha256:${'c'.repeat(64)}`, { headers: { authorization: auth('u', 'p') }, redirect: 'manual' });
    expect(blob.status).toBe(307);
    expect(blob.headers.get('location')).toBe(`/v2/team-a/web/blobs/sha256:${'c'.repeat(64)}?x=1`);
    const tags = await fetch(`${proxyUrl}/v2/team-a/web/tags/list?n=2`, { headers: { authorization: auth('u', 'p') } });
    expect(tags.headers.get('link')).toBe('</v2/team-a/web/tags/list?last=b&n=2>; rel="next"');
    expect(seen[1].url).toBe('/v2/web/tags/list?n=2');
  });

  it('passes a 4 MiB blob through, written in 64 KiB chunks with backpressure', async () => {
    const chunk = Buffer.alloc(64 * 1024, 7);
    upstreamHandler = (_req, res) => {
      res.writeHead(200, { 'content-length': String(chunk.length * 64), 'content-type': 'application/octet-stream' });
      let sent = 0;
      const pump = () => {
        while (sent < 64) {
          sent += 1;
          if (!res.write(chunk)) return res.once('drain', pump);
        }
        res.end();
      };
      pump();
    };
    const res = await fetch(`${proxyUrl}/v2/team-a/web/blobs/sha256:${'d'.repeat(64)}`, { headers: { authorization: auth('u', 'p') } });
    expect(Buffer.from(await res.arrayBuffer()).length).toBe(chunk.length * 64);
  });
});

describe('a registry that cannot be trusted or reached', () => {
  it('refuses a registry whose certificate another CA signed: 502, nothing of its answer passed on', async () => {
    cas = { 'team-a': otherTls.caCrt };
    const res = await fetch(`${proxyUrl}/v2/team-a/web/manifests/v1`, { headers: { authorization: auth('u', 'p') } });
    expect(res.status).toBe(502);
    expect(seen).toEqual([]);
  });

  it('trusts a registry signed by the previous CA of a published bundle (new CA first, the old one behind)', async () => {
    cas = { 'team-a': `${otherTls.caCrt}${tls.caCrt}` };
    const res = await fetch(`${proxyUrl}/v2/team-a/web/manifests/v1`, { headers: { authorization: auth('u', 'p') } });
    expect(res.status).toBe(200);
  });

  it('refuses a certificate that does not name the project\'s registry (team-b\'s name expected)', async () => {
    cas = { 'team-b': tls.caCrt };
    const res = await fetch(`${proxyUrl}/v2/team-b/web/manifests/v1`, { headers: { authorization: auth('u', 'p') } });
    expect(res.status).toBe(502);
    expect(lines.find((l) => l.status === 502)?.error).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
  });

  it('answers 504 when the registry sends no headers in time', async () => {
    upstreamHandler = () => undefined;
    proxy.closeAllConnections();
    await new Promise((r) => proxy.close(r));
    await startProxy(300);
    const res = await fetch(`${proxyUrl}/v2/team-a/web/manifests/v1`, { headers: { authorization: auth('u', 'p') } });
    expect(res.status).toBe(504);
  });
});

describe('logs', () => {
  it('name the project and status, never the credentials', async () => {
    await fetch(`${proxyUrl}/v2/team-a/web/manifests/v1`, { headers: { authorization: auth('keelson-pull', 'hunter2-secret') } });
    const text = JSON.stringify(lines);
    expect(lines.find((l) => l.message === 'registry proxy pull')).toMatchObject({ project: 'team-a', repository: 'web', kind: 'manifests', status: 200 });
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain(Buffer.from('keelson-pull:hunter2-secret').toString('base64'));
  });
});

describe('helpers', () => {
  it('keep Basic credentials of the form user:password only', () => {
    expect(basicCredentials(auth('u', 'p'))).toBe(auth('u', 'p'));
    expect(basicCredentials(`Basic ${Buffer.from('nocolon').toString('base64')}`)).toBeUndefined();
    expect(basicCredentials(`Basic ${Buffer.from(':p').toString('base64')}`)).toBeUndefined();
    expect(basicCredentials('Basic not base64!')).toBeUndefined();
    expect(basicCredentials(`Basic ${'a'.repeat(2000)}`)).toBeUndefined();
  });

  it('rewrite only what points back at the registry', () => {
    const origin = 'https://registry.p-pipeline.svc:5000';
    expect(rewriteLocation('/v2/web/blobs/x', origin, 'p')).toBe('/v2/p/web/blobs/x');
    expect(rewriteLocation('https://s3.example.com/bucket/x?sig=1', origin, 'p')).toBe('https://s3.example.com/bucket/x?sig=1');
    expect(rewriteLink('</v2/a/tags/list?n=1>; rel="next"', origin, 'p')).toBe('</v2/p/a/tags/list?n=1>; rel="next"');
  });

  it('fill the project into the upstream templates', () => {
    expect(upstreamFromTemplates(DEFAULT_UPSTREAM)('team-a')).toEqual({ origin: 'https://registry.team-a-pipeline.svc:5000', tlsName: 'registry.team-a-pipeline.svc' });
    expect(upstreamFromTemplates('https://127.0.0.1:5443/ignored', 'registry.{project}-pipeline.svc')('b')).toEqual({ origin: 'https://127.0.0.1:5443', tlsName: 'registry.b-pipeline.svc' });
  });

  it('default to the data plane\'s registry address', () => {
    const { dataPlaneNamespace, registryHost } = jest.requireActual('@keelson/data-plane');
    expect(DEFAULT_UPSTREAM).toBe(`https://${registryHost(dataPlaneNamespace('{project}'))}`);
  });
});
