// A GitLab double (self-managed layout): OAuth at /oauth/*, REST v4 under /api/v4. Shapes follow the reference
// (/work/shared/reference/providers-api.md §2) and drone/go-scm's recorded fixtures
// (scm/driver/gitlab/testdata/{user,repo,branch,hook,status}.json). Behaviour worth knowing:
// - projects are addressed by numeric id or URL-encoded path (`acme%2Fapp`); an unencoded path is 404 (§2.0);
// - access levels: read 20 (Reporter), write 30 (Developer), admin 40 (Maintainer), a user's own project 50;
//   repositories of another namespace carry only group_access (project_access null), as through a group;
// - /projects pages with Link and the x-* headers (per_page default 20, max 100); `omitLink` drops Link, as some
//   proxies do, leaving X-Next-Page;
// - hooks need Maintainer; their token is never shown; delete is idempotent in the docs but answers 404 here for
//   an unknown id, which a client must accept;
// - statuses are a state machine: posting the state a context already holds is 400 "Cannot transition status
//   via :run from :running (…)" (GitLab's own spec, commit_statuses_spec.rb); texts are capped at 255 (§2.7);
// - OAuth tokens live 7200 s; a refresh revokes the old pair; expired and revoked tokens get 401 invalid_token;
// - with `state.rateLimit(s)` every API call is 429 "Retry later" with RateLimit-* headers and Retry-After (§2.9).
import { ScmDoubleState, fullName, type DoubleHook, type DoubleRepo, type DoubleStatus, type DoubleUser } from '../scm-common/scm-double-state';
import { consentRedirect, DoubleRouter, intParam, pageOf, pageUrl, startHttpDouble, type DoubleRequest, type DoubleResponse } from '../scm-common/http-double';

const STATES = ['pending', 'running', 'success', 'failed', 'canceled', 'skipped'];
/** The state-machine event GitLab names in its refusal, by target state. */
const EVENTS: Record<string, string> = { pending: 'enqueue', running: 'run', success: 'success', failed: 'drop', canceled: 'cancel', skipped: 'skip' };
const HOOK_FLAGS = ['push_events', 'tag_push_events', 'merge_requests_events', 'issues_events', 'confidential_issues_events', 'note_events', 'confidential_note_events', 'job_events', 'pipeline_events', 'wiki_page_events', 'deployment_events', 'releases_events'];
const LEVEL = { read: 20, write: 30, admin: 40 } as const;

export interface GitLabDouble {
  url: string;
  /** `<url>/api/v4`. */
  apiUrl: string;
  state: ScmDoubleState;
  close(): Promise<void>;
}

