// The one port to a git provider: OAuth sign-in, who the user is, which repositories they can push to, a
// branch's head, webhooks and commit statuses. One adapter per provider implements it (providers/); callers
// never see a provider's own words, shapes or pagination.

export type ScmProviderType = 'github' | 'gitlab' | 'gitea' | 'bitbucket';

export const SCM_PROVIDER_TYPES: readonly ScmProviderType[] = ['github', 'gitlab', 'gitea', 'bitbucket'];

export interface ScmEndpoint {
  type: ScmProviderType;
  /** Web origin, e.g. https://github.com or https://gitea.example (a path for GitLab's relative URL root). */
  url: string;
  /** API base when not derivable (GitHub Enterprise: <url>/api/v3; a test double). */
  apiUrl?: string;
  clientId: string;
  clientSecret: string;
}

export interface ScmToken {
  accessToken: string;
  refreshToken?: string;
  /** ISO 8601; absent when the token does not expire (GitHub OAuth apps). */
  expiresAt?: string;
  scopes?: string[];
}

export interface ScmUser {
  login: string;
  name?: string;
  email?: string;
  avatarUrl?: string;
}

export interface ScmRepository {
  /** `owner/name` (GitLab: `group/sub/project`), what every other call takes as `repo`. */
  fullName: string;
  /** https clone URL, without user-info. */
  cloneUrl: string;
  htmlUrl: string;
  defaultBranch: string;
  private: boolean;
  permissions: { admin: boolean; push: boolean };
}

export type ScmHookEvent = 'push' | 'tag' | 'pull_request';

export interface ScmWebhook {
  /** The provider's id (Bitbucket: the braced UUID). */
  id: string;
  url: string;
  /** What the hook delivers, in Keelson's words (`push`, `tag`, `pull_request`); provider events we do not use are left out. */
  events: string[];
  active: boolean;
}

export type CommitState = 'pending' | 'running' | 'success' | 'failure' | 'cancelled' | 'error';

export interface CommitStatus {
  state: CommitState;
  targetUrl?: string;
  description: string;
  /** The status's identity at the provider (GitHub context, GitLab name, Bitbucket key): a later status with the same context replaces it. */
  context: string;
}

/** What a check of a configured provider found (ScmClient.probe). */
export interface ScmProbe {
  /**
   * What the token endpoint said of the OAuth app's id and secret when offered a made-up code: `accepted` when it
   * judged the code (so it took the client), `refused` when it refused the client (or its redirect URI),
   * `unchecked` when its answer does not tell.
   */
  oauthApp: 'accepted' | 'refused' | 'unchecked';
  /** The provider's words (`invalid_client: …`) when refused or unchecked. */
  detail?: string;
}

export interface ScmClient {
  readonly type: ScmProviderType;
  /** Where to send the browser; the provider redirects to `redirectUri?code=…&state=…`. */
  authorizeUrl(state: string, redirectUri: string): string;
  exchangeCode(code: string, redirectUri: string): Promise<ScmToken>;
  /** A new token pair; the old refresh token may stop working (GitLab, GitHub Apps): store the answer at once. */
  refresh(token: ScmToken): Promise<ScmToken>;
  /** true when expiresAt is within `marginMs` (default 5 min): refresh before use. */
  needsRefresh(token: ScmToken, now?: Date, marginMs?: number): boolean;
  /**
   * A real check without a user's token: the API answers an anonymous current-user call as this provider's API
   * does (401), and the token endpoint is offered a made-up code. Throws ScmError when the provider cannot be
   * reached (Unavailable, Timeout, RateLimited, OutboundRefused) or does not answer like its API (InvalidResponse).
   */
  probe(redirectUri?: string): Promise<ScmProbe>;
  currentUser(token: ScmToken): Promise<ScmUser>;
  /** Every repository the user can push to (or administer), every page read. */
  repositories(token: ScmToken): Promise<ScmRepository[]>;
  /** The head commit of a branch; NotFound when there is no such branch. */
  branchSha(token: ScmToken, repo: string, branch: string): Promise<string>;
  createWebhook(token: ScmToken, repo: string, hook: { url: string; secret: string; events: ScmHookEvent[] }): Promise<ScmWebhook>;
  listWebhooks(token: ScmToken, repo: string): Promise<ScmWebhook[]>;
  /** A hook that is already gone counts as deleted. */
  deleteWebhook(token: ScmToken, repo: string, id: string): Promise<void>;
  /** The state in the provider's words, the text cut to its limits; repeating the current state is no error. */
  setCommitStatus(token: ScmToken, repo: string, sha: string, status: CommitStatus): Promise<void>;
}
