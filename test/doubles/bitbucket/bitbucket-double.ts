// A Bitbucket Cloud double: OAuth at /site/oauth2/*, REST 2.0 under /2.0 (one origin, where bitbucket.org splits
// web and api.bitbucket.org). Shapes follow the reference (/work/shared/reference/providers-api.md §4) and
// drone/go-scm's recorded fixtures (scm/driver/bitbucket/testdata/{user,user_workspaces,repos,branch,hook,hooks,
// status,error}.json). Behaviour worth knowing:
// - the token endpoint takes the consumer as Basic auth and answers {access_token, scopes, expires_in, refresh_token};
// - lists are envelopes {pagelen, page, size, values, next}; follow `next` (pagelen default 10, max 100);
// - workspaces come from /user/workspaces; /repositories/{workspace}?role= filters by the user's role, where
//   member ⊂ contributor ⊂ admin (read, write, administer);
// - clone links embed the user (https://alice@host/…), as the real ones do;
// - hook ids are braced UUIDs, addressed encoded (%7B…%7D); `secret` is accepted and reported as secret_set
//   (field name unconfirmed, §4.6);
// - build statuses: key ≤ 40 characters, state INPROGRESS|SUCCESSFUL|FAILED|STOPPED, url required; the same key
//   replaces the earlier status;
// - errors are {type: "error", error: {message}}; a rate limit is 429 (its headers are unconfirmed, so none).
import { randomUUID } from 'node:crypto';
import { ScmDoubleState, fullName, type DoubleHook, type DoubleRepo, type DoubleStatus, type DoubleUser } from '../scm-common/scm-double-state';
import { consentRedirect, DoubleRouter, intParam, pageOf, pageUrl, startHttpDouble, type DoubleRequest, type DoubleResponse } from '../scm-common/http-double';

const STATES = ['INPROGRESS', 'SUCCESSFUL', 'FAILED', 'STOPPED'];
const ROLE_NEEDS = { member: 'read', contributor: 'write', admin: 'admin' } as const;

export interface BitbucketDouble {
  /** The web origin (OAuth pages, html links). */
  url: string;
  /** `<url>/2.0`, the REST root. */
  apiUrl: string;
  state: ScmDoubleState;
  close(): Promise<void>;
}

