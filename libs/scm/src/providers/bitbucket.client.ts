// Bitbucket Cloud (reference providers-api.md §4). Pages are the body's `next` URL. The cross-workspace listings
// are being removed (CHANGE-2770), so repositories are read per workspace of /user/workspaces. Hook ids are
// braced UUIDs. Status keys are at most 40 characters.
import { OAuth2Flow } from '../oauth/oauth2';
import { ScmError } from '../scm.errors';
import type { CommitStatus, ScmClient, ScmHookEvent, ScmRepository, ScmToken, ScmUser, ScmWebhook } from '../scm.port';
import { BITBUCKET_DESCRIPTION_LIMIT, BITBUCKET_STATES, bitbucketKey, truncate } from '../status/commit-status.mapping';
import { branchPath, collectPages, OAuthClientBase, optionalString, repoPath, type ProviderContext } from './provider-context';

const PAGE_LENGTH = 100;

interface Page<T> {
  values?: T[];
  next?: string;
}

interface BitbucketRepo {
  full_name: string;
  is_private: boolean;
  mainbranch?: { name?: string } | null;
  links?: { html?: { href?: string }; clone?: Array<{ name?: string; href?: string }> };
}

interface BitbucketHook {
  uuid: string;
  url: string;
  active: boolean;
  events?: string[];
}

export class BitbucketClient extends OAuthClientBase implements ScmClient {
  readonly type = 'bitbucket' as const;
  protected readonly oauth: OAuth2Flow;

  constructor(context: ProviderContext) {
    super(context);
    const web = context.resolved.web;
    this.oauth = new OAuth2Flow({
      authorizeUrl: `${web}/site/oauth2/authorize`,
      tokenUrl: `${web}/site/oauth2/access_token`,
      clientId: context.endpoint.clientId,
      clientSecret: context.endpoint.clientSecret,
      // Bitbucket takes the consumer's key and secret as Basic auth; scopes are the consumer's settings (§4.1).
      clientAuth: 'basic',
    }, context.http, context.clock);
  }

  async currentUser(token: ScmToken): Promise<ScmUser> {
    const request = this.get(token, this.api('/user'));
    const { body } = await this.context.http.json<Record<string, unknown>>(request);
    // username was removed from the API (GDPR); nickname is what the user picked, account_id never changes.
    const login = optionalString(body.nickname) ?? optionalString(body.username) ?? optionalString(body.account_id);
    if (!login) throw this.context.http.failure('InvalidResponse', request, 'the answer has no nickname or account_id');
    const links = body.links as { avatar?: { href?: unknown } } | undefined;
    return { login, name: optionalString(body.display_name), email: await this.primaryEmail(token), avatarUrl: optionalString(links?.avatar?.href) };
  }

  async repositories(token: ScmToken): Promise<ScmRepository[]> {
    const memberships = await this.pages<{ workspace?: { slug?: string } }>(token, this.api('/user/workspaces', { pagelen: PAGE_LENGTH }));
    const workspaces = [...new Set(memberships.map((m) => m.workspace?.slug).filter((s): s is string => !!s))].sort();
    const byName = new Map<string, ScmRepository>();
    for (const workspace of workspaces) {
      // contributor = write, admin = administer; read both so admins are marked whether or not roles nest.
      for (const role of ['contributor', 'admin'] as const) {
        const repos = await this.pages<BitbucketRepo>(token, this.api(`/repositories/${encodeURIComponent(workspace)}`, { role, pagelen: PAGE_LENGTH }));
        for (const repo of repos) {
          const known = byName.get(repo.full_name);
          const admin = role === 'admin' || known?.permissions.admin === true;
          byName.set(repo.full_name, { ...(known ?? toRepository(repo)), permissions: { admin, push: true } });
        }
      }
    }
    return [...byName.values()];
  }

  async branchSha(token: ScmToken, repo: string, branch: string): Promise<string> {
    const request = this.get(token, this.api(`/repositories/${repoPath(repo)}/refs/branches/${branchPath(branch)}`));
    const { body } = await this.context.http.json<{ target?: { hash?: unknown } }>(request);
    const hash = body.target?.hash;
    if (typeof hash !== 'string' || !hash) throw this.context.http.failure('InvalidResponse', request, 'the answer has no target.hash');
    return hash;
  }

