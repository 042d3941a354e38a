// Gitea and Forgejo (reference providers-api.md §3). Pages by `limit` (capped at MAX_RESPONSE_ITEMS, 50 by
// default) with `Link` and `X-Total-Count`; a hook is inactive unless created with active: true.
import type { ScmResponse } from '../http/scm-http';
import { OAuth2Flow } from '../oauth/oauth2';
import type { CommitStatus, ScmClient, ScmHookEvent, ScmRepository, ScmToken, ScmUser, ScmWebhook } from '../scm.port';
import { GITEA_STATES } from '../status/commit-status.mapping';
import { branchPath, collectPages, nextByLink, OAuthClientBase, optionalString, repoPath, requireString, type ProviderContext } from './provider-context';

const PAGE_SIZE = 50;

interface GiteaRepo {
  full_name: string;
  clone_url: string;
  html_url: string;
  default_branch?: string;
  private: boolean;
  archived?: boolean;
  permissions?: { admin?: boolean; push?: boolean };
}

interface GiteaHook {
  id: number;
  active: boolean;
  events?: string[];
  config?: { url?: string };
}

export class GiteaClient extends OAuthClientBase implements ScmClient {
  readonly type = 'gitea' as const;
  protected readonly oauth: OAuth2Flow;

  constructor(context: ProviderContext) {
    super(context);
    const web = context.resolved.web;
    this.oauth = new OAuth2Flow({
      authorizeUrl: `${web}/login/oauth/authorize`,
      tokenUrl: `${web}/login/oauth/access_token`,
      clientId: context.endpoint.clientId,
      clientSecret: context.endpoint.clientSecret,
      clientAuth: 'form',
      // No scope: unless the server enables ENABLE_ADDITIONAL_GRANT_SCOPES, Gitea grants an app the user's access (§3.1).
      // Gitea (1.26, measured) says unauthorized_client to a wrong secret ("invalid client secret"), an unregistered
      // redirect URI ("unexpected redirect URI") and an unknown code alike; only the last says "client is not authorized".
      codeJudged: (error, description) => error === 'unauthorized_client' && /^client is not authorized$/i.test(description.trim()),
    }, context.http, context.clock);
  }

  async currentUser(token: ScmToken): Promise<ScmUser> {
    const request = this.get(token, this.api('/user'));
    const { body } = await this.context.http.json<Record<string, unknown>>(request);
    return {
      login: requireString(body.login ?? body.username, 'login', (p) => this.context.http.failure('InvalidResponse', request, p)),
      name: optionalString(body.full_name),
      email: optionalString(body.email),
      avatarUrl: optionalString(body.avatar_url),
    };
  }

  async repositories(token: ScmToken): Promise<ScmRepository[]> {
    const repos = await this.pages<GiteaRepo>(token, this.api('/user/repos', { limit: PAGE_SIZE, page: 1 }));
    return repos.filter((r) => (r.permissions?.push || r.permissions?.admin) && !r.archived).map((r) => ({
      fullName: r.full_name,
      cloneUrl: r.clone_url,
      htmlUrl: r.html_url,
      defaultBranch: r.default_branch ?? '',
      private: r.private,
      permissions: { admin: r.permissions?.admin === true, push: true },
    }));
  }

  async branchSha(token: ScmToken, repo: string, branch: string): Promise<string> {
    const request = this.get(token, this.api(`/repos/${repoPath(repo)}/branches/${branchPath(branch)}`));
    const { body } = await this.context.http.json<{ commit?: { id?: unknown } }>(request);
    return requireString(body.commit?.id, 'commit.id', (p) => this.context.http.failure('InvalidResponse', request, p));
  }

  async createWebhook(token: ScmToken, repo: string, hook: { url: string; secret: string; events: ScmHookEvent[] }): Promise<ScmWebhook> {
    const events = new Set<string>();
    for (const event of hook.events) {
      // Tag pushes arrive as push. `pull_request` would switch on every pull request event (labels, assignees,
      // comments, reviews: routers/api/v1/utils/hook.go of Gitea 1.26); `pull_request_only` is opened, closed,
      // reopened and edited, `pull_request_sync` new commits; Gitea lists them back as pull_request and
      // pull_request_sync.
      if (event === 'push' || event === 'tag') events.add('push');
      if (event === 'pull_request') events.add('pull_request_only').add('pull_request_sync');
    }
    const { body } = await this.context.http.json<GiteaHook>({
      method: 'POST',
      url: this.api(`/repos/${repoPath(repo)}/hooks`),
      auth: this.auth(token),
      json: { type: 'gitea', active: true, events: [...events], branch_filter: '*', config: { url: hook.url, content_type: 'json', secret: hook.secret } },
      secrets: [hook.secret],
    });
    return toWebhook(body);
  }

  async listWebhooks(token: ScmToken, repo: string): Promise<ScmWebhook[]> {
    return (await this.pages<GiteaHook>(token, this.api(`/repos/${repoPath(repo)}/hooks`, { limit: PAGE_SIZE, page: 1 }))).map(toWebhook);
  }

  async deleteWebhook(token: ScmToken, repo: string, id: string): Promise<void> {
    await this.deleteIdempotently(token, this.api(`/repos/${repoPath(repo)}/hooks/${encodeURIComponent(id)}`));
  }

  async setCommitStatus(token: ScmToken, repo: string, sha: string, status: CommitStatus): Promise<void> {
    // No length limits: Gitea stores the texts as TEXT (§3.7).
    await this.context.http.ok({
      method: 'POST',
      url: this.api(`/repos/${repoPath(repo)}/statuses/${encodeURIComponent(sha)}`),
      auth: this.auth(token),
      json: { state: GITEA_STATES[status.state], ...(status.targetUrl ? { target_url: status.targetUrl } : {}), description: status.description, context: status.context },
    });
  }

  /** Every page: by `Link`, else while `X-Total-Count` says more remain, else while pages come back full. */
  private async pages<T>(token: ScmToken, first: URL): Promise<T[]> {
    let seen = 0;
    return collectPages<T>(first, async (url) => {
      const { body, response } = await this.context.http.json<T[]>(this.get(token, url));
      const items = Array.isArray(body) ? body : [];
      seen += items.length;
      return { items, next: items.length === 0 ? undefined : nextByLink(response) ?? nextByCount(response, seen, items.length) };
    });
  }
}

function nextByCount(response: ScmResponse, seen: number, pageLength: number): URL | undefined {
  const total = response.header('x-total-count');
  const more = total !== undefined && /^\d+$/.test(total.trim()) ? seen < Number(total) : pageLength >= PAGE_SIZE;
  if (!more) return undefined;
  const next = new URL(response.url);
  next.searchParams.set('page', String(Number(next.searchParams.get('page') ?? '1') + 1));
  return next;
}

function toWebhook(hook: GiteaHook): ScmWebhook {
  const events = new Set<string>();
  for (const event of hook.events ?? []) {
    if (event === 'push') events.add('push').add('tag');
    if (event === 'pull_request' || event === 'pull_request_sync') events.add('pull_request');
  }
  return { id: String(hook.id), url: hook.config?.url ?? '', events: [...events], active: hook.active === true };
}
