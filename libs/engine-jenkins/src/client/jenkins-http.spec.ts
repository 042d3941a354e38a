// The transport against a fixture server that follows the reference's "Auth and CSRF" section: the crumb is
// tied to the session cookie of the crumb request, the issuer answers 404 when CSRF is off, and a request
// authenticated with an API token needs no crumb.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { inspect } from 'node:util';

import { createLogger } from '@keelson/observability';

import { JenkinsEngineClient } from './jenkins-engine.client';
import { JenkinsHttp, JenkinsHttpPool } from './jenkins-http';
import { JenkinsClientError } from './jenkins.errors';
import { JenkinsFixtureServer } from './testing/jenkins-fixture.server';

const PASSWORD = 's3cr3t-p@ss';
const TOKEN = '11aa22bb33cc44dd55ee66ff77889900aa';

describe('Jenkins HTTP transport', () => {
  let jenkins: JenkinsFixtureServer;
  const endpoint = () => ({ url: jenkins.url, username: 'keelson', password: PASSWORD });
  const post = (http: JenkinsHttp) => http.send({ method: 'POST', path: '/job/web/doDelete' });

  beforeAll(async () => {
    jenkins = await JenkinsFixtureServer.start('/jenkins');
  });
  beforeEach(() => {
    jenkins.reset();
    jenkins.users.set('keelson', PASSWORD);
    jenkins.on('POST', '/job/web/doDelete', { status: 302, headers: { Location: '../..' } });
  });
  afterAll(() => jenkins.stop());

  it('sends the crumb with the session cookie of the crumb request on a POST', async () => {
    jenkins.csrf = { crumb: 'c0ffee', session: 'JSESSIONID.abc=node0s1' };
    const response = await post(new JenkinsHttp(endpoint()));
    expect(response.status).toBe(302);
    const sent = jenkins.requests.find((r) => r.method === 'POST');
    expect(sent?.headers['jenkins-crumb']).toBe('c0ffee');
    expect(sent?.headers.cookie).toContain('JSESSIONID.abc=node0s1');
  });

  it('asks for the crumb once and reuses it, with its session, for later requests', async () => {
    jenkins.csrf = { crumb: 'c0ffee', session: 'JSESSIONID.abc=node0s1' };
    const http = new JenkinsHttp(endpoint());
    await Promise.all([post(http), post(http)]);
    await post(http);
    expect(jenkins.requests.filter((r) => r.path === '/crumbIssuer/api/json')).toHaveLength(1);
    expect(jenkins.requests.filter((r) => r.method === 'POST').every((r) => r.headers.cookie?.includes('JSESSIONID.abc=node0s1'))).toBe(true);
  });

  it('posts without a crumb when the crumb issuer answers 404 (CSRF protection off)', async () => {
    const response = await post(new JenkinsHttp(endpoint()));
    expect(response.status).toBe(302);
    const sent = jenkins.requests.find((r) => r.method === 'POST');
    expect(sent?.headers['jenkins-crumb']).toBeUndefined();
  });

  it('refreshes crumb and session once after a 403 and retries the POST', async () => {
    jenkins.csrf = { crumb: 'old', session: 'JSESSIONID.abc=s1' };
    const http = new JenkinsHttp(endpoint());
    await post(http);
    // Jenkins restarted: the old session and crumb are void.
    jenkins.csrf = { crumb: 'new', session: 'JSESSIONID.abc=s2' };
    jenkins.requests.length = 0;
    const response = await post(http);
    expect(response.status).toBe(302);
    expect(jenkins.requests.map((r) => `${r.method} ${r.path} ${r.headers['jenkins-crumb'] ?? '-'}`)).toEqual([
      'POST /job/web/doDelete old', 'GET /crumbIssuer/api/json -', 'POST /job/web/doDelete new',
    ]);
    expect(jenkins.requests[2].headers.cookie).toBe('JSESSIONID.abc=s2');
  });

  it('fetches a crumb after a 403 to a POST sent without one (CSRF protection switched on since)', async () => {
    const http = new JenkinsHttp(endpoint());
    await post(http); // issuer 404: CSRF off, no crumb cached
    jenkins.csrf = { crumb: 'now', session: 'JSESSIONID.abc=s9' };
    jenkins.requests.length = 0;
    expect((await post(http)).status).toBe(302);
    expect(jenkins.requests.map((r) => `${r.method} ${r.path} ${r.headers['jenkins-crumb'] ?? '-'}`)).toEqual([
      'POST /job/web/doDelete -', 'GET /crumbIssuer/api/json -', 'POST /job/web/doDelete now',
    ]);
  });

  it('gives the 403 back after one retry when a fresh crumb does not help', async () => {
    jenkins.csrf = { crumb: 'c', session: 'JSESSIONID.abc=s1' };
    jenkins.on('POST', '/job/web/doDelete', { status: 403, body: 'keelson is missing the Job/Delete permission' });
    const http = new JenkinsHttp(endpoint());
    const response = await post(http);
    expect(response.status).toBe(403);
    expect(jenkins.requests.filter((r) => r.method === 'POST')).toHaveLength(2);
    expect(http.errorFor(response, 'deleting job web')).toMatchObject({ code: 'Forbidden', retryable: false });
  });

  it('posts with the crumb when authenticated with an API token, which Jenkins accepts either way', async () => {
    jenkins.csrf = { crumb: 'c', session: 'JSESSIONID.abc=s1' };
    jenkins.tokens.set('bot', TOKEN);
    const response = await post(new JenkinsHttp({ url: jenkins.url, username: 'bot', password: TOKEN }));
    expect(response.status).toBe(302);
    expect(jenkins.requests.find((r) => r.method === 'POST')?.headers['jenkins-crumb']).toBe('c');
  });

  it('posts without a crumb when the issuer refuses one, as an API token needs none', async () => {
    jenkins.csrf = { crumb: 'c', session: 'JSESSIONID.abc=s1' };
    jenkins.crumbIssuerReply = { status: 403, body: 'Forbidden' };
    jenkins.tokens.set('bot', TOKEN);
    const response = await post(new JenkinsHttp({ url: jenkins.url, username: 'bot', password: TOKEN }));
    expect(response.status).toBe(302);
  });

  it('fails a POST with Unauthorized when the password is wrong', async () => {
    jenkins.csrf = { crumb: 'c', session: 'JSESSIONID.abc=s1' };
    const http = new JenkinsHttp({ ...endpoint(), password: 'wrong' });
    await expect(post(http)).rejects.toMatchObject({ code: 'Unauthorized', retryable: false });
  });

  it('keeps one transport per endpoint and user, and a new one when the password changes', () => {
    const pool = new JenkinsHttpPool();
    const first = pool.for(endpoint());
    expect(pool.for({ ...endpoint(), url: `${jenkins.url}/` })).toBe(first);
    expect(pool.for({ ...endpoint(), password: 'rotated' })).not.toBe(first);
  });

  it('treats a 503 as a retryable Unreachable', async () => {
    jenkins.on('GET', '/job/web/api/json', { status: 503, body: 'Jenkins is getting ready to work' });
    const http = new JenkinsHttp(endpoint());
    const response = await http.send({ method: 'GET', path: '/job/web/api/json' });
    expect(http.errorFor(response, 'reading job web')).toMatchObject({ code: 'Unreachable', retryable: true, status: 503 });
  });

  it('treats a refused connection as a retryable Unreachable', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const { port } = closed.address() as AddressInfo;
    await new Promise((r) => closed.close(r));
    const http = new JenkinsHttp({ url: `http://127.0.0.1:${port}/jenkins`, username: 'keelson', password: PASSWORD });
    const error = await http.send({ method: 'GET', path: '/api/json' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JenkinsClientError);
    expect(error).toMatchObject({ code: 'Unreachable', retryable: true });
    expect((error as Error).message).toContain('ECONNREFUSED');
  });

  describe('against a server that never answers', () => {
    let silent: Server;
    beforeAll(async () => {
      silent = createServer(() => undefined);
      await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    });
    afterAll(async () => {
      silent.closeAllConnections();
      await new Promise((r) => silent.close(r));
    });

    it('gives up at the deadline with a retryable Unreachable', async () => {
      const { port } = silent.address() as AddressInfo;
      const http = new JenkinsHttp({ url: `http://127.0.0.1:${port}`, username: 'keelson', password: PASSWORD }, { timeoutMs: 150 });
      await expect(http.send({ method: 'GET', path: '/api/json' })).rejects.toMatchObject({ code: 'Unreachable', retryable: true });
    });
  });

  it('never puts the password or the Authorization header into errors or logs', async () => {
    // An error page that echoes what it received, the worst case for a message built from the body.
    jenkins.csrf = { crumb: 'c', session: 'JSESSIONID.abc=s1' };
    jenkins.on('POST', '/credentials/store/system/domain/_/createCredentials', (r) => ({
      status: 500, body: `<pre>java.lang.IllegalStateException: ${r.headers.authorization} ${r.body}</pre>`,
    }));
    const lines: string[] = [];
    const logger = createLogger({ level: 'debug', destination: new Writable({ write(chunk, _, done) { lines.push(String(chunk)); done(); } }) });
    const client = new JenkinsEngineClient({ logger });
    const error = await client
      .ensureCredential(endpoint(), { id: 'git', username: 'deploy', password: 'the-git-token<&>' })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'Unreachable', status: 500 });
    const refused = await new JenkinsEngineClient({ logger })
      .deleteJob({ url: 'http://127.0.0.1:1/jenkins', username: 'keelson', password: PASSWORD }, 'web')
      .catch((e: unknown) => e);
    const basic = Buffer.from(`keelson:${PASSWORD}`).toString('base64');
    const everything = [inspect(error, { depth: 10 }), String((error as Error).stack), inspect(refused, { depth: 10 }), JSON.stringify(refused), ...lines].join('\n');
    expect(lines.length).toBeGreaterThan(0);
    expect(everything).toContain('[redacted]');
    for (const secret of [PASSWORD, basic, 'the-git-token']) expect(everything).not.toContain(secret);
  });
});
