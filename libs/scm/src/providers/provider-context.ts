// What every adapter is built from, and the pieces they share: the OAuth flow, URL building, page walking.
import { linkWithRel } from '../http/link-header';
import type { ScmAuth, ScmHttp, ScmRequest, ScmResponse } from '../http/scm-http';
import { needsRefresh, type OAuth2Flow } from '../oauth/oauth2';
import type { ResolvedEndpoint } from '../scm-endpoint';
import { ScmError } from '../scm.errors';
import type { ScmClient, ScmEndpoint, ScmProbe, ScmToken } from '../scm.port';

export interface ProviderContext {
  endpoint: ScmEndpoint;
  resolved: ResolvedEndpoint;
  http: ScmHttp;
  clock: () => Date;
}

/** What every adapter does alike: the OAuth part of ScmClient once its flow is configured, and API calls. */
export abstract class OAuthClientBase implements Pick<ScmClient, 'authorizeUrl' | 'exchangeCode' | 'refresh' | 'needsRefresh' | 'probe'> {
  protected abstract readonly oauth: OAuth2Flow;
  /** Headers of every API call besides the credential (GitHub's media type and API version). */
  protected readonly apiHeaders: Record<string, string> | undefined = undefined;

  constructor(protected readonly context: ProviderContext) {}

  authorizeUrl(state: string, redirectUri: string): string {
    return this.oauth.authorizeUrl(state, redirectUri);
  }

  exchangeCode(code: string, redirectUri: string): Promise<ScmToken> {
    return this.oauth.exchangeCode(code, redirectUri);
  }

  refresh(token: ScmToken): Promise<ScmToken> {
    return this.oauth.refresh(token);
  }

  needsRefresh(token: ScmToken, now?: Date, marginMs?: number): boolean {
    return needsRefresh(token, now ?? this.context.clock(), marginMs);
  }

  async probe(redirectUri?: string): Promise<ScmProbe> {
    // Every provider's API answers its current-user route with 401 to a caller without a token; a web page, a
    // proxy's 404 or a 200 there means serverUrl (or apiUrl) is not this provider's API.
    const request: ScmRequest = { method: 'GET', url: this.api('/user'), headers: this.apiHeaders, followRedirects: false, what: 'anonymous GET /user' };
    const response = await this.context.http.send(request);
    if (response.status !== 401) {
      const error = this.context.http.errorFor(response, request);
      if (error.code === 'RateLimited' || error.code === 'Unavailable') throw error;
      throw this.context.http.failure('InvalidResponse', request, `HTTP ${response.status} where the API answers 401: is this the provider's API?`, { status: response.status });
    }
    if (!/json/i.test(response.header('content-type') ?? '')) {
      throw this.context.http.failure('InvalidResponse', request, 'HTTP 401 without JSON: is this the provider\'s API?', { status: 401 });
    }
    if (!this.context.endpoint.clientId) return { oauthApp: 'unchecked', detail: 'no OAuth client id is configured' };
    return this.oauth.probeClient(redirectUri);
  }

  /** OAuth tokens go as Bearer everywhere (Gitea also takes `token`, GitLab `PRIVATE-TOKEN` for PATs). */
  protected auth(token: ScmToken): ScmAuth {
    return { scheme: 'Bearer', token: token.accessToken };
  }

  protected get(token: ScmToken, url: URL): ScmRequest {
    return { method: 'GET', url, auth: this.auth(token), headers: this.apiHeaders };
  }

  /** DELETE where an answer of "already gone" (404, 410) counts as done. */
  protected async deleteIdempotently(token: ScmToken, url: URL): Promise<void> {
    const request: ScmRequest = { method: 'DELETE', url, auth: this.auth(token), headers: this.apiHeaders };
    const response = await this.context.http.send(request);
    if (!isGone(response)) throw this.context.http.errorFor(response, request);
  }

  /** `<api base><path>?<query>`; path segments must already be encoded. */
  protected api(path: string, query: Record<string, string | number> = {}): URL {
    const url = new URL(`${this.context.resolved.api}${path}`);
    for (const [key, value] of Object.entries(query)) url.searchParams.set(key, String(value));
    return url;
  }
}

/** Pages are read until the provider names no next one; a loop or an endless listing is cut off. */
export const MAX_PAGES = 1000;

export async function collectPages<T>(first: URL, readPage: (url: URL) => Promise<{ items: T[]; next?: URL }>): Promise<T[]> {
  const all: T[] = [];
  const seen = new Set<string>();
  let url: URL | undefined = first;
  while (url && !seen.has(url.href) && seen.size < MAX_PAGES) {
    seen.add(url.href);
    const page = await readPage(url);
    all.push(...page.items);
    url = page.next;
  }
  return all;
}

/** `owner/name` checked and encoded for a path: exactly `segments` parts (GitLab: two or more), none empty or a dot. */
export function repoPath(repo: string, options: { nested?: boolean } = {}): string {
  const parts = repo.split('/');
  const fits = options.nested ? parts.length >= 2 : parts.length === 2;
  if (!fits || parts.some((p) => !p || p === '.' || p === '..')) {
    throw new ScmError('NotFound', `repository ${JSON.stringify(repo)} is not a full name like ${options.nested ? '"group/project"' : '"owner/name"'}`);
  }
  return parts.map(encodeURIComponent).join('/');
}

/** A branch for a path that keeps `/` between its parts (GitHub, Gitea and Bitbucket route the rest of the path). */
export function branchPath(branch: string): string {
  if (!branch || branch.split('/').some((p) => !p || p === '.' || p === '..')) {
    throw new ScmError('NotFound', `branch ${JSON.stringify(branch)} is not a branch name`);
  }
  return branch.split('/').map(encodeURIComponent).join('/');
}

/** A 2xx or 404 answer to a DELETE: the hook is gone either way. */
export function isGone(response: ScmResponse): boolean {
  return (response.status >= 200 && response.status < 300) || response.status === 404 || response.status === 410;
}

export function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export function requireString(value: unknown, field: string, fail: (problem: string) => ScmError): string {
  if (typeof value !== 'string' || value === '') throw fail(`the answer has no ${field}`);
  return value;
}

/** The next page by the Link header. */
export function nextByLink(response: ScmResponse): URL | undefined {
  return linkWithRel(response.header('link'), 'next', response.url);
}
