// The behaviour every ScmClient must show against its provider, the same cases for each: a double or a real
// server (Gitea) only has to say how to reach it through a ScmContractFixture. Modelled on go-scm's and
// Woodpecker's conformance suites: one list of cases, one fixture per driver.
import { repoRefFromUrl, ScmError, type ScmClient, type ScmEndpoint, type ScmToken } from '@keelson/scm';

export interface ScmContractFixture {
  client: ScmClient;
  endpoint: ScmEndpoint;
  /** Registered with the OAuth app; the provider sends the browser back here. */
  redirectUri: string;
  /** Walks the provider's consent as the signed-in user and returns the query of the redirect it ends in. */
  authorize(authorizeUrl: string): Promise<{ code: string; state: string | null }>;
  /** The signed-in user. */
  user: { login: string; name?: string; email?: string };
  /** A repository the user administers, with a branch and its head commit. */
  repo: { fullName: string; branch: string; sha: string };
  /** Every repository the user can push to: more than one page where the provider pages. */
  pushable: string[];
  /** Repositories the user sees but cannot push to (read access, archived): never listed. */
  readOnly: string[];
  /** The statuses the provider shows for a commit now, newest per context, in its own words. */
  statuses(repo: string, sha: string): Promise<Array<{ context: string; state: string; description?: string }>>;
  /** The provider's words for running and success, as `statuses` reports them. */
  words: { running: string; success: string };
  /** The provider's description limit, when it has one. */
  descriptionLimit?: number;
  /** Revokes a token at the provider. */
  revoke(token: ScmToken): Promise<void>;
  /**
   * Set where a token is a function of the grant and the time in whole seconds (Gitea's JWTs: grant id, kind, iat,
   * exp), so a refresh within that long mints the very same token: the refresh case waits it out first.
   */
  tokenClockResolutionMs?: number;
  /** Lets an access token run out at once (its refresh token still valid). Absent where that cannot be arranged. */
  expire?(token: ScmToken): Promise<void>;
  /** Every API call answers "rate limited" for `seconds` (0 lifts it). Absent where the provider has no limits. */
  rateLimit?(seconds: number): Promise<void>;
  close(): Promise<void>;
}

export interface ScmContractOptions {
  /** Whether the fixture can make the provider rate-limit (`rateLimit`); a real Gitea has no limits. Default true. */
  rateLimits?: boolean;
}

