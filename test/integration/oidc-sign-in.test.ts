// The console's OIDC sign-in against a protocol-faithful provider double (OpenID Connect Core, PKCE): the manager
// sends the browser to the issuer with a sealed state, a nonce and a S256 challenge, takes the code back with the
// browser's binding cookie, trades it with the verifier and the client secret, verifies the ID token, and hands it
// to the console in the /login fragment. Every way the sign-in can be wrong ends on /login#error=<code>.
import { createPublicKey, verify } from 'node:crypto';
import { silentLogger } from '@keelson/observability';
import { ControlPlane, freePort, RedisServer } from '@keelson/servers';
import { startManager, type Manager } from '../../apps/manager/src/manager';
import { startOidcProviderDouble, type OidcProviderDouble } from '../support/oidc-provider-double';

const CLIENT = { id: 'keelson-console', secret: 'console-client-secret-value' };
let cp: ControlPlane;
let redis: RedisServer;
let issuer: OidcProviderDouble;
let manager: Manager;
let plain: Manager;

const managerEnv = (port: number) => ({
  KUBECONFIG: cp.managerKubeconfig, HOST: '127.0.0.1', PORT: String(port), ROLES: 'api', REDIS_URL: redis.url, REDIS_PREFIX: `keelson-oidc-${process.pid}-${port}`,
  PUBLIC_URL: `http://127.0.0.1:${port}`, OAUTH_STATE_KEY: 'oidc-test-state-key-0123456789abcdef0123', OUTBOUND_ALLOW_HTTP: 'true', OUTBOUND_ALLOW_CIDRS: '127.0.0.0/8',
});

