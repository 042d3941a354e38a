// The console's OIDC sign-in (issue 14 §4): the authorization code flow with PKCE, run by the manager so the
// client secret never reaches a browser. The manager only obtains and checks an ID token; the API then takes it
// as any bearer token (the kube-apiserver, configured for the same issuer and client, authenticates it).
import { randomBytes } from 'node:crypto';
import type { Logger } from '@keelson/observability';
import type { OneTimeKeys } from '@keelson/queue';
import { idTokenHeader, keyFor, verifyIdToken } from './id-token';
import type { OidcIssuer } from './oidc-issuer';
import { newOidcState, openState, sealState, stateCipherKey, type OidcState } from './oidc-state';
import { OidcError } from './oidc.errors';
import { codeChallengeS256, newCodeVerifier } from './pkce';
import { safeNext } from './safe-next';

export const OIDC_CALLBACK_PATH = '/api/v1/auth/oidc/callback';

export interface OidcSettings {
  issuer: string;
  clientId: string;
  clientSecret?: string;
  scopes: string;
  /** PUBLIC_URL: the callback is `<publicUrl>/api/v1/auth/oidc/callback`. */
  publicUrl: string;
}

export interface OidcSignInDeps {
  settings?: OidcSettings;
  issuer?: OidcIssuer;
  managerKey: { key(): Promise<Buffer> };
  usedStates: OneTimeKeys;
  logger: Logger;
  now?: () => Date;
}

export interface OidcStart {
  /** The issuer's authorization URL to send the browser to. */
  location: string;
  /** Value of the HttpOnly cookie that binds the state to this browser. */
  binding: string;
}

export interface OidcCallbackQuery {
  code?: string;
  state?: string;
  error?: string;
  error_description?: string;
}

export class OidcSignIn {
  constructor(private readonly deps: OidcSignInDeps) {}

  /** What the console may know: whether OIDC is on, and the issuer to name on its button. */
  publicConfig(): { oidc: { enabled: boolean; issuer?: string } } {
    const settings = this.deps.settings;
    return settings ? { oidc: { enabled: true, issuer: settings.issuer } } : { oidc: { enabled: false } };
  }

  /** The binding cookie is Secure when the manager is reached over https (PUBLIC_URL). */
  secureCookie(): boolean {
    return this.deps.settings?.publicUrl.startsWith('https:') ?? true;
  }

  /** The issuer's authorization URL (code flow, PKCE S256, state, nonce) for a sign-in that ends at `next`. */
  async start(next: string | undefined): Promise<OidcStart> {
    const { settings, issuer } = this.configured();
    const target = safeNext(next);
    const binding = randomBytes(32).toString('base64url');
    const verifier = newCodeVerifier();
    const state = newOidcState(target, binding, this.now(), verifier);
    const metadata = await issuer.discovery();
    const url = new URL(metadata.authorization_endpoint);
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('client_id', settings.clientId);
    url.searchParams.set('redirect_uri', this.redirectUri(settings));
    url.searchParams.set('scope', settings.scopes);
    url.searchParams.set('state', sealState(state, await this.cipherKey()));
    url.searchParams.set('nonce', state.nonce);
    url.searchParams.set('code_challenge', codeChallengeS256(verifier));
    url.searchParams.set('code_challenge_method', 'S256');
    return { location: url.toString(), binding };
  }

  /** The callback: the verified ID token and where the console goes next. */
  async complete(query: OidcCallbackQuery, bindingCookie: string | undefined): Promise<{ idToken: string; next: string }> {
    const { settings, issuer } = this.configured();
    if (!query.state) throw new OidcError('OidcInvalidRequest', 'state: the callback has no state parameter');
    const state = openState(query.state, await this.cipherKey(), bindingCookie, this.now());
    if (query.error) {
      const description = query.error_description ? `: ${query.error_description.slice(0, 300)}` : '';
      throw new OidcError('OidcAccessDenied', `the issuer answered error=${query.error.slice(0, 64)}${description}`);
    }
    if (!query.code) throw new OidcError('OidcInvalidRequest', 'code: the callback has no code parameter');
    await this.claim(state);
    const idToken = await this.exchange(settings, issuer, query.code, state.verifier);
    const header = idTokenHeader(idToken);
    let key = keyFor(await issuer.keys(), header);
    key ??= keyFor(await issuer.keys(true), header);
    if (!key) throw new OidcError('OidcInvalidIdToken', `ID token: refused, no key of the issuer's JWKS matches kid ${JSON.stringify(header.kid ?? '')} and alg ${header.alg}`);
    const claims = verifyIdToken(idToken, key, { issuer: settings.issuer, clientId: settings.clientId, nonce: state.nonce, now: this.now() });
    this.deps.logger.info({ sub: claims.sub, email: typeof claims.email === 'string' ? claims.email : undefined }, 'console OIDC sign-in completed');
    return { idToken, next: state.next };
  }

