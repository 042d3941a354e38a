// A GitHub Enterprise Server double: the web flow of an OAuth app at /login/oauth/*, REST v3 under /api/v3.
// Shapes follow the reference (/work/shared/reference/providers-api.md §1) and drone/go-scm's recorded fixtures
// (scm/driver/github/testdata/{user,repo,branch,hook,status}.json), trimmed to the fields a client reads plus
// their neighbours. Behaviour worth knowing, each after the reference:
// - tokens go in `Authorization: Bearer|token`; a bad, revoked or expired one is 401 "Bad credentials";
// - /user/repos pages with `Link` (per_page default 30, max 100) and returns read-only repositories too;
// - a branch in `branchRedirects` answers 301 to another branch (§1.5); an unknown one 404 "Branch not found";
// - hooks default to content_type "form" and events ["push"]; the same URL twice is 422 (§1.6);
// - statuses: state must be error|failure|pending|success, description ≤140 characters, else 422 (§1.7);
// - the token endpoint answers form-encoded unless asked for JSON, and reports errors as 200 {error} (§1.1);
// - with `state.rateLimit(s)` every API call is 403 with x-ratelimit-remaining 0 and the reset (§1.9).
import { ScmDoubleState, fullName, type DoubleHook, type DoubleRepo, type DoubleStatus, type DoubleUser } from '../scm-common/scm-double-state';
import { consentRedirect, DoubleRouter, intParam, pageOf, pageUrl, startHttpDouble, type DoubleRequest, type DoubleResponse } from '../scm-common/http-double';

const DOCS = 'https://docs.github.com/rest';
const STATES = ['error', 'failure', 'pending', 'success'];

export interface GitHubDouble {
  /** The web origin (OAuth pages, html_url). */
  url: string;
  /** The REST root, `<url>/api/v3` as on GitHub Enterprise Server. */
  apiUrl: string;
  state: ScmDoubleState;
  close(): Promise<void>;
}