export async function startGitLabDouble(options: { state?: ScmDoubleState; omitLink?: boolean } = {}): Promise<GitLabDouble> {
  const state = options.state ?? new ScmDoubleState();
  let base = '';
  const router = new DoubleRouter();

  router.on('GET', /^\/oauth\/authorize$/, (req) => authorizePage(state, req));
  router.on('POST', /^\/oauth\/token$/, (req) => tokenEndpoint(state, req));

  const withUser = (handler: (req: DoubleRequest, user: DoubleUser) => DoubleResponse) => (req: DoubleRequest): DoubleResponse => {
    if (state.isRateLimited()) {
      const reset = state.rateLimitedUntil!;
      return {
        status: 429,
        headers: {
          'Content-Type': 'text/plain',
          'RateLimit-Name': 'throttle_authenticated_api', 'RateLimit-Limit': '60', 'RateLimit-Observed': '61', 'RateLimit-Remaining': '0',
          'RateLimit-Reset': String(reset), 'RateLimit-ResetTime': new Date(reset * 1000).toUTCString(), 'Retry-After': String(Math.max(0, reset - Math.floor(state.time() / 1000))),
        },
        body: 'Retry later\n',
      };
    }
    const check = state.checkToken(req.bearer() ?? req.header('private-token'));
    if (!check.ok) {
      // GitLab's API helpers: Gitlab::Auth::ExpiredError / RevokedError become invalid_token with these texts.
      if (check.reason === 'expired') return { status: 401, body: { error: 'invalid_token', error_description: 'Token is expired. You can either do re-authorization or token refresh.' } };
      if (check.reason === 'revoked') return { status: 401, body: { error: 'invalid_token', error_description: 'Token was revoked. You have to re-authorize from the user.' } };
      return { status: 401, body: { message: '401 Unauthorized' } };
    }
    return handler(req, check.user);
  };
  const withProject = (needed: number, handler: (req: DoubleRequest, user: DoubleUser, repo: DoubleRepo) => DoubleResponse) =>
    withUser((req, user) => {
      const repo = findProject(state, req.params[0]);
      const level = repo ? levelOf(state, repo, user.login) : 0;
      if (!repo || level === 0) return { status: 404, body: { message: '404 Project Not Found' } };
      if (level < needed) return { status: 403, body: { message: '403 Forbidden' } };
      return handler(req, user, repo);
    });

  router.on('GET', /^\/api\/v4\/user$/, withUser((_req, user) => ({ status: 200, body: userJson(user, base) })));

  router.on('GET', /^\/api\/v4\/projects$/, withUser((req, user) => {
    const q = req.url.searchParams;
    const minLevel = Number(q.get('min_access_level') ?? 0);
    const projects = [...state.repos.values()]
      .filter((r) => (q.get('membership') === 'true' ? r.owner === user.login || r.access.has(user.login) : levelOf(state, r, user.login) > 0))
      .filter((r) => levelOf(state, r, user.login) >= minLevel)
      .filter((r) => (q.get('archived') === 'false' ? !r.archived : q.get('archived') === 'true' ? r.archived : true))
      .sort((a, b) => b.id - a.id); // order_by created_at desc, GitLab's default
    return paged(req, projects, (r) => projectJson(r, state, user.login, base), options.omitLink === true);
  }));

  router.on('GET', /^\/api\/v4\/projects\/([^/]+)\/repository\/branches\/([^/]+)$/, withProject(LEVEL.read, (req, _user, repo) => {
    const sha = repo.branches.get(req.params[1]);
    if (!sha) return { status: 404, body: { message: '404 Branch Not Found' } };
    return { status: 200, body: branchJson(repo, req.params[1], sha, base) };
  }));

  router.on('GET', /^\/api\/v4\/projects\/([^/]+)\/hooks$/, withProject(LEVEL.admin, (req, _user, repo) => paged(req, repo.hooks, (h) => hookJson(h, repo), options.omitLink === true)));

  router.on('POST', /^\/api\/v4\/projects\/([^/]+)\/hooks$/, withProject(LEVEL.admin, (req, _user, repo) => {
    // go-scm sends the attributes as query parameters, the docs as a JSON body: both are read.
    const f = { ...Object.fromEntries(req.url.searchParams), ...(req.fields() ?? {}) } as Record<string, unknown>;
    if (typeof f.url !== 'string' || !f.url) return { status: 400, body: { error: 'url is missing' } };
    const flag = (name: string, fallback: boolean) => (f[name] === undefined ? fallback : f[name] === true || f[name] === 'true');
    const hook: DoubleHook = {
      id: state.nextId(),
      uuid: '',
      url: f.url,
      events: HOOK_FLAGS.filter((name) => flag(name, name === 'push_events')),
      active: true,
      secret: typeof f.token === 'string' ? f.token : undefined,
      createdAt: new Date(state.time()).toISOString(),
    };
    repo.hooks.push(hook);
    return { status: 201, body: hookJson(hook, repo) };
  }));

  router.on('DELETE', /^\/api\/v4\/projects\/([^/]+)\/hooks\/([^/]+)$/, withProject(LEVEL.admin, (req, _user, repo) => {
    const index = repo.hooks.findIndex((h) => String(h.id) === req.params[1]);
    if (index < 0) return { status: 404, body: { message: '404 Not found' } };
    repo.hooks.splice(index, 1);
    return { status: 204 };
  }));

  router.on('POST', /^\/api\/v4\/projects\/([^/]+)\/statuses\/([^/]+)$/, withProject(LEVEL.write, (req, user, repo) => {
    const f = { ...Object.fromEntries(req.url.searchParams), ...(req.fields() ?? {}) } as Record<string, unknown>;
    const sha = req.params[1];
    if (!/^[0-9a-f]{40}$/.test(sha)) return { status: 404, body: { message: '404 Commit Not Found' } };
    if (typeof f.state !== 'string' || !STATES.includes(f.state)) return { status: 400, body: { error: 'state does not have a valid value' } };
    for (const field of ['description', 'target_url', 'ref']) {
      if (typeof f[field] === 'string' && (f[field] as string).length > 255) return { status: 400, body: { message: { [field]: ['is too long (maximum is 255 characters)'] } } };
    }
    const name = typeof f.name === 'string' && f.name ? f.name : typeof f.context === 'string' && f.context ? f.context : 'default';
    const current = state.latestStatuses(repo, sha).find((s) => s.context === name);
    if (current && current.state === f.state) {
      const event = EVENTS[f.state];
      return { status: 400, body: { message: `Cannot transition status via :${event} from :${current.state} (Reason(s): Status cannot transition via "${event}")` } };
    }
    const status = state.addStatus(repo, {
      sha, state: f.state, context: name,
      description: typeof f.description === 'string' ? f.description : undefined,
      targetUrl: typeof f.target_url === 'string' ? f.target_url : undefined,
      creator: user.login,
    });
    return { status: 201, body: statusJson(status, state, base) };
  }));

  router.on('GET', /^\/api\/v4\/projects\/([^/]+)\/repository\/commits\/([^/]+)\/statuses$/, withProject(LEVEL.read, (req, _user, repo) =>
    paged(req, repo.statuses.filter((s) => s.sha === req.params[1]), (s) => statusJson(s, state, base), options.omitLink === true)));

  const server = await startHttpDouble(state, async (req) => (await router.handle(req)) ?? { status: 404, body: { error: '404 Not Found' } });
  base = server.url;
  return { url: server.url, apiUrl: `${server.url}/api/v4`, state, close: server.close };
}

