// Signing in at a git provider and what follows, against the GitHub, GitLab and Bitbucket protocol doubles: the
// provider controller's real check (API and OAuth app), the authorize route and the callback (state signed,
// single-use), the credential and its token Secret, repositories listed into objects and kept in step, tokens
// refreshed before they expire, a revoked token, rate limits, and a Pipeline made from a repository.
import { Core, Keelson, type ObjectOf } from '@keelson/kube';
import { startBitbucketDouble, type BitbucketDouble } from '../doubles/bitbucket/bitbucket-double';
import { startGitHubDouble, type GitHubDouble } from '../doubles/github/github-double';
import { startGitLabDouble, type GitLabDouble } from '../doubles/gitlab/gitlab-double';
import { createProvider, readyOf, startSourceCodeStack, type SourceCodeStack } from '../support/source-code-stack';

const STATE_KEY = 'test-state-key-0123456789abcdef0123456789';
let stack: SourceCodeStack;
let github: GitHubDouble;
let gitlab: GitLabDouble;
let bitbucket: BitbucketDouble;

const decode = (data: Record<string, string> | undefined, key: string) => (data?.[key] ? Buffer.from(data[key], 'base64').toString('utf8') : undefined);
const secretOf = async (name: string) => (await stack.admin.resource(Core.Secret).find('demo', name)) as { data?: Record<string, string>; metadata: { ownerReferences?: Array<{ uid: string; kind: string }> } } | undefined;

/** Walks the sign-in as alice's browser would: authorize route → provider → callback. Returns the callback URL. */
async function signInThrough(providerName: string): Promise<string> {
  const authorize = await stack.call('GET', `/api/v1/namespaces/demo/sourcecodeproviders/${providerName}/authorize`, { accept: 'text/html' });
  expect(authorize.status).toBe(302);
  const atProvider = await fetch(authorize.headers.get('location')!, { redirect: 'manual' });
  expect(atProvider.status).toBe(302);
  const callback = atProvider.headers.get('location')!;
  expect(callback.startsWith(`${stack.manager.url}/api/v1/oauth/callback?`)).toBe(true);
  return callback;
}

beforeAll(async () => {
  [github, gitlab, bitbucket] = await Promise.all([startGitHubDouble(), startGitLabDouble(), startBitbucketDouble()]);
  stack = await startSourceCodeStack({ OAUTH_STATE_KEY: STATE_KEY, REPOSITORY_REFRESH_SECONDS: '600', CONSOLE_URL: 'https://console.example.test' });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  await Promise.all([github?.close(), gitlab?.close(), bitbucket?.close()]);
});