export async function startGitHubDouble(options: { state?: ScmDoubleState } = {}): Promise<GitHubDouble> {
  const state = options.state ?? new ScmDoubleState();
  let base = '';
  const api = () => `${base}/api/v3`;
  const router = new DoubleRouter();

  router.on('GET', /^\/login\/oauth\/authorize$/, (req) => authorizePage(state, req));
  router.on('POST', /^\/login\/oauth\/access_token$/, (req) => tokenEndpoint(state, req));

  const withUser = (handler: (req: DoubleRequest, user: DoubleUser) => DoubleResponse) => (req: DoubleRequest): DoubleResponse => {
    if (state.isRateLimited()) {
      return { status: 403, headers: rateHeaders(state, 0), body: { message: 'API rate limit exceeded for user. (But here\'s the good news: Authenticated requests get a higher rate limit.)', documentation_url: `${DOCS}/using-the-rest-api/rate-limits-for-the-rest-api` } };
    }
    const check = state.checkToken(req.bearer());
    if (!check.ok) return { status: 401, body: { message: check.reason === 'missing' ? 'Requires authentication' : 'Bad credentials', documentation_url: DOCS, status: '401' } };
    const answer = handler(req, check.user);
    return { ...answer, headers: { ...rateHeaders(state, 4999), 'X-OAuth-Scopes': check.token.scopes.join(', '), ...answer.headers } };
  };
  const withRepo = (needed: 'read' | 'write' | 'admin', handler: (req: DoubleRequest, user: DoubleUser, repo: DoubleRepo) => DoubleResponse) =>
    withUser((req, user) => {
      const repo = state.repo(`${req.params[0]}/${req.params[1]}`);
      // GitHub hides what a user may not see or change behind 404.
      if (!repo || !state.can(repo, user.login, needed)) return notFound();
      return handler(req, user, repo);
    });

  router.on('GET', /^\/api\/v3\/user$/, withUser((_req, user) => ({ status: 200, body: userJson(user, base, api()) })));

  router.on('GET', /^\/api\/v3\/user\/repos$/, withUser((req, user) => {
    const visible = [...state.repos.values()]
      .filter((r) => r.owner === user.login || r.access.has(user.login))
      .sort((a, b) => fullName(a).localeCompare(fullName(b)));
    return paged(req, visible, (r) => repoJson(r, state, user.login, base, api()));
  }));

  router.on('GET', /^\/api\/v3\/repos\/([^/]+)\/([^/]+)\/branches\/(.+)$/, withRepo('read', (req, _user, repo) => {
    const branch = req.params[2];
    const target = repo.branchRedirects.get(branch);
    if (target) return { status: 301, headers: { Location: `${api()}/repos/${fullName(repo)}/branches/${target}` }, body: { message: 'Moved Permanently', url: `${api()}/repos/${fullName(repo)}/branches/${target}`, documentation_url: DOCS } };
    const sha = repo.branches.get(branch);
    if (!sha) return { status: 404, body: { message: 'Branch not found', documentation_url: DOCS } };
    return { status: 200, body: branchJson(repo, branch, sha, base, api()) };
  }));

  router.on('GET', /^\/api\/v3\/repos\/([^/]+)\/([^/]+)\/hooks$/, withRepo('admin', (req, _user, repo) => paged(req, repo.hooks, (h) => hookJson(h, repo, api()))));

  router.on('POST', /^\/api\/v3\/repos\/([^/]+)\/([^/]+)\/hooks$/, withRepo('admin', (req, _user, repo) => {
    const body = req.fields();
    const config = (body?.config ?? {}) as Record<string, unknown>;
    if (!body || typeof config.url !== 'string' || !config.url) return validationFailed('Hook', 'url', 'missing_field');
    if (repo.hooks.some((h) => h.url === config.url)) {
      return { status: 422, body: { message: 'Validation Failed', errors: [{ resource: 'Hook', code: 'custom', message: 'Hook already exists on this repository' }], documentation_url: DOCS } };
    }
    const hook: DoubleHook = {
      id: state.nextId(),
      uuid: '',
      url: config.url,
      events: Array.isArray(body.events) && body.events.length > 0 ? body.events.map(String) : ['push'],
      active: body.active !== false,
      secret: typeof config.secret === 'string' ? config.secret : undefined,
      contentType: typeof config.content_type === 'string' ? config.content_type : 'form',
      createdAt: new Date(state.time()).toISOString(),
    };
    repo.hooks.push(hook);
    return { status: 201, body: hookJson(hook, repo, api()) };
  }));

  router.on('GET', /^\/api\/v3\/repos\/([^/]+)\/([^/]+)\/hooks\/(\d+)$/, withRepo('admin', (req, _user, repo) => {
    const hook = repo.hooks.find((h) => String(h.id) === req.params[2]);
    return hook ? { status: 200, body: hookJson(hook, repo, api()) } : notFound();
  }));

  router.on('DELETE', /^\/api\/v3\/repos\/([^/]+)\/([^/]+)\/hooks\/([^/]+)$/, withRepo('admin', (req, _user, repo) => {
    const index = repo.hooks.findIndex((h) => String(h.id) === req.params[2]);
    if (index < 0) return notFound();
    repo.hooks.splice(index, 1);
    return { status: 204 };
  }));

  router.on('POST', /^\/api\/v3\/repos\/([^/]+)\/([^/]+)\/statuses\/([^/]+)$/, withRepo('write', (req, user, repo) => {
    const sha = req.params[2];
    const body = req.fields() ?? {};
    // Commits are not modelled: any full SHA is taken to exist.
    if (!/^[0-9a-f]{40}$/.test(sha)) return { status: 422, body: { message: `No commit found for SHA: ${sha}`, documentation_url: DOCS } };
    if (typeof body.state !== 'string' || !STATES.includes(body.state)) return validationFailed('Status', 'state', 'invalid');
    if (typeof body.description === 'string' && body.description.length > 140) {
      return { status: 422, body: { message: 'Validation Failed', errors: [{ resource: 'Status', code: 'custom', field: 'description', message: 'description is too long (maximum is 140 characters)' }], documentation_url: DOCS } };
    }
    const status = state.addStatus(repo, {
      sha,
      state: body.state,
      context: typeof body.context === 'string' && body.context ? body.context : 'default',
      description: typeof body.description === 'string' ? body.description : undefined,
      targetUrl: typeof body.target_url === 'string' ? body.target_url : undefined,
      creator: user.login,
    });
    return { status: 201, body: statusJson(status, repo, state, api()) };
  }));

  router.on('GET', /^\/api\/v3\/repos\/([^/]+)\/([^/]+)\/commits\/([^/]+)\/statuses$/, withRepo('read', (req, _user, repo) => {
    const statuses = repo.statuses.filter((s) => s.sha === req.params[2]).reverse(); // newest first
    return paged(req, statuses, (s) => statusJson(s, repo, state, api()));
  }));

  const server = await startHttpDouble(state, async (req) => (await router.handle(req)) ?? notFound());
  base = server.url;
  return { url: server.url, apiUrl: `${server.url}/api/v3`, state, close: server.close };
}

