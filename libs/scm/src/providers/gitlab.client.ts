// GitLab.com and self-managed GitLab (reference providers-api.md §2). Projects are addressed by their URL-encoded
// path (`group%2Fsub%2Fproject`), branches likewise; pages by `Link` or, where a proxy dropped it, `X-Next-Page`.
import type { ScmRequest, ScmResponse } from '../http/scm-http';
import { OAuth2Flow } from '../oauth/oauth2';
import type { CommitStatus, ScmClient, ScmHookEvent, ScmRepository, ScmToken, ScmUser, ScmWebhook } from '../scm.port';
import { GITLAB_STATES, GITLAB_TEXT_LIMIT, truncate } from '../status/commit-status.mapping';
import { collectPages, nextByLink, OAuthClientBase, optionalString, repoPath, requireString, type ProviderContext } from './provider-context';

/** Access levels: 30 Developer can push, 40 Maintainer manages hooks (§2.3). */
const DEVELOPER = 30;
const MAINTAINER = 40;

interface GitLabProject {
  path_with_namespace: string;
  http_url_to_repo: string;
  web_url: string;
  default_branch?: string | null;
  visibility?: string;
  archived?: boolean;
  permissions?: { project_access?: { access_level?: number } | null; group_access?: { access_level?: number } | null };
}

interface GitLabHook {
  id: number;
  url: string;
  push_events?: boolean;
  tag_push_events?: boolean;
  merge_requests_events?: boolean;
  /** Since GitLab 17.x hooks can be disabled after failures; absent on older servers (then active). */
  alert_status?: string;
  disabled_until?: string | null;
}

export class GitLabClient extends OAuthClientBase implements ScmClient {
  readonly type = 'gitlab' as const;
  protected readonly oauth: OAuth2Flow;

  constructor(context: ProviderContext) {
    super(context);
    const web = context.resolved.web;
    this.oauth = new OAuth2Flow({
      authorizeUrl: `${web}/oauth/authorize`,
      tokenUrl: `${web}/oauth/token`,
      clientId: context.endpoint.clientId,
      clientSecret: context.endpoint.clientSecret,
      clientAuth: 'form',
      // Hooks and statuses need write access, which only `api` grants (§2.1).
      scope: 'api read_user',
    }, context.http, context.clock);
  }

  async currentUser(token: ScmToken): Promise<ScmUser> {
    const request = this.get(token, this.api('/user'));
    const { body } = await this.context.http.json<Record<string, unknown>>(request);
    return {
      login: requireString(body.username, 'username', (p) => this.context.http.failure('InvalidResponse', request, p)),
      name: optionalString(body.name),
      email: optionalString(body.email) ?? optionalString(body.public_email),
      avatarUrl: optionalString(body.avatar_url),
    };
  }

  async repositories(token: ScmToken): Promise<ScmRepository[]> {
    const first = this.api('/projects', { membership: 'true', min_access_level: DEVELOPER, archived: 'false', per_page: 100 });
    const projects = await collectPages<GitLabProject>(first, async (url) => {
      const { body, response } = await this.context.http.json<GitLabProject[]>(this.get(token, url));
      return { items: Array.isArray(body) ? body : [], next: nextPage(response) };
    });
    return projects.flatMap((p) => {
      // Either level may be null: a project reached through a group has only group_access.
      const level = Math.max(p.permissions?.project_access?.access_level ?? 0, p.permissions?.group_access?.access_level ?? 0);
      if (level < DEVELOPER || p.archived) return [];
      return [{
        fullName: p.path_with_namespace,
        cloneUrl: p.http_url_to_repo,
        htmlUrl: p.web_url,
        defaultBranch: p.default_branch ?? '',
        // internal projects need a sign-in to clone, like private ones.
        private: p.visibility !== 'public',
        permissions: { admin: level >= MAINTAINER, push: true },
      }];
    });
  }