  async createWebhook(token: ScmToken, repo: string, hook: { url: string; secret: string; events: ScmHookEvent[] }): Promise<ScmWebhook> {
    const events = new Set<string>();
    for (const event of hook.events) {
      if (event === 'push' || event === 'tag') events.add('repo:push'); // branches and tags alike
      if (event === 'pull_request') events.add('pullrequest:created').add('pullrequest:updated');
    }
    const { body } = await this.context.http.json<BitbucketHook>({
      method: 'POST',
      url: this.api(`/repositories/${repoPath(repo)}/hooks`),
      auth: this.auth(token),
      // `secret` makes Bitbucket sign deliveries (X-Hub-Signature: sha256=…); the field name is unconfirmed (§4.6).
      json: { description: 'Keelson', url: hook.url, active: true, events: [...events], secret: hook.secret },
      secrets: [hook.secret],
    });
    return toWebhook(body);
  }

  async listWebhooks(token: ScmToken, repo: string): Promise<ScmWebhook[]> {
    return (await this.pages<BitbucketHook>(token, this.api(`/repositories/${repoPath(repo)}/hooks`, { pagelen: PAGE_LENGTH }))).map(toWebhook);
  }

  async deleteWebhook(token: ScmToken, repo: string, id: string): Promise<void> {
    // The braces of the UUID are encoded (%7B…%7D).
    await this.deleteIdempotently(token, this.api(`/repositories/${repoPath(repo)}/hooks/${encodeURIComponent(id)}`));
  }

  async setCommitStatus(token: ScmToken, repo: string, sha: string, status: CommitStatus): Promise<void> {
    await this.context.http.ok({
      method: 'POST',
      url: this.api(`/repositories/${repoPath(repo)}/commit/${encodeURIComponent(sha)}/statuses/build`),
      auth: this.auth(token),
      json: {
        key: bitbucketKey(status.context),
        state: BITBUCKET_STATES[status.state],
        name: status.context,
        description: truncate(status.description, BITBUCKET_DESCRIPTION_LIMIT),
        // url is required; without a page of ours the commit itself is the honest link.
        url: status.targetUrl ?? `${this.context.resolved.web}/${repo}/commits/${encodeURIComponent(sha)}`,
      },
    });
  }

  /** The primary address, when the token may read it (the `email` scope); nothing otherwise. */
  private async primaryEmail(token: ScmToken): Promise<string | undefined> {
    try {
      const emails = await this.pages<{ email?: string; is_primary?: boolean }>(token, this.api('/user/emails'));
      return optionalString(emails.find((e) => e.is_primary)?.email);
    } catch (err) {
      if (err instanceof ScmError && (err.code === 'Forbidden' || err.code === 'NotFound')) return undefined;
      throw err;
    }
  }

  private async pages<T>(token: ScmToken, first: URL): Promise<T[]> {
    return collectPages<T>(first, async (url) => {
      const request = this.get(token, url);
      const { body } = await this.context.http.json<Page<T>>(request);
      let next: URL | undefined;
      if (typeof body.next === 'string' && body.next) {
        try {
          next = new URL(body.next, url);
        } catch {
          throw this.context.http.failure('InvalidResponse', request, 'the answer\'s next is not a URL');
        }
      }
      return { items: Array.isArray(body.values) ? body.values : [], next };
    });
  }
}

function toRepository(repo: BitbucketRepo): ScmRepository {
  const https = repo.links?.clone?.find((c) => c.name === 'https')?.href;
  return {
    fullName: repo.full_name,
    // The https clone href embeds the user (https://user@bitbucket.org/…).
    cloneUrl: https ? withoutUserInfo(https) : '',
    htmlUrl: repo.links?.html?.href ?? '',
    defaultBranch: repo.mainbranch?.name ?? '',
    private: repo.is_private === true,
    permissions: { admin: false, push: true },
  };
}

function withoutUserInfo(href: string): string {
  try {
    const url = new URL(href);
    url.username = '';
    url.password = '';
    return url.href;
  } catch {
    return href;
  }
}

function toWebhook(hook: BitbucketHook): ScmWebhook {
  const events = new Set<string>();
  for (const event of hook.events ?? []) {
    if (event === 'repo:push') events.add('push').add('tag');
    if (event.startsWith('pullrequest:') && (event === 'pullrequest:created' || event === 'pullrequest:updated')) events.add('pull_request');
  }
  return { id: hook.uuid, url: hook.url, events: [...events], active: hook.active === true };
}