export async function startBitbucketDouble(options: { state?: ScmDoubleState } = {}): Promise<BitbucketDouble> {
  const state = options.state ?? new ScmDoubleState();
  let base = '';
  const api = () => `${base}/2.0`;
  const router = new DoubleRouter();

  router.on('GET', /^\/site\/oauth2\/authorize$/, (req) => authorizePage(state, req));
  router.on('POST', /^\/site\/oauth2\/access_token$/, (req) => tokenEndpoint(state, req));

  const withUser = (handler: (req: DoubleRequest, user: DoubleUser) => DoubleResponse) => (req: DoubleRequest): DoubleResponse => {
    if (state.isRateLimited()) return error(429, 'Rate limit for this resource has been exceeded');
    const check = state.checkToken(req.bearer());
    if (!check.ok) return error(401, check.reason === 'expired' ? 'Access token expired. Use your refresh token to obtain a new access token.' : 'Token is invalid, expired, or not supported for this endpoint.');
    return handler(req, check.user);
  };
  const withRepo = (needed: 'read' | 'write' | 'admin', handler: (req: DoubleRequest, user: DoubleUser, repo: DoubleRepo) => DoubleResponse) =>
    withUser((req, user) => {
      const name = `${req.params[0]}/${req.params[1]}`;
      const repo = state.repo(name);
      if (!repo || !state.can(repo, user.login, 'read')) return error(404, `Repository ${name} not found`);
      if (!state.can(repo, user.login, needed)) return error(403, `Your credentials lack one or more required privilege scopes.`);
      return handler(req, user, repo);
    });

  router.on('GET', /^\/2\.0\/user$/, withUser((_req, user) => ({ status: 200, body: userJson(user, base, api()) })));

  router.on('GET', /^\/2\.0\/user\/emails$/, withUser((req, user) => paged(req, user.email ? [user.email] : [], (email) => ({ is_primary: true, is_confirmed: true, type: 'email', email, links: { self: { href: `${api()}/user/emails/${email}` } } }))));

  router.on('GET', /^\/2\.0\/user\/workspaces$/, withUser((req, user) => {
    const slugs = new Set<string>([user.login]);
    for (const repo of state.repos.values()) if (repo.access.has(user.login) || repo.owner === user.login) slugs.add(repo.owner);
    return paged(req, [...slugs].sort(), (slug) => ({
      type: 'workspace_access',
      permission: slug === user.login ? 'owner' : 'member',
      last_accessed: '2026-01-15T10:30:00.000000+00:00',
      workspace: { type: 'workspace', slug, name: slug, uuid: `{${uuidFor(slug)}}`, links: { html: { href: `${base}/${slug}/` }, avatar: { href: `${base}/account/${slug}/avatar/32/` } } },
    }));
  }));

  router.on('GET', /^\/2\.0\/repositories\/([^/]+)$/, withUser((req, user) => {
    const role = req.url.searchParams.get('role') as keyof typeof ROLE_NEEDS | null;
    if (role !== null && !(role in ROLE_NEEDS)) return error(400, `Invalid role: ${role}`);
    const repos = [...state.repos.values()]
      .filter((r) => r.owner === req.params[0])
      .filter((r) => (role ? state.accessOf(r, user.login) !== undefined && state.can(r, user.login, ROLE_NEEDS[role]) && (r.access.has(user.login) || r.owner === user.login) : state.can(r, user.login, 'read')))
      .sort((a, b) => a.name.localeCompare(b.name));
    return paged(req, repos, (r) => repoJson(r, user.login, base, api()));
  }));

  router.on('GET', /^\/2\.0\/repositories\/([^/]+)\/([^/]+)\/refs\/branches\/(.+)$/, withRepo('read', (req, _user, repo) => {
    const sha = repo.branches.get(req.params[2]);
    if (!sha) return error(404, `Branch "${req.params[2]}" not found`);
    return { status: 200, body: branchJson(repo, req.params[2], sha, base, api()) };
  }));

  router.on('GET', /^\/2\.0\/repositories\/([^/]+)\/([^/]+)\/hooks$/, withRepo('admin', (req, _user, repo) => paged(req, repo.hooks, (h) => hookJson(h, repo, base, api()))));

  router.on('POST', /^\/2\.0\/repositories\/([^/]+)\/([^/]+)\/hooks$/, withRepo('admin', (req, _user, repo) => {
    const f = req.fields();
    if (!f || typeof f.url !== 'string' || !f.url) return error(400, 'url: This field is required.');
    if (!Array.isArray(f.events) || f.events.length === 0) return error(400, 'events: This field is required.');
    const hook: DoubleHook = {
      id: state.nextId(),
      uuid: `{${randomUUID()}}`,
      url: f.url,
      events: f.events.map(String).sort(),
      active: f.active !== false,
      secret: typeof f.secret === 'string' && f.secret ? f.secret : undefined,
      createdAt: new Date(state.time()).toISOString(),
    };
    repo.hooks.push(hook);
    return { status: 201, body: hookJson(hook, repo, base, api()) };
  }));

  router.on('DELETE', /^\/2\.0\/repositories\/([^/]+)\/([^/]+)\/hooks\/([^/]+)$/, withRepo('admin', (req, _user, repo) => {
    const index = repo.hooks.findIndex((h) => h.uuid === req.params[2]);
    if (index < 0) return error(404, 'Webhook not found');
    repo.hooks.splice(index, 1);
    return { status: 204 };
  }));

  router.on('POST', /^\/2\.0\/repositories\/([^/]+)\/([^/]+)\/commit\/([^/]+)\/statuses\/build$/, withRepo('write', (req, user, repo) => {
    const f = req.fields() ?? {};
    const sha = req.params[2];
    if (!/^[0-9a-f]{40}$/.test(sha)) return error(404, `Commit not found`);
    if (typeof f.key !== 'string' || !f.key) return error(400, 'key: This field is required.');
    if (f.key.length > 40) return error(400, `key: Ensure this value has at most 40 characters (it has ${f.key.length}).`);
    if (typeof f.state !== 'string' || !STATES.includes(f.state)) return error(400, `state: "${String(f.state)}" is not a valid choice.`);
    if (typeof f.url !== 'string' || !f.url) return error(400, 'url: This field is required.');
    // The same key replaces the earlier status of the commit.
    repo.statuses = repo.statuses.filter((s) => !(s.sha === sha && s.context === f.key));
    const status = state.addStatus(repo, {
      sha, state: f.state, context: f.key,
      name: typeof f.name === 'string' ? f.name : undefined,
      description: typeof f.description === 'string' ? f.description : undefined,
      targetUrl: f.url,
      creator: user.login,
    });
    return { status: 201, body: statusJson(status, repo, base, api()) };
  }));

  router.on('GET', /^\/2\.0\/repositories\/([^/]+)\/([^/]+)\/commit\/([^/]+)\/statuses$/, withRepo('read', (req, _user, repo) =>
    paged(req, repo.statuses.filter((s) => s.sha === req.params[2]), (s) => statusJson(s, repo, base, api()))));

  const server = await startHttpDouble(state, async (req) => (await router.handle(req)) ?? error(404, 'Resource not found'));
  base = server.url;
  return { url: server.url, apiUrl: `${server.url}/2.0`, state, close: server.close };
}

