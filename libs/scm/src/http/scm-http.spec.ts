import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { STRICT_OUTBOUND_POLICY, type HostLookup, type OutboundPolicy } from '@keelson/outbound';
import { ScmError } from '../scm.errors';
import { ScmHttp, type ScmHttpOptions } from './scm-http';

const LOOPBACK: OutboundPolicy = { allowHttp: true, allowCidrs: ['127.0.0.0/8'] };
const TOKEN = 'gho_s3cr3tT0kenValue';

interface Seen {
  method: string;
  url: string;
  host?: string;
  authorization?: string;
}

/** A loopback server answering with `handler`, recording what reached it. */
async function server(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ port: number; seen: Seen[]; close(): Promise<void> }> {
  const seen: Seen[] = [];
  const srv: Server = createServer((req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', host: req.headers.host, authorization: req.headers.authorization });
    handler(req, res);
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  return {
    port: (srv.address() as AddressInfo).port,
    seen,
    close: () => new Promise<void>((resolve) => {
      srv.closeAllConnections();
      srv.close(() => resolve());
    }),
  };
}

/** A resolver answering from a table, counting questions; a list of answers is used in turn (DNS rebinding). */
function dns(table: Record<string, string[] | string[][]>): HostLookup & { asked: string[] } {
  const asked: string[] = [];
  const turn = new Map<string, number>();
  return Object.assign(async (hostname: string) => {
    asked.push(hostname);
    const answer = table[hostname];
    if (!answer) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    if (!Array.isArray(answer[0])) return answer as string[];
    const n = turn.get(hostname) ?? 0;
    turn.set(hostname, n + 1);
    const answers = answer as string[][];
    return answers[Math.min(n, answers.length - 1)];
  }, { asked });
}

function transport(origins: string[], overrides: Partial<ScmHttpOptions> = {}): ScmHttp {
  return new ScmHttp({ provider: 'GitHub', origins, policy: LOOPBACK, clock: () => new Date('2026-03-01T12:00:00Z'), ...overrides });
}

async function failure(promise: Promise<unknown>): Promise<ScmError> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ScmError);
  return err as ScmError;
}

