// Signing in at a REAL Gitea, end to end: an OAuth app made in Gitea, the provider checked by the controller, the
// authorize route's redirect followed through Gitea's own login form and grant page (giteaAuthorize), the callback,
// the credential and its token Secret (a token Gitea takes), the repositories listed into objects, and a Pipeline
// made through the API. The state key is the one the manager generates into its namespace.
import { Core, Keelson, type ObjectOf } from '@keelson/kube';
import { giteaAuthorize, startGitea, type Gitea } from '@keelson/servers';
import { createProvider, readyOf, startSourceCodeStack, type SourceCodeStack } from '../support/source-code-stack';

const PASSWORD = 'alice-password-1';
let gitea: Gitea;
let stack: SourceCodeStack;
let app: { clientId: string; clientSecret: string };
let callbackUrl: string;

const decode = (data: Record<string, string> | undefined, key: string) => (data?.[key] ? Buffer.from(data[key], 'base64').toString('utf8') : undefined);

beforeAll(async () => {
  [gitea, stack] = await Promise.all([startGitea(), startSourceCodeStack()]);
  callbackUrl = `${stack.manager.url}/api/v1/oauth/callback`;
  const alice = await gitea.createUser('alice-gitea', PASSWORD);
  await gitea.createRepo(alice.token, 'webshop', { autoInit: true });
  await gitea.createRepo(alice.token, 'infra', { private: true, autoInit: true });
  // A repository alice may only read: not listed.
  await gitea.createRepo(gitea.adminToken, 'handbook', { autoInit: true });
  await gitea.api(gitea.adminToken, 'PUT', `/repos/${gitea.adminUser}/handbook/collaborators/alice-gitea`, { permission: 'read' });
  app = await gitea.createOAuthApp(alice.token, 'keelson', [callbackUrl]);
  await createProvider(stack.admin, 'gitea', { type: 'gitea', serverUrl: gitea.url, clientId: app.clientId, clientSecret: app.clientSecret });
}, 180_000);

afterAll(async () => {
  await stack?.stop();
  await gitea?.close();
});

describe('SourceCodeProvider against a real Gitea', () => {
  it('is Verified: the API answers and the token endpoint accepts the app and its callback URL', async () => {
    const provider = await stack.waitForProvider('gitea', 'a Ready condition', (p) => readyOf(p) !== undefined);
    expect(readyOf(provider)).toMatchObject({ status: 'True', reason: 'Verified' });
  });

  it('is OAuthAppRefused with a wrong client secret, and with an app that does not list the callback URL', async () => {
    const other = await gitea.createOAuthApp(gitea.adminToken, 'elsewhere', ['http://127.0.0.1:9/elsewhere']);
    await createProvider(stack.admin, 'gitea-wrong-secret', { type: 'gitea', serverUrl: gitea.url, clientId: app.clientId, clientSecret: 'wrong-secret' });
    await createProvider(stack.admin, 'gitea-other-callback', { type: 'gitea', serverUrl: gitea.url, clientId: other.clientId, clientSecret: other.clientSecret });
    const wrong = await stack.waitForProvider('gitea-wrong-secret', 'a Ready condition', (p) => readyOf(p) !== undefined);
    const elsewhere = await stack.waitForProvider('gitea-other-callback', 'a Ready condition', (p) => readyOf(p) !== undefined);
    expect(readyOf(wrong)).toMatchObject({ status: 'False', reason: 'OAuthAppRefused', message: expect.stringContaining('invalid client secret') });
    expect(readyOf(elsewhere)).toMatchObject({ status: 'False', reason: 'OAuthAppRefused', message: expect.stringContaining('redirect') });
  });
});