describe('SourceCodeProvider controller', () => {
  it('marks a provider Ready (Verified) when its API answers and its token endpoint accepts the OAuth app', async () => {
    github.state.addApp('gh-app', 'gh-secret');
    await createProvider(stack.admin, 'github', { type: 'github', serverUrl: github.url, apiUrl: github.apiUrl, clientId: 'gh-app', clientSecret: 'gh-secret' });
    const provider = await stack.waitForProvider('github', 'Ready', (p) => readyOf(p)?.status === 'True');
    expect(readyOf(provider)).toMatchObject({ reason: 'Verified', message: expect.stringContaining('accepts OAuth app gh-app') });
    expect(provider.status?.lastCheckTime).toEqual(expect.any(String));
    // The check offered a made-up code, and never the client secret in the clear of a log or status.
    expect(github.state.requests).toContainEqual({ method: 'GET', path: '/api/v3/user', status: 401 });
    expect(JSON.stringify(provider.status)).not.toContain('gh-secret');
  });

  it.each([
    ['GitLab', () => gitlab, 'gitlab' as const],
    ['Bitbucket', () => bitbucket, 'bitbucket' as const],
  ])('checks a %s provider the same way', async (_name, double, type) => {
    double().state.addApp(`${type}-app`, `${type}-secret`);
    await createProvider(stack.admin, type, { type, serverUrl: double().url, apiUrl: double().apiUrl, clientId: `${type}-app`, clientSecret: `${type}-secret` });
    const provider = await stack.waitForProvider(type, 'Ready', (p) => readyOf(p) !== undefined);
    expect(readyOf(provider)).toMatchObject({ status: 'True', reason: 'Verified' });
  });

  it('says OAuthAppRefused, with the provider\'s words, when the client secret is wrong', async () => {
    await createProvider(stack.admin, 'gitlab-wrong', { type: 'gitlab', serverUrl: gitlab.url, apiUrl: gitlab.apiUrl, clientId: 'gitlab-app', clientSecret: 'not-the-secret' });
    const provider = await stack.waitForProvider('gitlab-wrong', 'a Ready condition', (p) => readyOf(p) !== undefined);
    expect(readyOf(provider)).toMatchObject({ status: 'False', reason: 'OAuthAppRefused', message: expect.stringContaining('invalid_client') });
    expect(readyOf(provider)?.message).not.toContain('not-the-secret');
  });

  it('says UnexpectedAnswer when serverUrl is not the provider\'s API, and NoOAuthApp without a client id', async () => {
    await createProvider(stack.admin, 'not-github', { type: 'github', serverUrl: stack.manager.url, apiUrl: `${stack.manager.url}/nothing` });
    await createProvider(stack.admin, 'github-no-app', { type: 'github', serverUrl: github.url, apiUrl: github.apiUrl });
    expect(readyOf(await stack.waitForProvider('not-github', 'Ready', (p) => readyOf(p) !== undefined))).toMatchObject({ status: 'False', reason: 'UnexpectedAnswer', message: expect.stringContaining('HTTP 404') });
    expect(readyOf(await stack.waitForProvider('github-no-app', 'Ready', (p) => readyOf(p) !== undefined))).toMatchObject({ status: 'False', reason: 'NoOAuthApp' });
  });

  it('shows a rate limit in the condition with when it lifts, and checks again then', async () => {
    const limited = await startGitHubDouble();
    try {
      limited.state.addApp('app', 'secret');
      limited.state.rateLimit(4);
      await createProvider(stack.admin, 'github-limited', { type: 'github', serverUrl: limited.url, apiUrl: limited.apiUrl, clientId: 'app', clientSecret: 'secret' });
      const first = await stack.waitForProvider('github-limited', 'a Ready condition', (p) => readyOf(p) !== undefined);
      expect(readyOf(first)).toMatchObject({ status: 'False', reason: 'RateLimited', message: expect.stringMatching(/rate limited until \d{4}-\d\d-\d\dT/) });
      const recovered = await stack.waitForProvider('github-limited', 'Ready after the limit', (p) => readyOf(p)?.status === 'True');
      expect(readyOf(recovered)?.reason).toBe('Verified');
      // Not hammered while limited: the resync every 2 s did not check again before the limit lifted.
      expect(limited.state.requests.filter((r) => r.path === '/api/v3/user').length).toBeLessThanOrEqual(3);
    } finally {
      await limited.close();
    }
  });
});

