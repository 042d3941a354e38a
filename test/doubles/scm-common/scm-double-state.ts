// What a hosted git provider knows, independent of how its API spells it: users, OAuth apps and tokens (with
// expiry, refresh and revocation), repositories with per-user access, branches, hooks and commit statuses, and a
// switch that makes every API call answer "rate limited". The GitHub, GitLab and Bitbucket doubles serve this
// state in their own shapes; tests and the lead seed it directly.
import { randomBytes } from 'node:crypto';

export type Access = 'read' | 'write' | 'admin';

export interface DoubleUser {
  id: number;
  login: string;
  name?: string;
  email?: string;
  avatarUrl?: string;
}

export interface DoubleHook {
  id: number;
  /** Bitbucket's braced UUID. */
  uuid: string;
  url: string;
  /** Provider-native event names (GitLab: the enabled `*_events` flags). */
  events: string[];
  active: boolean;
  secret?: string;
  contentType?: string;
  createdAt: string;
}

export interface DoubleStatus {
  id: number;
  sha: string;
  /** Provider-native state word. */
  state: string;
  /** GitHub context, GitLab name, Bitbucket key. */
  context: string;
  name?: string;
  description?: string;
  targetUrl?: string;
  createdAt: string;
  updatedAt: string;
  creator: string;
}

export interface DoubleRepo {
  id: number;
  owner: string;
  name: string;
  private: boolean;
  archived: boolean;
  defaultBranch: string;
  /** Branch name → head SHA. */
  branches: Map<string, string>;
  /** GitHub's 301 for a branch that stands for another one (`master` → the default branch). */
  branchRedirects: Map<string, string>;
  /** Login → access; the owner has admin implicitly when it is a user. */
  access: Map<string, Access>;
  hooks: DoubleHook[];
  statuses: DoubleStatus[];
}

export interface DoubleToken {
  accessToken: string;
  refreshToken?: string;
  login: string;
  clientId?: string;
  scopes: string[];
  /** Epoch ms; undefined: never expires. */
  expiresAt?: number;
  revoked: boolean;
}

export interface DoubleOAuthApp {
  clientId: string;
  clientSecret: string;
}

export interface SeedRepo {
  owner: string;
  name: string;
  private?: boolean;
  archived?: boolean;
  defaultBranch?: string;
  branches?: Record<string, string>;
  access?: Record<string, Access>;
}

export type TokenCheck = { ok: true; token: DoubleToken; user: DoubleUser } | { ok: false; reason: 'missing' | 'unknown' | 'expired' | 'revoked' };

const ACCESS_RANK: Record<Access, number> = { read: 1, write: 2, admin: 3 };

export class ScmDoubleState {
  readonly users = new Map<string, DoubleUser>();
  readonly apps = new Map<string, DoubleOAuthApp>();
  readonly repos = new Map<string, DoubleRepo>();
  readonly tokens = new Map<string, DoubleToken>();
  private readonly refreshTokens = new Map<string, string>();
  private readonly codes = new Map<string, { login: string; clientId: string; redirectUri: string; expiresAt: number; used: boolean }>();
  /** The user a browser is signed in as, who consents on the authorize page. */
  signedIn?: string;
  /** Lifetime of issued access tokens in seconds; undefined: they never expire (GitHub OAuth apps). */
  tokenLifetimeSeconds?: number;
  /** While set, every API call is refused as over the rate limit until this epoch second. */
  rateLimitedUntil?: number;
  /** Every request the double answered: `METHOD path status`. */
  readonly requests: Array<{ method: string; path: string; status: number }> = [];
  private ids = 1000;

  constructor(private readonly now: () => number = Date.now) {}

  time(): number {
    return this.now();
  }

  nextId(): number {
    return ++this.ids;
  }

  addUser(login: string, fields: Omit<Partial<DoubleUser>, 'login' | 'id'> = {}): DoubleUser {
    const user = { id: this.nextId(), login, ...fields };
    this.users.set(login, user);
    return user;
  }

  addApp(clientId: string, clientSecret: string): DoubleOAuthApp {
    const app = { clientId, clientSecret };
    this.apps.set(clientId, app);
    return app;
  }

  addRepo(seed: SeedRepo): DoubleRepo {
    const branches = new Map(Object.entries(seed.branches ?? { [seed.defaultBranch ?? 'main']: randomSha() }));
    const repo: DoubleRepo = {
      id: this.nextId(),
      owner: seed.owner,
      name: seed.name,
      private: seed.private ?? true,
      archived: seed.archived ?? false,
      defaultBranch: seed.defaultBranch ?? [...branches.keys()][0] ?? 'main',
      branches,
      branchRedirects: new Map(),
      access: new Map(Object.entries(seed.access ?? {})),
      hooks: [],
      statuses: [],
    };
    this.repos.set(fullName(repo).toLowerCase(), repo);
    return repo;
  }

  repo(name: string): DoubleRepo | undefined {
    return this.repos.get(name.toLowerCase());
  }

