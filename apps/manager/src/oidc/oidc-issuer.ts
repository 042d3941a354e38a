// What the manager knows of the issuer: its discovery document (OpenID Connect Discovery 1.0 §4) and its JWKS,
// each kept five minutes. An ID token signed by a key we do not know yet fetches the JWKS again (key rotation),
// at most once a minute so a stream of bad tokens cannot hammer the issuer.
import type { Jwk } from './id-token';
import type { OidcAnswer, OidcHttp } from './oidc-http';
import { OidcError } from './oidc.errors';

export interface IssuerMetadata {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
  code_challenge_methods_supported?: string[];
  token_endpoint_auth_methods_supported?: string[];
}

const CACHE_MS = 5 * 60_000;
const MIN_JWKS_REFRESH_MS = 60_000;

export class OidcIssuer {
  private metadata?: { value: IssuerMetadata; at: number };
  private jwks?: { keys: Jwk[]; at: number };

  constructor(private readonly issuer: string, private readonly http: OidcHttp, private readonly clock: () => number = Date.now) {}

  async discovery(): Promise<IssuerMetadata> {
    if (this.metadata && this.clock() - this.metadata.at < CACHE_MS) return this.metadata.value;
    const url = `${this.issuer}/.well-known/openid-configuration`;
    const answer = await this.http.getJson(url, 'OIDC discovery');
    if (answer.status !== 200) throw unavailable(`OIDC discovery: ${url} answered HTTP ${answer.status}`);
    const doc = answer.body as Partial<IssuerMetadata> | undefined;
    // Discovery §4.3: the document's issuer must be the one asked for, exactly.
    if (!doc || doc.issuer !== this.issuer) throw unavailable(`OIDC discovery: the document's issuer ${JSON.stringify(doc?.issuer)} is not OIDC_ISSUER_URL ${JSON.stringify(this.issuer)}`);
    for (const field of ['authorization_endpoint', 'token_endpoint', 'jwks_uri'] as const) {
      if (typeof doc[field] !== 'string' || !/^https?:\/\//.test(doc[field])) throw unavailable(`OIDC discovery: ${field} is missing or not an http(s) URL`);
      // The client secret and the code go to token_endpoint: never over http when the issuer is https.
      if (new URL(doc[field]).protocol !== new URL(this.issuer).protocol) throw unavailable(`OIDC discovery: ${field} ${JSON.stringify(doc[field])} does not use the issuer's scheme`);
    }
    const methods = doc.code_challenge_methods_supported;
    if (Array.isArray(methods) && !methods.includes('S256')) throw unavailable('OIDC discovery: the issuer does not support PKCE S256 (code_challenge_methods_supported)');
    this.metadata = { value: doc as IssuerMetadata, at: this.clock() };
    return this.metadata.value;
  }

  /** POSTs a form to the token endpoint (RFC 6749 §4.1.3); the caller judges the answer. */
  async tokenRequest(form: Record<string, string>, headers: Record<string, string>): Promise<OidcAnswer> {
    const { token_endpoint: url } = await this.discovery();
    return this.http.postForm(url, form, headers, 'OIDC token endpoint');
  }

  /** The issuer's signing keys; `refresh` fetches them again unless that was done in the last minute. */
  async keys(refresh = false): Promise<Jwk[]> {
    const age = this.jwks ? this.clock() - this.jwks.at : Infinity;
    if (this.jwks && age < CACHE_MS && (!refresh || age < MIN_JWKS_REFRESH_MS)) return this.jwks.keys;
    const { jwks_uri: url } = await this.discovery();
    const answer = await this.http.getJson(url, 'OIDC JWKS');
    if (answer.status !== 200) throw unavailable(`OIDC JWKS: ${url} answered HTTP ${answer.status}`);
    const keys = (answer.body as { keys?: unknown } | undefined)?.keys;
    if (!Array.isArray(keys)) throw unavailable('OIDC JWKS: the answer has no keys array');
    this.jwks = { keys: keys.filter((k): k is Jwk => !!k && typeof k === 'object'), at: this.clock() };
    return this.jwks.keys;
  }
}

function unavailable(message: string): OidcError {
  return new OidcError('OidcIssuerUnavailable', message);
}