describe('signing in (GitHub double)', () => {
  let credentialName: string;
  let callbackUrl: string;

  beforeAll(() => {
    github.state.addUser('alice-gh', { name: 'Alice Example', email: 'alice@example.test' });
    github.state.signedIn = 'alice-gh';
    github.state.addRepo({ owner: 'alice-gh', name: 'web' });
    github.state.addRepo({ owner: 'acme', name: 'api', access: { 'alice-gh': 'write' } });
    github.state.addRepo({ owner: 'acme', name: 'docs', access: { 'alice-gh': 'read' } });
    github.state.addRepo({ owner: 'acme', name: 'secret', access: { bob: 'admin' } });
  });

  it('refuses the authorize route without a bearer token, and to a user without access', async () => {
    expect((await stack.call('GET', '/api/v1/namespaces/demo/sourcecodeproviders/github/authorize', { token: null })).status).toBe(401);
    const other = await stack.call('GET', '/api/v1/namespaces/keelson-system/sourcecodeproviders/github/authorize');
    expect(other.status).toBe(403);
  });

  it('redirects to the provider with a signed state and the callback URL, or answers JSON when asked', async () => {
    const res = await stack.call('GET', '/api/v1/namespaces/demo/sourcecodeproviders/github/authorize', { accept: 'text/html' });
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location')!);
    expect(`${location.origin}${location.pathname}`).toBe(`${github.url}/login/oauth/authorize`);
    expect(location.searchParams.get('client_id')).toBe('gh-app');
    expect(location.searchParams.get('redirect_uri')).toBe(`${stack.manager.url}/api/v1/oauth/callback`);
    expect(location.searchParams.get('state')).toMatch(/^v1\.[\w-]+\.[\w-]+$/);
    const json = await stack.call('GET', '/api/v1/namespaces/demo/sourcecodeproviders/github/authorize');
    expect(json.status).toBe(200);
    expect(((await json.json()) as { authorizeUrl: string }).authorizeUrl).toMatch(new RegExp(`^${github.url}/login/oauth/authorize\\?`));
  });

  it('answers 404 for a provider that does not exist', async () => {
    const res = await stack.call('GET', '/api/v1/namespaces/demo/sourcecodeproviders/nope/authorize');
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ code: 'ProviderNotFound' });
  });

  it('makes the credential for the user who started the sign-in, with the token in a Secret it owns', async () => {
    callbackUrl = await signInThrough('github');
    const res = await fetch(callbackUrl, { headers: { accept: 'application/json' }, redirect: 'manual' });
    expect(res.status).toBe(201);
    const answer = (await res.json()) as Record<string, unknown>;
    expect(answer).toMatchObject({ namespace: 'demo', userName: 'alice', loginName: 'alice-gh', providerRef: { name: 'github' } });
    credentialName = answer.name as string;
    expect(credentialName).toMatch(/^github-[0-9a-f]{12}$/);

    const credential = (await stack.admin.resource(Keelson.SourceCodeCredential).get('demo', credentialName))!;
    expect(credential.spec).toMatchObject({ providerRef: { name: 'github' }, userName: 'alice', loginName: 'alice-gh', displayName: 'Alice Example', tokenSecretRef: { name: `${credentialName}-token`, key: 'accessToken' } });
    const secret = await secretOf(`${credentialName}-token`);
    const token = decode(secret?.data, 'accessToken')!;
    expect(github.state.tokens.get(token)?.login).toBe('alice-gh');
    expect(secret?.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'SourceCodeCredential', uid: credential.metadata.uid })]);
    // The token is nowhere but in the Secret.
    expect(JSON.stringify(credential)).not.toContain(token);
    expect(JSON.stringify(answer)).not.toContain(token);
  });

  it('lists the repositories alice can push to into SourceCodeRepository objects the credential owns', async () => {
    const credential = await stack.waitForCredential(credentialName, 'Ready with a listing', (c) => readyOf(c)?.status === 'True' && c.status?.repositoryCount !== undefined);
    expect(readyOf(credential)).toMatchObject({ reason: 'TokenValid' });
    expect(credential.status?.repositoryCount).toBe(2);
    const repos = await stack.repositories(credentialName);
    expect(repos.map((r) => r.spec.fullName)).toEqual(['acme/api', 'alice-gh/web']);
    expect(repos[0].metadata.name).toMatch(/^acme-api-[0-9a-f]{8}$/);
    expect(repos[0].spec).toMatchObject({ credentialRef: { name: credentialName }, url: `${github.url}/acme/api.git`, defaultBranch: 'main', permissions: { pull: true, push: true, admin: false } });
    expect(repos[1].spec.permissions).toEqual({ pull: true, push: true, admin: true });
    expect(repos.every((r) => r.metadata.ownerReferences?.[0]?.uid === credential.metadata.uid)).toBe(true);
    expect(repos[0].status?.lastRefreshTime).toEqual(expect.any(String));
  });

  it('refuses the same callback a second time: a state completes one sign-in', async () => {
    const res = await fetch(callbackUrl, { headers: { accept: 'application/json' } });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'StateReused' });
  });

  it('refuses a tampered state, a missing one, and a provider\'s refusal, each with a clear 400', async () => {
    const fresh = new URL(await signInThrough('github'));
    const [version, payload, signature] = fresh.searchParams.get('state')!.split('.');
    const fields = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    fields.u = 'mallory';
    const tampered = new URL(fresh);
    tampered.searchParams.set('state', `${version}.${Buffer.from(JSON.stringify(fields)).toString('base64url')}.${signature}`);
    const answers = await Promise.all([
      fetch(tampered, { headers: { accept: 'application/json' } }),
      fetch(`${stack.manager.url}/api/v1/oauth/callback?code=abc`, { headers: { accept: 'application/json' } }),
      fetch(`${stack.manager.url}/api/v1/oauth/callback?error=access_denied&error_description=The+user+denied&state=${encodeURIComponent(fresh.searchParams.get('state')!)}`, { headers: { accept: 'application/json' } }),
    ]);
    expect(answers.map((a) => a.status)).toEqual([400, 400, 400]);
    expect(await Promise.all(answers.map(async (a) => ((await a.json()) as { code: string }).code))).toEqual(['InvalidState', 'MissingParameter', 'AccessDenied']);
    expect((await stack.admin.resource(Keelson.SourceCodeCredential).list('demo')).items.filter((c) => c.spec.userName === 'mallory')).toEqual([]);
  });

  it('lists again on demand: a new repository appears, one alice lost access to goes', async () => {
    github.state.addRepo({ owner: 'acme', name: 'new-service', access: { 'alice-gh': 'admin' } });
    github.state.repo('acme/api')!.access.set('alice-gh', 'read');
    const res = await stack.call('POST', `/api/v1/namespaces/demo/sourcecodecredentials/${credentialName}/refresh`);
    expect(res.status).toBe(202);
    const requested = ((await res.json()) as { requested: string }).requested;
    await stack.waitForCredential(credentialName, 'the request answered', (c) => c.status?.handledRefreshRequest === requested);
    expect((await stack.repositories(credentialName)).map((r) => r.spec.fullName)).toEqual(['acme/new-service', 'alice-gh/web']);
  });

  it('lists them through the API, all or one credential\'s', async () => {
    const all = await stack.call('GET', '/api/v1/namespaces/demo/sourcecoderepositories');
    expect(all.status).toBe(200);
    const body = (await all.json()) as { kind: string; items: Array<{ spec: { fullName: string } }> };
    expect(body.kind).toBe('SourceCodeRepositoryList');
    expect(body.items.map((i) => i.spec.fullName).sort()).toEqual(['acme/new-service', 'alice-gh/web']);
    const none = await stack.call('GET', '/api/v1/namespaces/demo/sourcecoderepositories?credential=someone-else');
    expect(((await none.json()) as { items: unknown[] }).items).toEqual([]);
    expect((await stack.call('GET', '/api/v1/namespaces/demo/sourcecoderepositories', { token: null })).status).toBe(401);
  });

  it('creates a Pipeline for a repository alice picked, cloning with her credential', async () => {
    const [, web] = await stack.repositories(credentialName);
    const res = await stack.call('POST', '/api/v1/namespaces/demo/pipelines', { body: { repository: web.metadata.name } });
    expect(res.status).toBe(201);
    const made = (await res.json()) as ObjectOf<typeof Keelson.Pipeline>;
    expect(made.metadata.name).toBe('web');
    const pipeline = await stack.admin.resource(Keelson.Pipeline).get('demo', 'web');
    expect(pipeline.spec).toMatchObject({ repositoryUrl: `${github.url}/alice-gh/web.git`, credentialRef: { name: credentialName }, displayName: 'alice-gh/web' });

    const again = await stack.call('POST', '/api/v1/namespaces/demo/pipelines', { body: { repository: web.metadata.name } });
    expect(again.status).toBe(409);
    const named = await stack.call('POST', '/api/v1/namespaces/demo/pipelines', { body: { repository: web.metadata.name, name: 'web-2' } });
    expect(named.status).toBe(201);
  });

  it('refuses a Pipeline from another user\'s credential, an unknown repository and a bad body', async () => {
    const [, web] = await stack.repositories(credentialName);
    const answers = await Promise.all([
      stack.call('POST', '/api/v1/namespaces/demo/pipelines', { token: stack.cp.admin.token, body: { repository: web.metadata.name, name: 'as-admin' } }),
      stack.call('POST', '/api/v1/namespaces/demo/pipelines', { body: { repository: 'no-such-repo' } }),
      stack.call('POST', '/api/v1/namespaces/demo/pipelines', { body: { repository: web.metadata.name, name: 'Bad Name' } }),
      stack.call('POST', '/api/v1/namespaces/demo/pipelines', { body: { repo: web.metadata.name } }),
    ]);
    expect(answers.map((a) => a.status)).toEqual([403, 404, 400, 400]);
    expect(await Promise.all(answers.map(async (a) => ((await a.json()) as { code: string }).code))).toEqual(['NotYourCredential', 'RepositoryNotFound', 'InvalidRequest', 'InvalidRequest']);
  });

  it('says TokenRevoked, with the provider\'s words, when the provider no longer takes the token', async () => {
    const token = decode((await secretOf(`${credentialName}-token`))?.data, 'accessToken')!;
    github.state.revoke(token);
    await stack.call('POST', `/api/v1/namespaces/demo/sourcecodecredentials/${credentialName}/refresh`);
    const credential = await stack.waitForCredential(credentialName, 'Ready False', (c) => readyOf(c)?.status === 'False');
    expect(readyOf(credential)).toMatchObject({ reason: 'TokenRevoked', message: expect.stringContaining('Bad credentials') });
    expect(readyOf(credential)?.message).not.toContain(token);
    // The listing stays as it was: nothing is deleted because a token stopped working.
    expect(await stack.repositories(credentialName)).toHaveLength(2);
  });

  it('signs in again to the same credential, and a browser is sent on to the console', async () => {
    const res = await fetch(await signInThrough('github'), { headers: { accept: 'text/html' }, redirect: 'manual' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`https://console.example.test/p/demo/settings/providers?credential=${credentialName}`);
    await stack.waitForCredential(credentialName, 'Ready again', (c) => readyOf(c)?.status === 'True');
  });
});