  /** The user's access to a repository; a public one is readable by everyone. */
  accessOf(repo: DoubleRepo, login: string): Access | undefined {
    const explicit = repo.access.get(login) ?? (repo.owner === login ? 'admin' : undefined);
    return explicit ?? (repo.private ? undefined : 'read');
  }

  can(repo: DoubleRepo, login: string, needed: Access): boolean {
    const access = this.accessOf(repo, login);
    return access !== undefined && ACCESS_RANK[access] >= ACCESS_RANK[needed];
  }

  /** What the consent page does: a one-time code for `login`, valid ten minutes (GitHub's lifetime). */
  authorize(login: string, clientId: string, redirectUri: string): string {
    const code = randomBytes(10).toString('hex');
    this.codes.set(code, { login, clientId, redirectUri, expiresAt: this.now() + 10 * 60_000, used: false });
    return code;
  }

  /** A token for `login` as a code exchange would issue it; also for seeding tests directly. */
  issueToken(login: string, options: { clientId?: string; scopes?: string[]; prefix?: string } = {}): DoubleToken {
    const token: DoubleToken = {
      accessToken: `${options.prefix ?? ''}${randomBytes(20).toString('hex')}`,
      login,
      clientId: options.clientId,
      scopes: options.scopes ?? [],
      revoked: false,
    };
    if (this.tokenLifetimeSeconds !== undefined) {
      token.expiresAt = this.now() + this.tokenLifetimeSeconds * 1000;
      token.refreshToken = randomBytes(20).toString('hex');
      this.refreshTokens.set(token.refreshToken, token.accessToken);
    }
    this.tokens.set(token.accessToken, token);
    return token;
  }

  /** Exchanges a code: undefined when unknown, used, expired, or issued to another client or redirect URI. */
  redeemCode(code: string, clientId: string, redirectUri: string | undefined, scopes: string[]): DoubleToken | undefined {
    const grant = this.codes.get(code);
    if (!grant || grant.used || grant.expiresAt < this.now() || grant.clientId !== clientId) return undefined;
    if (redirectUri !== undefined && redirectUri !== grant.redirectUri) return undefined;
    grant.used = true;
    return this.issueToken(grant.login, { clientId, scopes });
  }

  /** A refresh: the old access and refresh tokens stop working, as on GitLab and GitHub Apps. */
  redeemRefresh(refreshToken: string, clientId: string): DoubleToken | undefined {
    const access = this.refreshTokens.get(refreshToken);
    const old = access ? this.tokens.get(access) : undefined;
    if (!old || old.revoked || old.clientId !== clientId) return undefined;
    this.refreshTokens.delete(refreshToken);
    old.revoked = true;
    return this.issueToken(old.login, { clientId, scopes: old.scopes });
  }

  checkApp(clientId: string | undefined, clientSecret: string | undefined): boolean {
    const app = clientId ? this.apps.get(clientId) : undefined;
    return !!app && app.clientSecret === clientSecret;
  }

  revoke(accessToken: string): void {
    const token = this.tokens.get(accessToken);
    if (token) token.revoked = true;
  }

  /** The access token has run out (its refresh token still works). */
  expire(accessToken: string): void {
    const token = this.tokens.get(accessToken);
    if (token) token.expiresAt = this.now() - 1000;
  }

  checkToken(accessToken: string | undefined): TokenCheck {
    if (!accessToken) return { ok: false, reason: 'missing' };
    const token = this.tokens.get(accessToken);
    const user = token && this.users.get(token.login);
    if (!token || !user) return { ok: false, reason: 'unknown' };
    if (token.revoked) return { ok: false, reason: 'revoked' };
    if (token.expiresAt !== undefined && token.expiresAt <= this.now()) return { ok: false, reason: 'expired' };
    return { ok: true, token, user };
  }

  /** Rate limit every API call for `seconds` from now; 0 lifts it. */
  rateLimit(seconds: number): void {
    this.rateLimitedUntil = seconds > 0 ? Math.ceil(this.now() / 1000) + seconds : undefined;
  }

  isRateLimited(): boolean {
    if (this.rateLimitedUntil === undefined) return false;
    if (this.rateLimitedUntil * 1000 <= this.now()) this.rateLimitedUntil = undefined;
    return this.rateLimitedUntil !== undefined;
  }

  /** Records a status as the provider does (newest last) and returns it. */
  addStatus(repo: DoubleRepo, status: Omit<DoubleStatus, 'id' | 'createdAt' | 'updatedAt'>): DoubleStatus {
    const at = new Date(this.now()).toISOString();
    const stored = { ...status, id: this.nextId(), createdAt: at, updatedAt: at };
    repo.statuses.push(stored);
    return stored;
  }

  /** The newest status of each context of a commit. */
  latestStatuses(repo: DoubleRepo, sha: string): DoubleStatus[] {
    const latest = new Map<string, DoubleStatus>();
    for (const status of repo.statuses) if (status.sha === sha) latest.set(status.context.toLowerCase(), status);
    return [...latest.values()];
  }
}

export function fullName(repo: DoubleRepo): string {
  return `${repo.owner}/${repo.name}`;
}

export function randomSha(): string {
  return randomBytes(20).toString('hex');
}