function findProject(state: ScmDoubleState, id: string): DoubleRepo | undefined {
  if (/^\d+$/.test(id)) return [...state.repos.values()].find((r) => String(r.id) === id);
  return state.repo(id);
}

function levelOf(state: ScmDoubleState, repo: DoubleRepo, login: string): number {
  if (repo.owner === login) return 50;
  const access = state.accessOf(repo, login);
  return access ? LEVEL[access] : 0;
}

function authorizePage(state: ScmDoubleState, req: DoubleRequest): DoubleResponse {
  const q = req.url.searchParams;
  const clientId = q.get('client_id') ?? '';
  if (!state.apps.has(clientId) || q.get('response_type') !== 'code') {
    return { status: 400, headers: { 'Content-Type': 'text/html' }, body: '<html><body>The client identifier provided is invalid.</body></html>' };
  }
  if (!state.signedIn) return { status: 302, headers: { Location: '/users/sign_in' } };
  return consentRedirect(state, state.signedIn, clientId, q);
}

/** Doorkeeper's token endpoint (§2.1). */
function tokenEndpoint(state: ScmDoubleState, req: DoubleRequest): DoubleResponse {
  const f = (req.fields() ?? {}) as Record<string, string | undefined>;
  if (!state.checkApp(f.client_id, f.client_secret)) {
    return { status: 401, body: { error: 'invalid_client', error_description: 'Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.' } };
  }
  const invalidGrant: DoubleResponse = { status: 400, body: { error: 'invalid_grant', error_description: 'The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.' } };
  let token;
  if (f.grant_type === 'authorization_code') token = f.code ? state.redeemCode(f.code, f.client_id!, f.redirect_uri ?? '', ['api', 'read_user']) : undefined;
  else if (f.grant_type === 'refresh_token') token = f.refresh_token ? state.redeemRefresh(f.refresh_token, f.client_id!) : undefined;
  else return { status: 400, body: { error: 'unsupported_grant_type', error_description: 'The authorization grant type is not supported by the authorization server.' } };
  if (!token) return invalidGrant;
  return {
    status: 200,
    body: {
      access_token: token.accessToken, token_type: 'Bearer', expires_in: token.expiresAt === undefined ? undefined : Math.round((token.expiresAt - state.time()) / 1000),
      refresh_token: token.refreshToken, scope: token.scopes.join(' '), created_at: Math.floor(state.time() / 1000),
    },
  };
}

function paged<T>(req: DoubleRequest, all: T[], render: (item: T) => unknown, omitLink: boolean): DoubleResponse {
  const perPage = intParam(req.url, 'per_page', 20, 100);
  const page = intParam(req.url, 'page', 1);
  const { items, last, hasNext } = pageOf(all, page, perPage);
  const link = (p: number, rel: string) => `<${pageUrl(req, p)}>; rel="${rel}"`;
  const links = [...(page > 1 ? [link(page - 1, 'prev')] : []), ...(hasNext ? [link(page + 1, 'next')] : []), link(1, 'first'), link(last, 'last')];
  return {
    status: 200,
    headers: {
      ...(omitLink ? {} : { Link: links.join(', ') }),
      'X-Page': String(page), 'X-Per-Page': String(perPage), 'X-Next-Page': hasNext ? String(page + 1) : '', 'X-Prev-Page': page > 1 ? String(page - 1) : '',
      'X-Total': String(all.length), 'X-Total-Pages': String(last),
    },
    body: items.map(render),
  };
}

