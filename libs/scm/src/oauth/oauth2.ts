// The OAuth2 authorization-code flow as the four providers speak it (RFC 6749 with their quirks):
// - GitHub answers form-encoded unless asked for JSON, and reports a bad code as 200 {error: …};
// - Bitbucket Cloud wants the client's id and secret as Basic auth, the others in the form;
// - scopes come back as `scope` (GitHub: comma-separated; GitLab, Gitea: space-separated) or `scopes` (Bitbucket);
// - a refresh may or may not return a new refresh token; without one the old one stays valid.
import type { ScmToken } from '../scm.port';
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
}

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

  private async token(grant: Record<string, string>, secrets: string[], what: string): Promise<ScmToken> {
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