export function describeScmContract(name: string, setup: () => Promise<ScmContractFixture>, options: ScmContractOptions = {}): void {
  describe(`ScmClient contract: ${name}`, () => {
    let f: ScmContractFixture;
    let token: ScmToken;

    beforeAll(async () => {
      f = await setup();
      token = await signIn(f);
    });
    afterAll(async () => f?.close());

    it('signs in through the authorize URL: the state comes back and the code becomes a token for the user', async () => {
      const url = f.client.authorizeUrl('csrf-state-1', f.redirectUri);
      expect(new URL(url).searchParams.get('redirect_uri')).toBe(f.redirectUri);
      const redirect = await f.authorize(url);
      expect(redirect.state).toBe('csrf-state-1');
      const fresh = await f.client.exchangeCode(redirect.code, f.redirectUri);
      expect(fresh.accessToken).toEqual(expect.any(String));
      expect((await f.client.currentUser(fresh)).login).toBe(f.user.login);
    });

    it('refuses a code that was already used, as Unauthorized', async () => {
      const { code } = await f.authorize(f.client.authorizeUrl('s', f.redirectUri));
      await f.client.exchangeCode(code, f.redirectUri);
      await expect(f.client.exchangeCode(code, f.redirectUri)).rejects.toMatchObject({ code: 'Unauthorized' });
    });

    it('refreshes an expiring token: needsRefresh says when, the new token works', async () => {
      const own = await signIn(f);
      expect(own.refreshToken).toEqual(expect.any(String));
      expect(own.expiresAt).toEqual(expect.any(String));
      expect(f.client.needsRefresh(own, new Date())).toBe(false);
      expect(f.client.needsRefresh(own, new Date(Date.parse(own.expiresAt!) - 60_000))).toBe(true);
      if (f.expire) {
        await f.expire(own);
        await expect(f.client.currentUser(own)).rejects.toMatchObject({ code: 'Unauthorized', status: 401 });
      }
      if (f.tokenClockResolutionMs) await new Promise((resolve) => setTimeout(resolve, f.tokenClockResolutionMs));
      const renewed = await f.client.refresh(own);
      expect(renewed.accessToken).not.toBe(own.accessToken);
      expect(renewed.refreshToken).toEqual(expect.any(String));
      expect((await f.client.currentUser(renewed)).login).toBe(f.user.login);
    });

    it('refuses a refresh token that is not the provider\'s, as Unauthorized', async () => {
      await expect(f.client.refresh({ accessToken: 'x', refreshToken: 'not-a-refresh-token' })).rejects.toMatchObject({ code: 'Unauthorized' });
    });

    it('tells who the user is', async () => {
      const user = await f.client.currentUser(token);
      expect(user.login).toBe(f.user.login);
      if (f.user.name) expect(user.name).toBe(f.user.name);
      if (f.user.email) expect(user.email).toBe(f.user.email);
    });

    it('lists every repository the user can push to, across all pages, and no other', async () => {
      const repos = await f.client.repositories(token);
      const names = repos.map((r) => r.fullName);
      expect(new Set(names).size).toBe(names.length);
      expect([...names].sort()).toEqual([...f.pushable].sort());
      for (const hidden of f.readOnly) expect(names).not.toContain(hidden);
      const own = repos.find((r) => r.fullName === f.repo.fullName);
      expect(own).toMatchObject({ permissions: { admin: true, push: true } });
      for (const repo of repos) {
        expect(repo.permissions.push).toBe(true);
        // The clone URL names the repository at this provider, without a user in it.
        expect(repoRefFromUrl(f.endpoint, repo.cloneUrl)).toBe(repo.fullName);
        expect(new URL(repo.cloneUrl).username).toBe('');
        expect(repo.htmlUrl).toEqual(expect.stringContaining(repo.fullName));
      }
    });

    it('resolves a branch to its head commit; an unknown branch or repository is NotFound', async () => {
      expect(await f.client.branchSha(token, f.repo.fullName, f.repo.branch)).toBe(f.repo.sha);
      await expect(f.client.branchSha(token, f.repo.fullName, 'no-such-branch')).rejects.toMatchObject({ code: 'NotFound' });
      await expect(f.client.branchSha(token, `${f.user.login}/no-such-repository`, 'main')).rejects.toMatchObject({ code: 'NotFound' });
    });

    it('creates a webhook, lists it, deletes it, and deleting it again is no error', async () => {
      const url = `http://keelson.example.test/hooks/pipelines/team-a/app-${Date.now()}`;
      const created = await f.client.createWebhook(token, f.repo.fullName, { url, secret: 'hook-secret-1', events: ['push', 'tag', 'pull_request'] });
      expect(created).toMatchObject({ id: expect.any(String), url, active: true });
      expect(created.events).toEqual(expect.arrayContaining(['push', 'tag', 'pull_request']));
      const listed = (await f.client.listWebhooks(token, f.repo.fullName)).find((h) => h.id === created.id);
      expect(listed).toMatchObject({ url, active: true });
      expect(listed!.events).toEqual(expect.arrayContaining(['push', 'pull_request']));
      await f.client.deleteWebhook(token, f.repo.fullName, created.id);
      expect((await f.client.listWebhooks(token, f.repo.fullName)).map((h) => h.id)).not.toContain(created.id);
      await expect(f.client.deleteWebhook(token, f.repo.fullName, created.id)).resolves.toBeUndefined();
    });

    it('sets a commit status the provider shows, in its words, the description within its limit', async () => {
      const context = 'keelson/contract';
      const description = `Run 12 of team-a/app: ${'all stages passed; '.repeat(20)}`;
      await f.client.setCommitStatus(token, f.repo.fullName, f.repo.sha, { state: 'running', description: 'Running', context, targetUrl: 'http://keelson.example.test/runs/12' });
      expect((await f.statuses(f.repo.fullName, f.repo.sha)).find((s) => s.context === context)?.state).toBe(f.words.running);
      // The same state again is no error (GitLab refuses the transition; the commit already says it).
      await f.client.setCommitStatus(token, f.repo.fullName, f.repo.sha, { state: 'running', description: 'Running', context });
      await f.client.setCommitStatus(token, f.repo.fullName, f.repo.sha, { state: 'success', description, context, targetUrl: 'http://keelson.example.test/runs/12' });
      const shown = (await f.statuses(f.repo.fullName, f.repo.sha)).find((s) => s.context === context);
      expect(shown?.state).toBe(f.words.success);
      expect(description.startsWith((shown?.description ?? '').replace(/…$/, ''))).toBe(true);
      if (f.descriptionLimit) expect(Array.from(shown?.description ?? '').length).toBeLessThanOrEqual(f.descriptionLimit);
    });

    it('answers a revoked token with Unauthorized (401), and never shows the token in the message', async () => {
      const doomed = await signIn(f);
      await f.revoke(doomed);
      const err = await f.client.currentUser(doomed).then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(ScmError);
      expect(err).toMatchObject({ code: 'Unauthorized', status: 401 });
      expect((err as Error).message).not.toContain(doomed.accessToken);
    });

    if (options.rateLimits !== false) {
      it('reports a rate limit as RateLimited with the time to retry', async () => {
        if (!f.rateLimit) throw new Error('the fixture has no rateLimit; pass { rateLimits: false } to describeScmContract');
        await f.rateLimit(120);
        try {
          const err = await f.client.currentUser(token).then(() => undefined, (e: unknown) => e);
          expect(err).toBeInstanceOf(ScmError);
          expect(err).toMatchObject({ code: 'RateLimited', retryable: true, retryAt: expect.any(String) });
          expect(Date.parse((err as ScmError).retryAt!)).toBeGreaterThan(Date.now());
        } finally {
          await f.rateLimit!(0);
        }
        expect((await f.client.currentUser(token)).login).toBe(f.user.login);
      });
    }
  });
}

/** A fresh token for the signed-in user, through the whole web flow. */
async function signIn(f: ScmContractFixture): Promise<ScmToken> {
  const { code } = await f.authorize(f.client.authorizeUrl('contract', f.redirectUri));
  return f.client.exchangeCode(code, f.redirectUri);
}