describe('tokens that expire (GitLab double)', () => {
  it('refreshes the token before it expires, stores the new pair and shows when it expires', async () => {
    gitlab.state.addUser('alice-gl', { name: 'Alice' });
    gitlab.state.addRepo({ owner: 'alice-gl', name: 'tool' });
    gitlab.state.tokenLifetimeSeconds = 120; // inside the five-minute margin: refreshed at once
    const token = gitlab.state.issueToken('alice-gl', { clientId: 'gitlab-app' });
    await seedCredential('gitlab-alice', 'gitlab', 'alice-gl', { accessToken: token.accessToken, refreshToken: token.refreshToken!, expiresAt: new Date(token.expiresAt!).toISOString() });
    const credential = await stack.waitForCredential('gitlab-alice', 'Ready', (c) => readyOf(c)?.status === 'True');
    const stored = await secretOf('gitlab-alice-token');
    const fresh = decode(stored?.data, 'accessToken')!;
    expect(fresh).not.toBe(token.accessToken);
    expect(gitlab.state.tokens.get(token.accessToken)?.revoked).toBe(true);
    expect(decode(stored?.data, 'refreshToken')).not.toBe(token.refreshToken);
    expect(Date.parse(credential.status!.tokenExpiresAt!)).toBeGreaterThan(Date.now());
    expect((await stack.repositories('gitlab-alice')).map((r) => r.spec.fullName)).toEqual(['alice-gl/tool']);
  });
});

