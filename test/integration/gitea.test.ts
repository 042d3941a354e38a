import { createHmac } from 'node:crypto';
import { createGitRepository, Gitea, GitRepository, giteaAuthorize, GiteaRepo, startGitea } from '@keelson/servers';
import { WebhookReceiver } from '../support/webhook-receiver';

describe('Gitea of the harness', () => {
  let gitea: Gitea;
  let alice: { token: string };
  let repo: GiteaRepo;
  const password = 'alice-password-1';

  beforeAll(async () => {
    gitea = await startGitea();
    alice = await gitea.createUser('alice', password);
    repo = await gitea.createRepo(alice.token, 'demo');
  });
  afterAll(() => gitea?.close());

  it('answers its version and gives the admin a token that can administer', async () => {
    const version = await gitea.api<{ version: string }>(gitea.adminToken, 'GET', '/version');
    expect(version.version).toBe('1.26.0');
    const users = await gitea.api<Array<{ login: string }>>(gitea.adminToken, 'GET', '/admin/users');
    expect(users.map((u) => u.login).sort()).toEqual(['alice', gitea.adminUser].sort());
    expect(repo).toMatchObject({ full_name: 'alice/demo', default_branch: 'main', private: false, clone_url: `${gitea.url}/alice/demo.git` });
  });

  describe('OAuth2 authorization code flow', () => {
    const redirectUri = 'http://127.0.0.1:1/oauth/callback/gitea';

    it('signs in through the login page, grants on the consent page and exchanges the code for a token', async () => {
      const app = await gitea.createOAuthApp(alice.token, 'keelson', [redirectUri]);
      const first = await giteaAuthorize(gitea, { username: 'alice', password, clientId: app.clientId, redirectUri, state: 'state-1' });
      expect(first).toMatchObject({ state: 'state-1', consentShown: true });
      expect(first.callbackUrl.startsWith(`${redirectUri}?`)).toBe(true);

      const res = await fetch(`${gitea.url}/login/oauth/access_token`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
        body: new URLSearchParams({
          grant_type: 'authorization_code', code: first.code, redirect_uri: redirectUri, client_id: app.clientId, client_secret: app.clientSecret,
        }),
      });
      expect(res.status).toBe(200);
      const token = (await res.json()) as { access_token: string; refresh_token: string; token_type: string };
      expect(token.token_type.toLowerCase()).toBe('bearer');
      expect(token.refresh_token).toBeTruthy();

      const me = await fetch(`${gitea.url}/api/v1/user`, { headers: { Authorization: `Bearer ${token.access_token}` } });
      expect(((await me.json()) as { login: string }).login).toBe('alice');

      // A code is single-use.
      const again = await fetch(`${gitea.url}/login/oauth/access_token`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
        body: new URLSearchParams({
          grant_type: 'authorization_code', code: first.code, redirect_uri: redirectUri, client_id: app.clientId, client_secret: app.clientSecret,
        }),
      });
      expect(again.status).toBe(400);

      // Once granted, a confidential client is redirected straight back with a fresh code.
      const second = await giteaAuthorize(gitea, { username: 'alice', password, clientId: app.clientId, redirectUri, state: 'state-2' });
      expect(second).toMatchObject({ state: 'state-2', consentShown: false });
      expect(second.code).not.toBe(first.code);
    });

    it('fails naming the login when the password is wrong, and refuses an unregistered redirect URI', async () => {
      const app = await gitea.createOAuthApp(alice.token, 'other', [redirectUri]);
      await expect(giteaAuthorize(gitea, { username: 'alice', password: 'wrong-password', clientId: app.clientId, redirectUri, state: 's' }))
        .rejects.toThrow('gitea login as alice failed: Username or password is incorrect.');
      await expect(giteaAuthorize(gitea, { username: 'alice', password, clientId: app.clientId, redirectUri: 'http://127.0.0.1:1/elsewhere', state: 's' }))
        .rejects.toThrow('gitea authorize refused: HTTP 400: Unregistered Redirect URI');
    });
  });

  describe('git push, webhook and commit status', () => {
    let receiver: WebhookReceiver;
    let local: GitRepository;
    const secret = 'webhook-secret-1';

    beforeAll(async () => {
      receiver = await WebhookReceiver.start();
      local = await createGitRepository({ 'README.md': '# demo\n', '.devops.yml': 'stages: []\n' });
    });
    afterAll(async () => {
      await receiver?.close();
      await local?.remove();
    });

    it('delivers a push webhook signed with the secret, with Gitea and GitHub-style headers', async () => {
      const hook = await gitea.api<{ id: number; type: string }>(alice.token, 'POST', '/repos/alice/demo/hooks', {
        type: 'gitea', active: true, events: ['push'], config: { url: receiver.url('/hooks/demo'), content_type: 'json', secret },
      });
      expect(hook.type).toBe('gitea');

      await local.push({ url: repo.clone_url, username: 'alice', password: alice.token }, 'main');

      const delivery = await receiver.next('a push delivery', (d) => d.headers['x-gitea-event'] === 'push');
      const hex = createHmac('sha256', secret).update(delivery.rawBody).digest('hex');
      const h = delivery.headers;
      expect(delivery).toMatchObject({ method: 'POST', path: '/hooks/demo' });
      expect(h['content-type']).toMatch(/^application\/json/);
      expect(h['x-gitea-delivery']).toMatch(/^[0-9a-f-]{36}$/);
      expect(h['x-gitea-signature']).toBe(hex);
      expect(h['x-github-event']).toBe('push');
      expect(h['x-github-delivery']).toBe(h['x-gitea-delivery']);
      expect(h['x-hub-signature-256']).toBe(`sha256=${hex}`);
      expect(h['x-hub-signature']).toBe(`sha1=${createHmac('sha1', secret).update(delivery.rawBody).digest('hex')}`);
      const body = JSON.parse(delivery.rawBody) as { ref: string; after: string; repository: { full_name: string }; commits: unknown[] };
      expect(body).toMatchObject({ ref: 'refs/heads/main', after: local.initialCommit, repository: { full_name: 'alice/demo' } });

      // What Keelson reads after a push: the config file at that commit.
      const raw = await fetch(`${gitea.url}/api/v1/repos/alice/demo/raw/.devops.yml?ref=${local.initialCommit}`, {
        headers: { Authorization: `token ${alice.token}` },
      });
      expect(await raw.text()).toBe('stages: []\n');
    });

    it('reads back a commit status set through the API', async () => {
      const sha = local.initialCommit;
      await gitea.api(alice.token, 'POST', `/repos/alice/demo/statuses/${sha}`, {
        state: 'success', target_url: 'http://127.0.0.1:1/runs/1', description: 'build passed', context: 'keelson/ci',
      });
      const combined = await gitea.api<{ state: string; statuses: Array<{ context: string; status: string; description: string }> }>(
        alice.token, 'GET', `/repos/alice/demo/commits/${sha}/status`);
      expect(combined.state).toBe('success');
      expect(combined.statuses).toEqual([expect.objectContaining({ context: 'keelson/ci', status: 'success', description: 'build passed' })]);
    });
  });
});