const get = (url: string, headers: Record<string, string> = {}) => fetch(url, { redirect: 'manual', headers });
const fragmentOf = (location: string | null) => {
  expect(location).toMatch(/^\/login#/);
  return new URLSearchParams(location!.slice('/login#'.length));
};
const cookieOf = (res: Response) => /^(keelson_oidc=[^;]*)/.exec(res.headers.get('set-cookie') ?? '')?.[1];

/** The browser's way to the callback: login route → issuer → the callback URL, and the cookie the login set. */
async function toCallback(next = '/p/demo/pipelines'): Promise<{ authorize: URL; callback: string; cookie: string }> {
  const login = await get(`${manager.url}/api/v1/auth/oidc/login?${new URLSearchParams({ next })}`);
  expect(login.status).toBe(302);
  const authorize = new URL(login.headers.get('location')!);
  const atIssuer = await get(authorize.toString());
  expect(atIssuer.status).toBe(302);
  return { authorize, callback: atIssuer.headers.get('location')!, cookie: cookieOf(login)! };
}

beforeAll(async () => {
  [cp, redis, issuer] = await Promise.all([ControlPlane.start(), RedisServer.start(), startOidcProviderDouble()]);
  const [port, plainPort] = [await freePort(), await freePort()];
  issuer.state.clients.set(CLIENT.id, { ...CLIENT, redirectUris: [`http://127.0.0.1:${port}/api/v1/auth/oidc/callback`] });
  manager = await startManager({ ...managerEnv(port), OIDC_ISSUER_URL: issuer.issuer, OIDC_CLIENT_ID: CLIENT.id, OIDC_CLIENT_SECRET: CLIENT.secret }, silentLogger);
  plain = await startManager(managerEnv(plainPort), silentLogger);
}, 120_000);

afterAll(async () => {
  await manager?.close();
  await plain?.close();
  await issuer?.close();
  await redis?.stop();
  await cp?.stop();
});

beforeEach(() => {
  issuer.state.tamper = 'none';
  issuer.state.deny = false;
});

describe('GET /api/v1/auth/config', () => {
  it('names the issuer when OIDC is configured, and never the client secret', async () => {
    const res = await get(`${manager.url}/api/v1/auth/config`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({ oidc: { enabled: true, issuer: issuer.issuer } });
    expect(text).not.toContain(CLIENT.secret);
  });

  it('says disabled without OIDC settings, and the login route answers 404 OidcNotConfigured', async () => {
    expect(await (await get(`${plain.url}/api/v1/auth/config`)).json()).toEqual({ oidc: { enabled: false } });
    const login = await get(`${plain.url}/api/v1/auth/oidc/login`);
    expect(login.status).toBe(404);
    expect(await login.json()).toMatchObject({ code: 'OidcNotConfigured' });
  });
});

describe('signing in', () => {
  it('sends the browser to the issuer with the code flow, PKCE S256, a sealed state and a nonce, bound by an HttpOnly cookie', async () => {
    const login = await get(`${manager.url}/api/v1/auth/oidc/login?next=%2Fapprovals`);
    expect(login.status).toBe(302);
    const authorize = new URL(login.headers.get('location')!);
    expect(`${authorize.origin}${authorize.pathname}`).toBe(`${issuer.issuer}/authorize`);
    const q = Object.fromEntries(authorize.searchParams);
    expect(q).toMatchObject({
      response_type: 'code', client_id: CLIENT.id, redirect_uri: `${manager.url}/api/v1/auth/oidc/callback`, scope: 'openid email groups', code_challenge_method: 'S256',
    });
    expect(q.code_challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(q.nonce).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(q.state).toMatch(/^o1\./);
    expect(q.state).not.toContain('approvals');
    expect(authorize.toString()).not.toContain(CLIENT.secret);
    const cookie = login.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^keelson_oidc=[A-Za-z0-9_-]{43}; Path=\/api\/v1\/auth\/oidc; Max-Age=600; HttpOnly; SameSite=Lax$/);
  });

  it('ends on /login with a verifiable ID token for our client and the nonce it sent, and where to go next', async () => {
    const { authorize, callback, cookie } = await toCallback('/p/demo/pipelines?tab=runs');
    expect(callback.startsWith(`${manager.url}/api/v1/auth/oidc/callback?`)).toBe(true);
    const done = await get(callback, { cookie });
    expect(done.status).toBe(302);
    expect(done.headers.get('cache-control')).toBe('no-store');
    expect(done.headers.get('set-cookie')).toMatch(/^keelson_oidc=; .*Max-Age=0/);
    const fragment = fragmentOf(done.headers.get('location'));
    expect(fragment.get('next')).toBe('/p/demo/pipelines?tab=runs');
    const idToken = fragment.get('id_token')!;
    const [header, payload, signature] = idToken.split('.');
    const key = createPublicKey({ key: issuer.publicJwk as never, format: 'jwk' });
    expect(verify('sha256', Buffer.from(`${header}.${payload}`), key, Buffer.from(signature, 'base64url'))).toBe(true);
    expect(JSON.parse(Buffer.from(payload, 'base64url').toString())).toMatchObject({
      iss: issuer.issuer, aud: CLIENT.id, sub: 'alice-sub', email: 'alice@example.test', nonce: authorize.searchParams.get('nonce'),
    });
    // The manager authenticated as a confidential client (its secret in the Authorization header only).
    expect(issuer.state.requests.filter((r) => r.path === '/token').at(-1)).toEqual({ method: 'POST', path: '/token', status: 200, clientAuth: 'client_secret_basic' });
  });

  it('completes a state once: the same callback again is refused', async () => {
    const { callback, cookie } = await toCallback();
    expect(fragmentOf((await get(callback, { cookie })).headers.get('location')).get('id_token')).toBeTruthy();
    const again = fragmentOf((await get(callback, { cookie })).headers.get('location'));
    expect(again.get('error')).toBe('OidcInvalidState');
    expect(again.get('error_description')).toMatch(/already completed a sign-in/);
  });

  it('refuses a callback in a browser that did not start the sign-in (no or another binding cookie)', async () => {
    const { callback } = await toCallback();
    for (const cookie of [undefined, 'keelson_oidc=someone-elses-cookie-value']) {
      const res = await get(callback, cookie ? { cookie } : {});
      expect(fragmentOf(res.headers.get('location')).get('error_description')).toMatch(/started in another browser/);
    }
  });

  it.each([
    ['other-key', /signature does not match/],
    ['wrong-audience', /aud does not include the client id/],
    ['wrong-nonce', /nonce is not the one this sign-in sent/],
    ['expired', /expired at/],
  ] as const)('refuses an ID token that is wrong (%s) with OidcInvalidIdToken', async (tamper, why) => {
    const { callback, cookie } = await toCallback();
    issuer.state.tamper = tamper;
    const fragment = fragmentOf((await get(callback, { cookie })).headers.get('location'));
    expect(fragment.get('id_token')).toBeNull();
    expect(fragment.get('error')).toBe('OidcInvalidIdToken');
    expect(fragment.get('error_description')).toMatch(why);
  });

  it('passes on the issuer\'s refusal as OidcAccessDenied, with its words', async () => {
    issuer.state.deny = true;
    const { callback, cookie } = await toCallback();
    const fragment = fragmentOf((await get(callback, { cookie })).headers.get('location'));
    expect(fragment.get('error')).toBe('OidcAccessDenied');
    expect(fragment.get('error_description')).toContain('access_denied: the user refused');
  });

  it('refuses a forged code at the token endpoint as OidcCodeRefused', async () => {
    const { callback, cookie } = await toCallback();
    const forged = new URL(callback);
    forged.searchParams.set('code', 'forged-code');
    const fragment = fragmentOf((await get(forged.toString(), { cookie })).headers.get('location'));
    expect(fragment.get('error')).toBe('OidcCodeRefused');
    expect(fragment.get('error_description')).toContain('invalid_grant');
  });

  it.each(['//evil.example/x', 'https://evil.example/', '/\\evil.example'])('refuses next=%j before going to the issuer', async (next) => {
    const login = await get(`${manager.url}/api/v1/auth/oidc/login?${new URLSearchParams({ next })}`);
    expect(login.status).toBe(302);
    const fragment = fragmentOf(login.headers.get('location'));
    expect(fragment.get('error')).toBe('OidcInvalidRequest');
    expect(fragment.get('error_description')).toMatch(/^next: /);
  });

  it('refuses a callback without a state, and a forged one', async () => {
    expect(fragmentOf((await get(`${manager.url}/api/v1/auth/oidc/callback?code=x`)).headers.get('location')).get('error')).toBe('OidcInvalidRequest');
    const forged = fragmentOf((await get(`${manager.url}/api/v1/auth/oidc/callback?code=x&state=o1.AAAA.BBBB`, { cookie: 'keelson_oidc=x' })).headers.get('location'));
    expect(forged.get('error')).toBe('OidcInvalidState');
  });

  it('leaves authorisation to the cluster: an ID token the apiserver does not trust is a 401 of the API', async () => {
    const { callback, cookie } = await toCallback();
    const idToken = fragmentOf((await get(callback, { cookie })).headers.get('location')).get('id_token')!;
    const res = await get(`${manager.url}/api/v1/projects`, { authorization: `Bearer ${idToken}`, accept: 'application/json' });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: 'InvalidToken' });
  });
});