describe('Bitbucket double', () => {
  it('lists a workspace\'s repositories with a seeded token', async () => {
    bitbucket.state.addUser('alice-bb');
    bitbucket.state.addRepo({ owner: 'alice-bb', name: 'site' });
    const token = bitbucket.state.issueToken('alice-bb', { clientId: 'bitbucket-app' });
    await seedCredential('bitbucket-alice', 'bitbucket', 'alice-bb', { accessToken: token.accessToken });
    await stack.waitForCredential('bitbucket-alice', 'Ready', (c) => readyOf(c)?.status === 'True');
    const repos = await stack.repositories('bitbucket-alice');
    expect(repos.map((r) => r.spec.fullName)).toEqual(['alice-bb/site']);
  });

  it('writes nothing in a steady state: resyncs every 2 s leave credential, provider and repositories as they were', async () => {
    const versions = async () => [
      (await stack.admin.resource(Keelson.SourceCodeCredential).get('demo', 'bitbucket-alice')).metadata.resourceVersion,
      (await stack.admin.resource(Keelson.SourceCodeProvider).get('demo', 'bitbucket')).metadata.resourceVersion,
      ...(await stack.repositories('bitbucket-alice')).map((r) => r.metadata.resourceVersion),
    ];
    const before = await versions();
    const listings = bitbucket.state.requests.filter((r) => r.path.startsWith('/2.0/repositories')).length;
    await new Promise((r) => setTimeout(r, 5000));
    expect(await versions()).toEqual(before);
    expect(bitbucket.state.requests.filter((r) => r.path.startsWith('/2.0/repositories')).length).toBe(listings);
  });
});

/** A credential made by hand (as an operator could), its token Secret beside it. */
async function seedCredential(name: string, provider: string, login: string, token: Record<string, string>): Promise<void> {
  await stack.admin.resource(Core.Secret).create({ metadata: { namespace: 'demo', name: `${name}-token` }, stringData: token });
  await stack.admin.resource(Keelson.SourceCodeCredential).create({
    apiVersion: 'devops.keelson.dev/v1alpha1', kind: 'SourceCodeCredential', metadata: { namespace: 'demo', name },
    spec: { providerRef: { name: provider }, userName: 'alice', loginName: login, tokenSecretRef: { name: `${name}-token`, key: 'accessToken' } },
  } as ObjectOf<typeof Keelson.SourceCodeCredential>);
}