  private async exchange(settings: OidcSettings, issuer: OidcIssuer, code: string, verifier: string): Promise<string> {
    const metadata = await issuer.discovery();
    const form: Record<string, string> = { grant_type: 'authorization_code', code, redirect_uri: this.redirectUri(settings), code_verifier: verifier };
    const headers: Record<string, string> = {};
    const methods = metadata.token_endpoint_auth_methods_supported ?? ['client_secret_basic'];
    if (!settings.clientSecret) {
      form.client_id = settings.clientId; // a public client: PKCE alone
    } else if (methods.includes('client_secret_basic') || !methods.includes('client_secret_post')) {
      // RFC 6749 §2.3.1: both parts form-encoded before base64.
      const pair = `${encodeURIComponent(settings.clientId)}:${encodeURIComponent(settings.clientSecret)}`;
      headers.authorization = `Basic ${Buffer.from(pair, 'utf8').toString('base64')}`;
    } else {
      Object.assign(form, { client_id: settings.clientId, client_secret: settings.clientSecret });
    }
    const response = await issuer.tokenRequest(form, headers);
    const body = (response.body ?? {}) as { id_token?: unknown; error?: unknown; error_description?: unknown };
    if (response.status === 400 || response.status === 401) {
      const description = typeof body.error_description === 'string' ? `: ${body.error_description.slice(0, 300)}` : '';
      throw new OidcError('OidcCodeRefused', `the issuer's token endpoint refused the code: HTTP ${response.status} ${typeof body.error === 'string' ? body.error.slice(0, 64) : ''}${description}`);
    }
    if (response.status !== 200) throw new OidcError('OidcIssuerUnavailable', `the issuer's token endpoint answered HTTP ${response.status}`);
    if (typeof body.id_token !== 'string' || !body.id_token) throw new OidcError('OidcIssuerUnavailable', 'the issuer\'s token answer has no id_token (is openid among OIDC_SCOPES?)');
    return body.id_token;
  }

  /** A state completes one sign-in: its id is recorded until it would have expired anyway. */
  private async claim(state: OidcState): Promise<void> {
    const ttl = state.expiresAt - Math.floor(this.now().getTime() / 1000) + 60;
    let first: boolean;
    try {
      first = await this.deps.usedStates.claim(`oidc-state:${state.id}`, ttl);
    } catch (err) {
      throw new OidcError('OidcStateUnavailable', `the use of the state cannot be recorded: ${(err as Error).message}`, { cause: err });
    }
    if (!first) throw new OidcError('OidcInvalidState', 'state: refused, it already completed a sign-in; sign in again');
  }

  private configured(): { settings: OidcSettings; issuer: OidcIssuer } {
    if (!this.deps.settings || !this.deps.issuer) throw new OidcError('OidcNotConfigured', 'OIDC sign-in is not configured (OIDC_ISSUER_URL, OIDC_CLIENT_ID); sign in with a bearer token');
    return { settings: this.deps.settings, issuer: this.deps.issuer };
  }

  private redirectUri(settings: OidcSettings): string {
    return `${settings.publicUrl.replace(/\/+$/, '')}${OIDC_CALLBACK_PATH}`;
  }

  private async cipherKey(): Promise<Buffer> {
    try {
      return stateCipherKey(await this.deps.managerKey.key());
    } catch (err) {
      throw new OidcError('OidcStateUnavailable', `the manager's sign-in key cannot be read: ${(err as Error).message}`, { cause: err });
    }
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }
}
