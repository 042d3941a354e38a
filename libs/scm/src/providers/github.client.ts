// GitHub.com and GitHub Enterprise Server (reference providers-api.md §1). REST v3 with the `Link` header for
// pages; a branch that answers 301 names another branch (master → the default), so it is not followed.
import type { ScmRequest } from '../http/scm-http';
import { OAuth2Flow } from '../oauth/oauth2';
import { ScmError } from '../scm.errors';
import type { CommitStatus, ScmClient, ScmHookEvent, ScmRepository, ScmToken, ScmUser, ScmWebhook } from '../scm.port';
import { GITHUB_DESCRIPTION_LIMIT, GITHUB_STATES, truncate } from '../status/commit-status.mapping';
import { branchPath, collectPages, nextByLink, OAuthClientBase, optionalString, repoPath, requireString, type ProviderContext } from './provider-context';

const HEADERS = { Accept: 'application/vnd.github+json', 'X-GitHub-Api-Version': '2022-11-28' };

interface GitHubRepo {
  full_name: string;
  clone_url: string;
  html_url: string;
  default_branch?: string | null;
  private: boolean;
  archived?: boolean;
  permissions?: { admin?: boolean; push?: boolean };
}

interface GitHubHook {
  id: number;
  active: boolean;
  events: string[];
  config: { url?: string };
}

export class GitHubClient extends OAuthClientBase implements ScmClient {
  readonly type = 'github' as const;
  protected readonly oauth: OAuth2Flow;
  protected override readonly apiHeaders = HEADERS;

  constructor(context: ProviderContext) {
    super(context);
    const web = context.resolved.web;
    this.oauth = new OAuth2Flow({
      authorizeUrl: `${web}/login/oauth/authorize`,
      tokenUrl: `${web}/login/oauth/access_token`,
      clientId: context.endpoint.clientId,
      clientSecret: context.endpoint.clientSecret,
      clientAuth: 'form',
      // repo covers private code, commit statuses and repository hooks (§1.1).
      scope: 'repo read:user user:email',
    }, context.http, context.clock);
  }

  async currentUser(token: ScmToken): Promise<ScmUser> {
    const request = this.get(token, this.api('/user'));
    const { body } = await this.context.http.json<Record<string, unknown>>(request);
    return {
      login: requireString(body.login, 'login', (p) => this.context.http.failure('InvalidResponse', request, p)),
      name: optionalString(body.name),
      email: optionalString(body.email),
      avatarUrl: optionalString(body.avatar_url),
    };
  }

  async repositories(token: ScmToken): Promise<ScmRepository[]> {
    const first = this.api('/user/repos', { affiliation: 'owner,collaborator,organization_member', per_page: 100 });
    const repos = await collectPages<GitHubRepo>(first, async (url) => {
      const { body, response } = await this.context.http.json<GitHubRepo[]>(this.get(token, url));
      return { items: Array.isArray(body) ? body : [], next: nextByLink(response) };
    });
    // No server-side "can push" filter exists; archived repositories refuse every push.
    return repos.filter((r) => (r.permissions?.push || r.permissions?.admin) && !r.archived).map((r) => ({
      fullName: r.full_name,
      cloneUrl: r.clone_url,
      htmlUrl: r.html_url,
      defaultBranch: r.default_branch ?? '',
      private: r.private,
      permissions: { admin: r.permissions?.admin === true, push: r.permissions?.push === true || r.permissions?.admin === true },
    }));
  }

  async branchSha(token: ScmToken, repo: string, branch: string): Promise<string> {
    const request = { ...this.get(token, this.api(`/repos/${repoPath(repo)}/branches/${branchPath(branch)}`)), followRedirects: false };
    const response = await this.context.http.send(request);
    if (response.status >= 300 && response.status < 400) {
      throw this.context.http.failure('NotFound', request, `HTTP ${response.status}: GitHub redirects to another branch; ${JSON.stringify(branch)} does not exist`, { status: response.status });
    }
    if (response.status !== 200) throw this.context.http.errorFor(response, request);
    const body = this.context.http.parse<{ commit?: { sha?: unknown } }>(response, request);
    return requireString(body.commit?.sha, 'commit.sha', (p) => this.context.http.failure('InvalidResponse', request, p));
  }

  async createWebhook(token: ScmToken, repo: string, hook: { url: string; secret: string; events: ScmHookEvent[] }): Promise<ScmWebhook> {
    const events = [...new Set(hook.events.map((e) => (e === 'pull_request' ? 'pull_request' : 'push')))];
    const request: ScmRequest = {
      method: 'POST',
      url: this.api(`/repos/${repoPath(repo)}/hooks`),
      auth: this.auth(token),
      headers: HEADERS,
      // content_type defaults to form (§1.6); insecure_ssl "0" keeps TLS verification on.
      json: { name: 'web', active: true, events, config: { url: hook.url, content_type: 'json', secret: hook.secret, insecure_ssl: '0' } },
      secrets: [hook.secret],
    };
    try {
      const { body } = await this.context.http.json<GitHubHook>(request);
      return toWebhook(body);
    } catch (err) {
      // 422 "Hook already exists on this repository".
      if (err instanceof ScmError && err.status === 422) throw new ScmError('Conflict', err.message, { status: 422 });
      throw err;
    }
  }

  async listWebhooks(token: ScmToken, repo: string): Promise<ScmWebhook[]> {
    const hooks = await collectPages<GitHubHook>(this.api(`/repos/${repoPath(repo)}/hooks`, { per_page: 100 }), async (url) => {
      const { body, response } = await this.context.http.json<GitHubHook[]>(this.get(token, url));
      return { items: Array.isArray(body) ? body : [], next: nextByLink(response) };
    });
    return hooks.map(toWebhook);
  }

  async deleteWebhook(token: ScmToken, repo: string, id: string): Promise<void> {
    await this.deleteIdempotently(token, this.api(`/repos/${repoPath(repo)}/hooks/${encodeURIComponent(id)}`));
  }

  async setCommitStatus(token: ScmToken, repo: string, sha: string, status: CommitStatus): Promise<void> {
    await this.context.http.ok({
      method: 'POST',
      url: this.api(`/repos/${repoPath(repo)}/statuses/${encodeURIComponent(sha)}`),
      auth: this.auth(token),
      headers: HEADERS,
      json: {
        state: GITHUB_STATES[status.state],
        ...(status.targetUrl ? { target_url: status.targetUrl } : {}),
        description: truncate(status.description, GITHUB_DESCRIPTION_LIMIT),
        context: status.context,
      },
    });
  }
}

/** GitHub's push event carries tag pushes too. */
function toWebhook(hook: GitHubHook): ScmWebhook {
  const events = new Set<string>();
  for (const event of hook.events ?? []) {
    if (event === 'push' || event === '*') events.add('push').add('tag');
    if (event === 'pull_request' || event === '*') events.add('pull_request');
  }
  return { id: String(hook.id), url: hook.config?.url ?? '', events: [...events], active: hook.active === true };
}