describe('ScmHttp', () => {
  let srv: Awaited<ReturnType<typeof server>>;
  afterEach(async () => srv?.close());

  // git.example.test has no DNS entry anywhere: the connection can only have used the pinned address.
  it('connects to the address that was checked, sending the original host name and the token', async () => {
    srv = await server((_req, res) => res.end('{"ok":true}'));
    const lookup = dns({ 'git.example.test': ['127.0.0.1'] });
    const http = transport([`http://git.example.test:${srv.port}`], { lookup });
    const { body } = await http.json<{ ok: boolean }>({ method: 'GET', url: `http://git.example.test:${srv.port}/user`, auth: { scheme: 'Bearer', token: TOKEN } });
    expect(body.ok).toBe(true);
    expect(srv.seen).toEqual([{ method: 'GET', url: '/user', host: `git.example.test:${srv.port}`, authorization: `Bearer ${TOKEN}` }]);
    expect(lookup.asked).toEqual(['git.example.test']);
  });

  it('refuses a host whose DNS answer is the metadata address, without connecting', async () => {
    srv = await server((_req, res) => res.end('{}'));
    const lookup = dns({ 'gitlab.evil.test': ['203.0.113.7', '169.254.169.254'] });
    const http = transport(['https://gitlab.evil.test'], { lookup, policy: STRICT_OUTBOUND_POLICY });
    const err = await failure(http.send({ method: 'GET', url: 'https://gitlab.evil.test/api/v4/user', auth: { scheme: 'Bearer', token: TOKEN } }));
    expect(err.code).toBe('OutboundRefused');
    expect(err.message).toContain('169.254.169.254');
    expect(err.message).not.toContain(TOKEN);
    expect(srv.seen).toHaveLength(0);
  });

  it('resolves once per request and never again at connect time, so a rebinding answer cannot move it', async () => {
    srv = await server((_req, res) => res.end('{}'));
    // First answer passes the check; a second lookup would say 169.254.169.254.
    const lookup = dns({ 'rebind.example.test': [['127.0.0.1'], ['169.254.169.254']] });
    const http = transport([`http://rebind.example.test:${srv.port}`], { lookup });
    await http.ok({ method: 'GET', url: `http://rebind.example.test:${srv.port}/a` });
    expect(lookup.asked).toEqual(['rebind.example.test']);
    expect(srv.seen).toHaveLength(1);
    // The next request asks DNS again, gets the rebound answer, and is refused before connecting.
    expect((await failure(http.ok({ method: 'GET', url: `http://rebind.example.test:${srv.port}/b` }))).code).toBe('OutboundRefused');
    expect(srv.seen).toHaveLength(1);
  });

  it('refuses a URL outside the provider\'s origins (a pagination link to another host) before asking DNS', async () => {
    const lookup = dns({ 'elsewhere.test': ['127.0.0.1'] });
    const http = transport(['https://api.github.com'], { lookup });
    const err = await failure(http.send({ method: 'GET', url: 'http://elsewhere.test/steal', auth: { scheme: 'Bearer', token: TOKEN } }));
    expect(err.code).toBe('OutboundRefused');
    expect(err.message).toBe('GitHub GET /steal: http://elsewhere.test is not this provider\'s origin (https://api.github.com); nothing is sent there');
    expect(lookup.asked).toEqual([]);
  });

  it('refuses a redirect to another origin and does not contact it', async () => {
    srv = await server((_req, res) => {
      res.writeHead(302, { Location: 'http://internal.test/latest/meta-data' });
      res.end();
    });
    const lookup = dns({ 'internal.test': ['127.0.0.1'] });
    const http = transport([`http://127.0.0.1:${srv.port}`], { lookup });
    const err = await failure(http.send({ method: 'GET', url: `http://127.0.0.1:${srv.port}/repos/a/b`, auth: { scheme: 'Bearer', token: TOKEN } }));
    expect(err).toMatchObject({ code: 'OutboundRefused', status: 302 });
    expect(err.message).toContain('redirected to another origin (http://internal.test)');
    expect(lookup.asked).toEqual([]);
    expect(srv.seen).toHaveLength(1);
  });

  it('refuses a redirect that only changes the port or downgrades the scheme', async () => {
    srv = await server((_req, res) => {
      res.writeHead(301, { Location: `http://127.0.0.1:${srv.port + 1}/x` });
      res.end();
    });
    const http = transport([`http://127.0.0.1:${srv.port}`]);
    expect((await failure(http.send({ method: 'GET', url: `http://127.0.0.1:${srv.port}/x` }))).code).toBe('OutboundRefused');
  });

  it('follows a same-origin redirect with the token, and repeats a POST only on 307/308', async () => {
    srv = await server((req, res) => {
      if (req.url === '/old') {
        res.writeHead(req.method === 'POST' ? 307 : 301, { Location: '/new' });
        return res.end();
      }
      if (req.url === '/post-302') {
        res.writeHead(302, { Location: '/new' });
        return res.end();
      }
      res.end(JSON.stringify({ method: req.method }));
    });
    const http = transport([`http://127.0.0.1:${srv.port}`]);
    const base = `http://127.0.0.1:${srv.port}`;
    const get = await http.json<{ method: string }>({ method: 'GET', url: `${base}/old`, auth: { scheme: 'Bearer', token: TOKEN } });
    expect(get.body.method).toBe('GET');
    expect(get.response.url.pathname).toBe('/new');
    expect((await http.json<{ method: string }>({ method: 'POST', url: `${base}/old`, json: {} })).body.method).toBe('POST');
    expect(srv.seen.filter((s) => s.url === '/new').map((s) => s.authorization)).toEqual([`Bearer ${TOKEN}`, undefined]);
    const err = await failure(http.send({ method: 'POST', url: `${base}/post-302`, json: {} }));
    expect(err.code).toBe('InvalidResponse');
  });

  it('hands a redirect back untouched when asked not to follow (GitHub\'s branch 301)', async () => {
    srv = await server((_req, res) => {
      res.writeHead(301, { Location: '/repos/a/b/branches/main' });
      res.end();
    });
    const http = transport([`http://127.0.0.1:${srv.port}`]);
    const response = await http.send({ method: 'GET', url: `http://127.0.0.1:${srv.port}/repos/a/b/branches/master`, followRedirects: false });
    expect(response.status).toBe(301);
    expect(srv.seen).toHaveLength(1);
  });

  it('gives up after the deadline when the server never answers', async () => {
    srv = await server(() => undefined);
    const http = transport([`http://127.0.0.1:${srv.port}`], { timeoutMs: 200 });
    const started = Date.now();
    const err = await failure(http.send({ method: 'GET', url: `http://127.0.0.1:${srv.port}/slow`, auth: { scheme: 'Bearer', token: TOKEN } }));
    expect(err).toMatchObject({ code: 'Timeout', retryable: true, message: 'GitHub GET /slow: no complete answer within 200 ms' });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('counts a body that trickles in past the deadline as a timeout', async () => {
    srv = await server((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('[');
    });
    const http = transport([`http://127.0.0.1:${srv.port}`], { timeoutMs: 200 });
    expect((await failure(http.send({ method: 'GET', url: `http://127.0.0.1:${srv.port}/x` }))).code).toBe('Timeout');
  });

  it('never puts the token, the client secret or their encodings in a message, even when the provider echoes them', async () => {
    srv = await server((req, res) => {
      res.writeHead(401, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ message: `Bad credentials: ${req.headers.authorization} ${encodeURIComponent(TOKEN)}` }));
    });
    const http = transport([`http://127.0.0.1:${srv.port}`]);
    const bearer = await failure(http.ok({ method: 'GET', url: `http://127.0.0.1:${srv.port}/user`, auth: { scheme: 'Bearer', token: TOKEN } }));
    expect(bearer).toMatchObject({ code: 'Unauthorized', status: 401 });
    expect(bearer.message).toBe('GitHub GET /user: HTTP 401 (Bad credentials: Bearer [redacted] [redacted])');
    const basic = await failure(http.ok({ method: 'POST', url: `http://127.0.0.1:${srv.port}/token`, auth: { basic: { username: 'client', password: 'client-s3cret' } } }));
    expect(basic.message).not.toMatch(/client-s3cret|Y2xpZW50OmNsaWVudC1zM2NyZXQ=/);
    expect(JSON.stringify(basic)).not.toContain('s3cret');
  });

  it.each([
    [404, 'NotFound'],
    [409, 'Conflict'],
    [403, 'Forbidden'],
    [500, 'Unavailable'],
    [502, 'Unavailable'],
    [422, 'InvalidResponse'],
  ])('maps HTTP %i to %s', async (status, code) => {
    srv = await server((_req, res) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end('{"message":"nope"}');
    });
    const http = transport([`http://127.0.0.1:${srv.port}`]);
    expect(await failure(http.ok({ method: 'GET', url: `http://127.0.0.1:${srv.port}/x` }))).toMatchObject({ code, status, message: `GitHub GET /x: HTTP ${status} (nope)` });
  });

  it('reads a spent GitHub limit (403, x-ratelimit-remaining 0) as RateLimited until the reset', async () => {
    srv = await server((_req, res) => {
      res.writeHead(403, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1772370000' });
      res.end('{"message":"API rate limit exceeded"}');
    });
    const http = transport([`http://127.0.0.1:${srv.port}`]);
    const err = await failure(http.ok({ method: 'GET', url: `http://127.0.0.1:${srv.port}/user/repos` }));
    expect(err).toMatchObject({ code: 'RateLimited', status: 403, retryable: true, retryAt: new Date(1772370000 * 1000).toISOString() });
  });

  it('reads 429 with Retry-After as RateLimited that many seconds from now', async () => {
    srv = await server((_req, res) => {
      res.writeHead(429, { 'Retry-After': '30' });
      res.end();
    });
    const http = transport([`http://127.0.0.1:${srv.port}`]);
    expect(await failure(http.ok({ method: 'GET', url: `http://127.0.0.1:${srv.port}/x` }))).toMatchObject({ code: 'RateLimited', retryAt: '2026-03-01T12:00:30.000Z' });
  });

  it('reports a refused connection as Unavailable, retryable', async () => {
    srv = await server(() => undefined);
    const port = srv.port;
    await srv.close();
    const http = transport([`http://127.0.0.1:${port}`]);
    expect(await failure(http.send({ method: 'GET', url: `http://127.0.0.1:${port}/x` }))).toMatchObject({ code: 'Unavailable', retryable: true, message: 'GitHub GET /x: no answer (ECONNREFUSED)' });
  });

  it('refuses an answer larger than the cap', async () => {
    srv = await server((_req, res) => res.end('x'.repeat(5000)));
    const http = transport([`http://127.0.0.1:${srv.port}`], { maxResponseBytes: 1000 });
    expect((await failure(http.send({ method: 'GET', url: `http://127.0.0.1:${srv.port}/x` }))).code).toBe('InvalidResponse');
  });

  it('reports a 2xx that is not JSON as InvalidResponse', async () => {
    srv = await server((_req, res) => res.end('<html>login</html>'));
    const http = transport([`http://127.0.0.1:${srv.port}`]);
    expect(await failure(http.json({ method: 'GET', url: `http://127.0.0.1:${srv.port}/user` }))).toMatchObject({ code: 'InvalidResponse', message: 'GitHub GET /user: HTTP 200: the answer is not JSON' });
  });
});