  async branchSha(token: ScmToken, repo: string, branch: string): Promise<string> {
    const request = this.get(token, this.api(`/projects/${this.project(repo)}/repository/branches/${encodeURIComponent(branch)}`));
    const { body } = await this.context.http.json<{ commit?: { id?: unknown } }>(request);
    return requireString(body.commit?.id, 'commit.id', (p) => this.context.http.failure('InvalidResponse', request, p));
  }

  async createWebhook(token: ScmToken, repo: string, hook: { url: string; secret: string; events: ScmHookEvent[] }): Promise<ScmWebhook> {
    const wanted = new Set(hook.events);
    const { body } = await this.context.http.json<GitLabHook>({
      method: 'POST',
      url: this.api(`/projects/${this.project(repo)}/hooks`),
      auth: this.auth(token),
      // Every flag explicit: the defaults are not documented (§2.6). The token is sent back as X-Gitlab-Token.
      json: {
        url: hook.url,
        token: hook.secret,
        push_events: wanted.has('push'),
        tag_push_events: wanted.has('tag'),
        merge_requests_events: wanted.has('pull_request'),
        issues_events: false,
        confidential_issues_events: false,
        note_events: false,
        confidential_note_events: false,
        job_events: false,
        pipeline_events: false,
        wiki_page_events: false,
        deployment_events: false,
        releases_events: false,
        enable_ssl_verification: true,
      },
      secrets: [hook.secret],
    });
    return toWebhook(body);
  }

  async listWebhooks(token: ScmToken, repo: string): Promise<ScmWebhook[]> {
    const hooks = await collectPages<GitLabHook>(this.api(`/projects/${this.project(repo)}/hooks`, { per_page: 100 }), async (url) => {
      const { body, response } = await this.context.http.json<GitLabHook[]>(this.get(token, url));
      return { items: Array.isArray(body) ? body : [], next: nextPage(response) };
    });
    return hooks.map(toWebhook);
  }

  async deleteWebhook(token: ScmToken, repo: string, id: string): Promise<void> {
    await this.deleteIdempotently(token, this.api(`/projects/${this.project(repo)}/hooks/${encodeURIComponent(id)}`));
  }

  async setCommitStatus(token: ScmToken, repo: string, sha: string, status: CommitStatus): Promise<void> {
    const request: ScmRequest = {
      method: 'POST',
      url: this.api(`/projects/${this.project(repo)}/statuses/${encodeURIComponent(sha)}`),
      auth: this.auth(token),
      json: {
        state: GITLAB_STATES[status.state],
        name: status.context,
        description: truncate(status.description, GITLAB_TEXT_LIMIT),
        // A cut URL leads nowhere: one over the limit is left out.
        ...(status.targetUrl && status.targetUrl.length <= GITLAB_TEXT_LIMIT ? { target_url: status.targetUrl } : {}),
      },
    };
    const response = await this.context.http.send(request);
    if (response.status >= 200 && response.status < 300) return;
    // GitLab's status is a state machine: posting the state it already has is refused with 400
    // "Cannot transition status via :run from :running". The commit already says what we wanted.
    if (response.status === 400 && /Cannot transition status via/.test(response.body.toString('utf8'))) return;
    throw this.context.http.errorFor(response, request);
  }

  private project(repo: string): string {
    repoPath(repo, { nested: true });
    return encodeURIComponent(repo);
  }
}

/** `Link: rel="next"`, else `X-Next-Page` (empty on the last page) applied to the current URL. */
function nextPage(response: ScmResponse): URL | undefined {
  const byLink = nextByLink(response);
  if (byLink) return byLink;
  const page = response.header('x-next-page')?.trim();
  if (!page || !/^\d+$/.test(page)) return undefined;
  const next = new URL(response.url);
  next.searchParams.set('page', page);
  return next;
}

function toWebhook(hook: GitLabHook): ScmWebhook {
  const events: string[] = [];
  if (hook.push_events) events.push('push');
  if (hook.tag_push_events) events.push('tag');
  if (hook.merge_requests_events) events.push('pull_request');
  const disabled = hook.alert_status === 'disabled' || (hook.alert_status === 'temporarily_disabled');
  return { id: String(hook.id), url: hook.url, events, active: !disabled };
}
