// The OAuth2 authorization-code flow as the four providers speak it (RFC 6749 with their quirks):
// - GitHub answers form-encoded unless asked for JSON, and reports a bad code as 200 {error: …};
// - Bitbucket Cloud wants the client's id and secret as Basic auth, the others in the form;
// - scopes come back as `scope` (GitHub: comma-separated; GitLab, Gitea: space-separated) or `scopes` (Bitbucket);
// - a refresh may or may not return a new refresh token; without one the old one stays valid.
import { randomBytes } from 'node:crypto';
import type { ScmProbe, ScmToken } from '../scm.port';
import { ScmError } from '../scm.errors';
import type { ScmHttp, ScmRequest, ScmResponse } from '../http/scm-http';

export const DEFAULT_REFRESH_MARGIN_MS = 5 * 60_000;

export interface OAuth2Config {
  authorizeUrl: string;
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  clientAuth: 'form' | 'basic';
  /** Space-separated; omitted from the authorize URL when empty (Gitea grants by its own settings). */
  scope?: string;
  /**
   * Whether a refusal of a made-up code means the client was accepted and the code judged, for a provider whose
   * error code does not say (Gitea answers unauthorized_client both to a wrong secret and to an unknown code).
   */
  codeJudged?(error: string, description: string): boolean;
}

/** Token-endpoint errors that judge the code, so the client got past authentication (RFC 6749 §5.2; GitHub's own). */
const CODE_JUDGED = new Set(['invalid_grant', 'bad_verification_code']);
/** Token-endpoint errors that refuse the client itself or its redirect URI. */
const CLIENT_REFUSED = new Set(['invalid_client', 'incorrect_client_credentials', 'unauthorized_client', 'redirect_uri_mismatch']);

export class OAuth2Flow {
  constructor(
    private readonly config: OAuth2Config,
    private readonly http: ScmHttp,
    private readonly clock: () => Date,
  ) {}

  authorizeUrl(state: string, redirectUri: string): string {
    const url = new URL(this.config.authorizeUrl);
    url.searchParams.set('client_id', this.config.clientId);
    url.searchParams.set('redirect_uri', redirectUri);
    url.searchParams.set('response_type', 'code');
    if (this.config.scope) url.searchParams.set('scope', this.config.scope);
    url.searchParams.set('state', state);
    return url.href;
  }

  exchangeCode(code: string, redirectUri: string): Promise<ScmToken> {
    return this.token({ grant_type: 'authorization_code', code, redirect_uri: redirectUri }, [code], 'the authorization code');
  }

  async refresh(token: ScmToken): Promise<ScmToken> {
    if (!token.refreshToken) {
      throw new ScmError('Unauthorized', 'token refresh: the token has no refresh token; the user must sign in again');
    }
    const fresh = await this.token({ grant_type: 'refresh_token', refresh_token: token.refreshToken }, [token.refreshToken, token.accessToken], 'the refresh token');
    return { ...fresh, refreshToken: fresh.refreshToken ?? token.refreshToken, scopes: fresh.scopes ?? token.scopes };
  }

  /**
   * Offers the token endpoint a made-up code: its refusal says whether it took the client id and secret (and, where
   * the provider checks it before the code, the redirect URI). Nothing is granted: no code of ours exists.
   */
  async probeClient(redirectUri?: string): Promise<ScmProbe> {
    const code = `keelson-probe-${randomBytes(12).toString('hex')}`;
    const form: Record<string, string> = { grant_type: 'authorization_code', code, ...(redirectUri && { redirect_uri: redirectUri }) };
    const request = this.tokenRequest(form, [code]);
    const response = await this.http.send(request);
    if (response.status === 429 || response.status >= 500) throw this.http.errorFor(response, request);
    const body = parseTokenBody(response);
    const error = typeof body?.error === 'string' ? body.error : undefined;
    const description = typeof body?.error_description === 'string' ? body.error_description : '';
    const detail = `${error ?? `HTTP ${response.status}`}${description ? `: ${description}` : ''}`.slice(0, 300);
    if (error === undefined) return { oauthApp: 'unchecked', detail: `the token endpoint answered a made-up code with ${detail}` };
    if (CODE_JUDGED.has(error) || this.config.codeJudged?.(error, description)) return { oauthApp: 'accepted' };
    if (CLIENT_REFUSED.has(error)) return { oauthApp: 'refused', detail };
    return { oauthApp: 'unchecked', detail };
  }

  private tokenRequest(grant: Record<string, string>, secrets: string[]): ScmRequest {
    const form = { ...grant };
    const request: ScmRequest = {
      method: 'POST',
      url: this.config.tokenUrl,
      form,
      headers: { Accept: 'application/json' },
      secrets: [...secrets, this.config.clientSecret],
    };
    if (this.config.clientAuth === 'basic') {
      request.auth = { basic: { username: this.config.clientId, password: this.config.clientSecret } };
    } else {
      form.client_id = this.config.clientId;
      form.client_secret = this.config.clientSecret;
    }
    return request;
  }

  private async token(grant: Record<string, string>, secrets: string[], what: string): Promise<ScmToken> {
    const request = this.tokenRequest(grant, secrets);
    const response = await this.http.send(request);
    const body = parseTokenBody(response);
    const error = typeof body?.error === 'string' ? body.error : undefined;
    // Any OAuth error (RFC 6749 §5.2 invalid_grant…, GitHub's 200 {error: bad_verification_code}) is a refusal.
    const refused = (error !== undefined || response.status === 400 || response.status === 401) && response.status !== 429 && response.status < 500;
    if (refused) {
      const detail = typeof body?.error_description === 'string' ? `: ${body.error_description}` : '';
      throw this.http.failure('Unauthorized', request, `${what} was refused (${error ?? `HTTP ${response.status}`}${detail})`, { status: response.status });
    }
    if (response.status < 200 || response.status >= 300) throw this.http.errorFor(response, request);
    if (!body || typeof body.access_token !== 'string' || !body.access_token) {
      throw this.http.failure('InvalidResponse', request, 'the token answer has no access_token', { status: response.status });
    }
    const token: ScmToken = { accessToken: body.access_token };
    if (typeof body.refresh_token === 'string' && body.refresh_token) token.refreshToken = body.refresh_token;
    const expiresIn = Number(body.expires_in);
    if (body.expires_in !== undefined && Number.isFinite(expiresIn) && expiresIn > 0) {
      token.expiresAt = new Date(this.clock().getTime() + expiresIn * 1000).toISOString();
    }
    const scope = typeof body.scope === 'string' ? body.scope : typeof body.scopes === 'string' ? body.scopes : undefined;
    if (scope !== undefined) token.scopes = scope.split(/[\s,]+/).filter(Boolean);
    return token;
  }
}

/** true when the token expires within `marginMs` of `now`; a token without expiry never needs a refresh. */
export function needsRefresh(token: ScmToken, now: Date = new Date(), marginMs = DEFAULT_REFRESH_MARGIN_MS): boolean {
  if (!token.expiresAt) return false;
  const expires = Date.parse(token.expiresAt);
  if (Number.isNaN(expires)) return true; // unreadable: refreshing is the safe side
  return expires - now.getTime() <= marginMs;
}

/** JSON, or the form encoding GitHub falls back to; undefined when neither. */
function parseTokenBody(response: ScmResponse): Record<string, unknown> | undefined {
  const text = response.body.toString('utf8').trim();
  if (!text) return undefined;
  try {
    const parsed = JSON.parse(text) as unknown;
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    if (!/^[\w.-]+=/.test(text)) return undefined;
    return Object.fromEntries(new URLSearchParams(text));
  }
}