function error(status: number, message: string): DoubleResponse {
  return { status, body: { type: 'error', error: { message } } };
}

function authorizePage(state: ScmDoubleState, req: DoubleRequest): DoubleResponse {
  const q = req.url.searchParams;
  const clientId = q.get('client_id') ?? '';
  if (!state.apps.has(clientId)) return { status: 400, headers: { 'Content-Type': 'text/html' }, body: '<html><body>Invalid client_id</body></html>' };
  if (!state.signedIn) return { status: 302, headers: { Location: '/account/signin/' } };
  // A consumer has one callback URL; redirect_uri, when sent, must be it (here: whatever was sent is kept).
  return consentRedirect(state, state.signedIn, clientId, q);
}

function tokenEndpoint(state: ScmDoubleState, req: DoubleRequest): DoubleResponse {
  const client = req.basic();
  if (!client || !state.checkApp(client.username, client.password)) return { status: 400, body: { error_description: 'Invalid OAuth client credentials', error: 'invalid_client' } };
  const f = (req.fields() ?? {}) as Record<string, string | undefined>;
  let token;
  if (f.grant_type === 'authorization_code') token = f.code ? state.redeemCode(f.code, client.username, f.redirect_uri, ['repository', 'webhook', 'account', 'email']) : undefined;
  else if (f.grant_type === 'refresh_token') token = f.refresh_token ? state.redeemRefresh(f.refresh_token, client.username) : undefined;
  else return { status: 400, body: { error_description: `Unsupported grant type: ${String(f.grant_type)}`, error: 'unsupported_grant_type' } };
  if (!token) return { status: 400, body: { error_description: 'The specified code is not valid.', error: 'invalid_grant' } };
  return {
    status: 200,
    body: {
      access_token: token.accessToken, scopes: token.scopes.join(' '), expires_in: token.expiresAt === undefined ? 7200 : Math.round((token.expiresAt - state.time()) / 1000),
      refresh_token: token.refreshToken, token_type: 'bearer', state: f.grant_type,
    },
  };
}

function paged<T>(req: DoubleRequest, all: T[], render: (item: T) => unknown): DoubleResponse {
  const pagelen = intParam(req.url, 'pagelen', 10, 100);
  const page = intParam(req.url, 'page', 1);
  const { items, hasNext } = pageOf(all, page, pagelen);
  const body: Record<string, unknown> = { pagelen, size: all.length, page, values: items.map(render) };
  if (hasNext) body.next = pageUrl(req, page + 1);
  if (page > 1) body.previous = pageUrl(req, page - 1);
  return { status: 200, body };
}