/** The consent page: the signed-in user (or the one named by `login`) approves at once and is sent back with a code. */
function authorizePage(state: ScmDoubleState, req: DoubleRequest): DoubleResponse {
  const q = req.url.searchParams;
  const clientId = q.get('client_id') ?? '';
  if (!state.apps.has(clientId)) return { status: 404, headers: { 'Content-Type': 'text/html' }, body: '<html><body>Not Found</body></html>' };
  const login = q.get('login') && state.users.has(q.get('login')!) ? q.get('login')! : state.signedIn;
  if (!login) return { status: 200, headers: { 'Content-Type': 'text/html' }, body: '<html><body><form action="/session">Sign in to GitHub</form></body></html>' };
  return consentRedirect(state, login, clientId, q);
}

function tokenEndpoint(state: ScmDoubleState, req: DoubleRequest): DoubleResponse {
  const f = (req.fields() ?? {}) as Record<string, string | undefined>;
  const json = (req.header('accept') ?? '').includes('json');
  const answer = (fields: Record<string, string | number>): DoubleResponse => json
    ? { status: 200, body: fields }
    : { status: 200, headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8' }, body: new URLSearchParams(Object.entries(fields).map(([k, v]): [string, string] => [k, String(v)])).toString() };
  const error = (code: string, description: string) => answer({ error: code, error_description: description, error_uri: `https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors/#${code.replace(/_/g, '-')}` });
  if (!state.checkApp(f.client_id, f.client_secret)) return error('incorrect_client_credentials', 'The client_id and/or client_secret passed are incorrect.');
  let token;
  if (f.grant_type === 'refresh_token') {
    token = f.refresh_token ? state.redeemRefresh(f.refresh_token, f.client_id!) : undefined;
    if (!token) return error('bad_refresh_token', 'The refresh token passed is incorrect or expired.');
  } else {
    token = f.code ? state.redeemCode(f.code, f.client_id!, f.redirect_uri, ['repo', 'read:user', 'user:email']) : undefined;
    if (!token) return error('bad_verification_code', 'The code passed is incorrect or expired.');
  }
  // Scopes come back comma-separated here (§1.1); expiring tokens are GitHub App user tokens (8 h + refresh).
  const fields: Record<string, string | number> = { access_token: token.accessToken, token_type: 'bearer', scope: token.scopes.join(',') };
  if (token.expiresAt !== undefined && token.refreshToken) {
    fields.expires_in = Math.round((token.expiresAt - state.time()) / 1000);
    fields.refresh_token = token.refreshToken;
    fields.refresh_token_expires_in = 15_897_600;
  }
  return answer(fields);
}

function paged<T>(req: DoubleRequest, all: T[], render: (item: T) => unknown): DoubleResponse {
  const perPage = intParam(req.url, 'per_page', 30, 100);
  const page = intParam(req.url, 'page', 1);
  const { items, last, hasNext } = pageOf(all, page, perPage);
  const link = (p: number, rel: string) => `<${pageUrl(req, p)}>; rel="${rel}"`;
  const links = [];
  if (hasNext) links.push(link(page + 1, 'next'), link(last, 'last'));
  if (page > 1) links.push(link(1, 'first'), link(page - 1, 'prev'));
  return { status: 200, headers: links.length ? { Link: links.join(', ') } : {}, body: items.map(render) };
}

function rateHeaders(state: ScmDoubleState, remaining: number): Record<string, string> {
  const reset = state.rateLimitedUntil ?? Math.ceil(state.time() / 1000) + 3600;
  return { 'x-ratelimit-limit': '5000', 'x-ratelimit-remaining': String(remaining), 'x-ratelimit-used': String(5000 - remaining), 'x-ratelimit-reset': String(reset), 'x-ratelimit-resource': 'core' };
}

function notFound(): DoubleResponse {
  return { status: 404, body: { message: 'Not Found', documentation_url: DOCS, status: '404' } };
}

function validationFailed(resource: string, field: string, code: string): DoubleResponse {
  return { status: 422, body: { message: 'Validation Failed', errors: [{ resource, field, code }], documentation_url: DOCS } };
}

/** go-scm gh/testdata/user.json. */
function userJson(user: DoubleUser, web: string, api: string): Record<string, unknown> {
  return {
    login: user.login, id: user.id, avatar_url: user.avatarUrl ?? `${web}/avatars/${user.login}`, url: `${api}/users/${user.login}`, html_url: `${web}/${user.login}`,
    type: 'User', site_admin: false, name: user.name ?? null, company: null, email: user.email ?? null, created_at: '2008-01-14T04:33:35Z', updated_at: '2008-01-14T04:33:35Z',
  };
}

/** go-scm gh/testdata/repo.json. */
function repoJson(repo: DoubleRepo, state: ScmDoubleState, login: string, web: string, api: string): Record<string, unknown> {
  const name = fullName(repo);
  const owner = state.users.get(repo.owner);
  return {
    id: repo.id, name: repo.name, full_name: name,
    owner: { login: repo.owner, id: owner?.id ?? repo.id, type: owner ? 'User' : 'Organization', url: `${api}/users/${repo.owner}`, html_url: `${web}/${repo.owner}` },
    private: repo.private, visibility: repo.private ? 'private' : 'public', fork: false, archived: repo.archived,
    url: `${api}/repos/${name}`, html_url: `${web}/${name}`, clone_url: `${web}/${name}.git`, ssh_url: `git@${new URL(web).hostname}:${name}.git`,
    git_url: `git://${new URL(web).hostname}/${name}.git`, hooks_url: `${api}/repos/${name}/hooks`, statuses_url: `${api}/repos/${name}/statuses/{sha}`,
    default_branch: repo.defaultBranch, created_at: '2011-01-26T19:01:12Z', updated_at: '2011-01-26T19:14:43Z', pushed_at: '2011-01-26T19:06:43Z',
    permissions: { admin: state.can(repo, login, 'admin'), maintain: state.can(repo, login, 'admin'), push: state.can(repo, login, 'write'), triage: state.can(repo, login, 'write'), pull: state.can(repo, login, 'read') },
  };
}

/** go-scm gh/testdata/branch.json. */
function branchJson(repo: DoubleRepo, branch: string, sha: string, web: string, api: string): Record<string, unknown> {
  const name = fullName(repo);
  return {
    name: branch,
    commit: { sha, url: `${api}/repos/${name}/commits/${sha}`, commit: { message: 'commit', tree: { sha, url: `${api}/repos/${name}/git/trees/${sha}` } } },
    _links: { html: `${web}/${name}/tree/${branch}`, self: `${api}/repos/${name}/branches/${branch}` },
    protected: false,
  };
}

/** go-scm gh/testdata/hook.json; GitHub shows a set secret as asterisks. */
function hookJson(hook: DoubleHook, repo: DoubleRepo, api: string): Record<string, unknown> {
  const url = `${api}/repos/${fullName(repo)}/hooks/${hook.id}`;
  return {
    type: 'Repository', id: hook.id, name: 'web', active: hook.active, events: hook.events,
    config: { url: hook.url, content_type: hook.contentType ?? 'form', insecure_ssl: '0', ...(hook.secret ? { secret: '********' } : {}) },
    updated_at: hook.createdAt, created_at: hook.createdAt, url, test_url: `${url}/test`, ping_url: `${url}/pings`, deliveries_url: `${url}/deliveries`,
    last_response: { code: null, status: 'unused', message: null },
  };
}

/** go-scm gh/testdata/status.json. */
function statusJson(status: DoubleStatus, repo: DoubleRepo, state: ScmDoubleState, api: string): Record<string, unknown> {
  const creator = state.users.get(status.creator);
  return {
    url: `${api}/repos/${fullName(repo)}/statuses/${status.sha}`, id: status.id, state: status.state, description: status.description ?? null,
    target_url: status.targetUrl ?? null, context: status.context, created_at: status.createdAt, updated_at: status.updatedAt,
    creator: { login: status.creator, id: creator?.id ?? 0, type: 'User' },
  };
}