/** go-scm gl/testdata/user.json. */
function userJson(user: DoubleUser, web: string): Record<string, unknown> {
  return {
    id: user.id, username: user.login, name: user.name ?? user.login, state: 'active', avatar_url: user.avatarUrl ?? `${web}/uploads/user/avatar/${user.id}/avatar.png`,
    web_url: `${web}/${user.login}`, created_at: '2012-05-23T08:00:58Z', bio: '', public_email: null, email: user.email ?? null, can_create_project: true, two_factor_enabled: false, external: false,
  };
}

/** go-scm gl/testdata/repo.json. */
function projectJson(repo: DoubleRepo, state: ScmDoubleState, login: string, web: string): Record<string, unknown> {
  const path = fullName(repo);
  const level = levelOf(state, repo, login);
  const own = repo.owner === login;
  const namespace = state.users.get(repo.owner);
  return {
    id: repo.id, description: '', name: repo.name, name_with_namespace: `${repo.owner} / ${repo.name}`, path: repo.name, path_with_namespace: path,
    created_at: '2015-03-03T18:37:05.387Z', default_branch: repo.defaultBranch, tag_list: [], topics: [],
    ssh_url_to_repo: `git@${new URL(web).hostname}:${path}.git`, http_url_to_repo: `${web}/${path}.git`, web_url: `${web}/${path}`,
    visibility: repo.private ? 'private' : 'public', archived: repo.archived, last_activity_at: '2015-03-03T18:37:20.795Z',
    namespace: { id: namespace?.id ?? repo.id + 1, name: repo.owner, path: repo.owner, kind: namespace ? 'user' : 'group', full_path: repo.owner, parent_id: null },
    _links: { self: `${web}/api/v4/projects/${repo.id}`, hooks: `${web}/api/v4/projects/${repo.id}/hooks` },
    // Own projects carry project_access; others only the level reached through their group.
    permissions: own
      ? { project_access: { access_level: level, notification_level: 3 }, group_access: null }
      : { project_access: null, group_access: level > 0 ? { access_level: level, notification_level: 3 } : null },
  };
}

/** go-scm gl/testdata/branch.json. */
function branchJson(repo: DoubleRepo, branch: string, sha: string, web: string): Record<string, unknown> {
  return {
    name: branch, merged: false, protected: branch === repo.defaultBranch, default: branch === repo.defaultBranch, developers_can_push: false, developers_can_merge: false, can_push: true,
    web_url: `${web}/${fullName(repo)}/-/tree/${branch}`,
    commit: { id: sha, short_id: sha.slice(0, 8), title: 'commit', message: 'commit', parent_ids: [], authored_date: '2012-06-27T05:51:39-07:00', committed_date: '2012-06-28T03:44:20-07:00' },
  };
}

/** go-scm gl/testdata/hook.json; the token is never returned. */
function hookJson(hook: DoubleHook, repo: DoubleRepo): Record<string, unknown> {
  return {
    id: hook.id, url: hook.url, project_id: repo.id, ...Object.fromEntries(HOOK_FLAGS.map((name) => [name, hook.events.includes(name)])),
    push_events_branch_filter: null, enable_ssl_verification: true, alert_status: 'executable', disabled_until: null, created_at: hook.createdAt,
  };
}

/** go-scm gl/testdata/status.json. */
function statusJson(status: DoubleStatus, state: ScmDoubleState, web: string): Record<string, unknown> {
  const author = state.users.get(status.creator);
  const finished = ['success', 'failed', 'canceled'].includes(status.state);
  return {
    id: status.id, sha: status.sha, ref: null, status: status.state, name: status.context, target_url: status.targetUrl ?? null, description: status.description ?? null,
    created_at: status.createdAt, started_at: status.state === 'running' ? status.createdAt : null, finished_at: finished ? status.createdAt : null, allow_failure: false, coverage: null,
    author: { id: author?.id ?? 0, username: status.creator, name: author?.name ?? status.creator, state: 'active', avatar_url: `${web}/uploads/user/avatar/${author?.id ?? 0}/avatar.png`, web_url: `${web}/${status.creator}` },
  };
}