describe('signing in at a real Gitea', () => {
  let credentialName: string;

  it('signs alice in through Gitea\'s login form and grant page, and keeps her token in a Secret', async () => {
    const authorize = await stack.call('GET', '/api/v1/namespaces/demo/sourcecodeproviders/gitea/authorize', { accept: 'text/html' });
    expect(authorize.status).toBe(302);
    const location = new URL(authorize.headers.get('location')!);
    expect(`${location.origin}${location.pathname}`).toBe(`${gitea.url}/login/oauth/authorize`);
    const state = location.searchParams.get('state')!;
    const granted = await giteaAuthorize(gitea, {
      username: 'alice-gitea', password: PASSWORD, clientId: location.searchParams.get('client_id')!, redirectUri: location.searchParams.get('redirect_uri')!, state,
    });
    expect(granted.consentShown).toBe(true);
    expect(granted.state).toBe(state);

    const res = await fetch(granted.callbackUrl, { headers: { accept: 'text/html' }, redirect: 'manual' });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('Signed in as <b>alice-gitea</b>');

    const credentials = (await stack.admin.resource(Keelson.SourceCodeCredential).list('demo')).items;
    expect(credentials).toHaveLength(1);
    const credential = credentials[0];
    credentialName = credential.metadata.name!;
    expect(credentialName).toMatch(/^gitea-[0-9a-f]{12}$/);
    expect(credential.spec).toMatchObject({ providerRef: { name: 'gitea' }, userName: 'alice', loginName: 'alice-gitea', tokenSecretRef: { name: `${credentialName}-token` } });
    expect(credential.spec.avatarUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);

    const secret = (await stack.admin.resource(Core.Secret).get('demo', `${credentialName}-token`)) as { data?: Record<string, string>; metadata: { ownerReferences?: Array<{ uid: string }> } };
    expect(secret.metadata.ownerReferences?.[0]?.uid).toBe(credential.metadata.uid);
    const accessToken = decode(secret.data, 'accessToken')!;
    // Gitea's OAuth tokens expire (an hour) and come with a refresh token.
    expect(decode(secret.data, 'refreshToken')).toEqual(expect.any(String));
    expect(Date.parse(decode(secret.data, 'expiresAt')!)).toBeGreaterThan(Date.now());
    // The token is alice's at Gitea.
    const me = await fetch(`${gitea.url}/api/v1/user`, { headers: { Authorization: `Bearer ${accessToken}` } });
    expect(((await me.json()) as { login: string }).login).toBe('alice-gitea');
    expect(JSON.stringify(credential)).not.toContain(accessToken);

    // The state was signed with a key the manager generated and keeps in its namespace.
    const key = (await stack.admin.resource(Core.Secret).get('keelson-system', 'keelson-oauth-state')) as { data?: Record<string, string> };
    expect(Buffer.from(key.data!.key, 'base64')).toHaveLength(32);
  });

  it('refuses the callback a second time', async () => {
    const res = await stack.call('GET', '/api/v1/namespaces/demo/sourcecodeproviders/gitea/authorize', { accept: 'text/html' });
    const location = new URL(res.headers.get('location')!);
    // Gitea remembers the grant: no consent page the second time, straight back with a code.
    const granted = await giteaAuthorize(gitea, {
      username: 'alice-gitea', password: PASSWORD, clientId: app.clientId, redirectUri: callbackUrl, state: location.searchParams.get('state')!,
    });
    expect(granted.consentShown).toBe(false);
    expect((await fetch(granted.callbackUrl, { headers: { accept: 'application/json' } })).status).toBe(201);
    const replay = await fetch(granted.callbackUrl, { headers: { accept: 'application/json' } });
    expect(replay.status).toBe(400);
    expect(await replay.json()).toMatchObject({ code: 'StateReused' });
  });

  it('lists the repositories alice can push to, and not the one she only reads', async () => {
    const credential = await stack.waitForCredential(credentialName, 'Ready with a listing', (c) => readyOf(c)?.status === 'True' && c.status?.repositoryCount === 2);
    expect(credential.status?.tokenExpiresAt).toEqual(expect.any(String));
    const repos = await stack.repositories(credentialName);
    expect(repos.map((r) => r.spec.fullName)).toEqual(['alice-gitea/infra', 'alice-gitea/webshop']);
    expect(repos[1].spec).toMatchObject({ url: `${gitea.url}/alice-gitea/webshop.git`, defaultBranch: 'main', private: false, permissions: { pull: true, push: true, admin: true } });
    expect(repos[0].spec.private).toBe(true);
  });

  it('creates a Pipeline for the repository alice picks, through the API', async () => {
    const listed = await stack.call('GET', `/api/v1/namespaces/demo/sourcecoderepositories?credential=${credentialName}`);
    const items = ((await listed.json()) as { items: Array<ObjectOf<typeof Keelson.SourceCodeRepository>> }).items;
    const webshop = items.find((r) => r.spec.fullName === 'alice-gitea/webshop')!;
    const res = await stack.call('POST', '/api/v1/namespaces/demo/pipelines', { body: { repository: webshop.metadata.name } });
    expect(res.status).toBe(201);
    const pipeline = await stack.admin.resource(Keelson.Pipeline).get('demo', 'webshop');
    expect(pipeline.spec).toMatchObject({ repositoryUrl: `${gitea.url}/alice-gitea/webshop.git`, credentialRef: { name: credentialName }, displayName: 'alice-gitea/webshop' });
  });
});