function uuidFor(text: string): string {
  const hex = Buffer.from(text.padEnd(16, '-')).toString('hex').slice(0, 32).padEnd(32, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** go-scm bb/testdata/user.json, without the removed username, with nickname and account_id. */
function userJson(user: DoubleUser, web: string, api: string): Record<string, unknown> {
  return {
    display_name: user.name ?? user.login, nickname: user.login, account_id: `557058:${uuidFor(user.login)}`, uuid: `{${uuidFor(`u-${user.login}`)}}`,
    links: { self: { href: `${api}/users/${uuidFor(`u-${user.login}`)}` }, avatar: { href: user.avatarUrl ?? `${web}/account/${user.login}/avatar/32/` }, html: { href: `${web}/${user.login}/` } },
    created_on: '2012-07-25T04:53:41.525465+00:00', type: 'user', is_staff: false, account_status: 'active', location: null, has_2fa_enabled: null,
  };
}

/** go-scm bb/testdata/repos.json; the https clone href embeds the user. */
function repoJson(repo: DoubleRepo, login: string, web: string, api: string): Record<string, unknown> {
  const name = fullName(repo);
  const host = new URL(web).host;
  return {
    type: 'repository', scm: 'git', uuid: `{${uuidFor(name)}}`, full_name: name, name: repo.name, slug: repo.name, is_private: repo.private,
    mainbranch: { type: 'branch', name: repo.defaultBranch }, fork_policy: 'allow_forks', language: '', has_wiki: false, has_issues: false,
    created_on: '2013-04-15T03:05:05.595458+00:00', updated_on: '2018-04-01T16:36:35.970175+00:00', size: 1116345,
    owner: { type: 'team', username: repo.owner, display_name: repo.owner, uuid: `{${uuidFor(repo.owner)}}` },
    workspace: { type: 'workspace', slug: repo.owner, name: repo.owner, uuid: `{${uuidFor(repo.owner)}}` },
    links: {
      self: { href: `${api}/repositories/${name}` }, html: { href: `${web}/${name}` }, hooks: { href: `${api}/repositories/${name}/hooks` },
      clone: [{ name: 'https', href: `${new URL(web).protocol}//${login}@${host}/${name}.git` }, { name: 'ssh', href: `git@${new URL(web).hostname}:${name}.git` }],
    },
  };
}

/** go-scm bb/testdata/branch.json. */
function branchJson(repo: DoubleRepo, branch: string, sha: string, web: string, api: string): Record<string, unknown> {
  const name = fullName(repo);
  return {
    type: 'branch', name: branch,
    links: { self: { href: `${api}/repositories/${name}/refs/branches/${branch}` }, html: { href: `${web}/${name}/branch/${branch}` } },
    target: { type: 'commit', hash: sha, date: '2015-08-27T03:25:04+00:00', message: 'commit\n', repository: { type: 'repository', full_name: name, name: repo.name }, parents: [] },
  };
}

/** go-scm bb/testdata/hook.json. */
function hookJson(hook: DoubleHook, repo: DoubleRepo, web: string, api: string): Record<string, unknown> {
  const name = fullName(repo);
  return {
    type: 'webhook_subscription', uuid: hook.uuid, url: hook.url, description: 'Keelson', subject_type: 'repository', active: hook.active, events: hook.events,
    created_at: hook.createdAt, skip_cert_verification: false, read_only: false, source: null, secret_set: hook.secret !== undefined,
    subject: { type: 'repository', full_name: name, name: repo.name, links: { self: { href: `${api}/repositories/${name}` }, html: { href: `${web}/${name}` } } },
    links: { self: { href: `${api}/repositories/${name}/hooks/${encodeURIComponent(hook.uuid)}` } },
  };
}

/** go-scm bb/testdata/status.json. */
function statusJson(status: DoubleStatus, repo: DoubleRepo, web: string, api: string): Record<string, unknown> {
  const name = fullName(repo);
  return {
    type: 'build', key: status.context, state: status.state, name: status.name ?? status.context, description: status.description ?? '', url: status.targetUrl, refname: null,
    created_on: status.createdAt, updated_on: status.updatedAt,
    commit: { type: 'commit', hash: status.sha, links: { self: { href: `${api}/repositories/${name}/commit/${status.sha}` }, html: { href: `${web}/${name}/commits/${status.sha}` } } },
    links: { self: { href: `${api}/repositories/${name}/commit/${status.sha}/statuses/build/${status.context}` } },
  };
}
