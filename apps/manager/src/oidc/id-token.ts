// Verifies an OIDC ID token (OpenID Connect Core §3.1.3.7) with node:crypto: a compact JWS signed RS256 or ES256
// by a key of the issuer's JWKS, whose iss is the issuer, whose aud holds our client id (azp too when it holds
// others), which has not expired, and whose nonce is the one our state carried. Anything else is refused.
import { createPublicKey, verify, type JsonWebKey, type KeyObject } from 'node:crypto';
import { OidcError } from './oidc.errors';

export interface Jwk extends JsonWebKey {
  kid?: string;
  use?: string;
  alg?: string;
}

export interface IdTokenExpectations {
  issuer: string;
  clientId: string;
  nonce: string;
  now: Date;
  /** Clock difference tolerated between the issuer and us, in seconds. */
  skewSeconds?: number;
}

export interface IdTokenClaims {
  iss: string;
  sub: string;
  aud: string | string[];
  exp: number;
  iat: number;
  nonce?: string;
  [claim: string]: unknown;
}

/** What the signature is checked with, per JWS alg (RFC 7518 §3.1); HS* and none are never accepted. */
const ALGORITHMS: Record<string, { kty: string; crv?: string; dsaEncoding?: 'ieee-p1363' }> = {
  RS256: { kty: 'RSA' },
  ES256: { kty: 'EC', crv: 'P-256', dsaEncoding: 'ieee-p1363' },
};
export const SUPPORTED_ID_TOKEN_ALGORITHMS = Object.keys(ALGORITHMS);

const MAX_TOKEN_LENGTH = 16 * 1024;

/** The key of `keys` that may have signed a token with this header; undefined when none fits. */
export function keyFor(keys: readonly Jwk[], header: { alg: string; kid?: string }): Jwk | undefined {
  const wanted = ALGORITHMS[header.alg];
  const fitting = keys.filter((k) => k.kty === wanted.kty && (k.use === undefined || k.use === 'sig') && (k.alg === undefined || k.alg === header.alg)
    && (wanted.crv === undefined || k.crv === wanted.crv));
  if (header.kid !== undefined) return fitting.find((k) => k.kid === header.kid);
  // No kid: only an unambiguous key will do (Core §10.1).
  return fitting.length === 1 ? fitting[0] : undefined;
}

/** The header of a compact JWS, checked for an accepted alg; before any key is looked up. */
export function idTokenHeader(token: string): { alg: string; kid?: string } {
  if (token.length > MAX_TOKEN_LENGTH) throw invalid('it is too long');
  const parts = token.split('.');
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]*$/.test(p))) throw invalid('it is not a compact JWS');
  const header = decodeJson(parts[0], 'header');
  const { alg, kid } = header;
  if (typeof alg !== 'string' || !ALGORITHMS[alg]) throw invalid(`alg ${JSON.stringify(alg)} is not accepted (${SUPPORTED_ID_TOKEN_ALGORITHMS.join(', ')})`);
  if (kid !== undefined && typeof kid !== 'string') throw invalid('kid is not a string');
  if (header.crit !== undefined) throw invalid('it has critical header parameters');
  return { alg, ...(kid !== undefined && { kid }) };
}

/** The claims of `token` once its signature by `jwk` and every claim check hold; OidcInvalidIdToken otherwise. */
export function verifyIdToken(token: string, jwk: Jwk, expected: IdTokenExpectations): IdTokenClaims {
  const header = idTokenHeader(token);
  const [encodedHeader, encodedPayload, encodedSignature] = token.split('.');
  const algorithm = ALGORITHMS[header.alg];
  let key: KeyObject;
  try {
    key = createPublicKey({ key: jwk, format: 'jwk' });
  } catch (err) {
    throw new OidcError('OidcIssuerUnavailable', `the issuer's key ${JSON.stringify(jwk.kid ?? '')} is not a usable public JWK: ${(err as Error).message}`, { cause: err });
  }
  const signed = Buffer.from(`${encodedHeader}.${encodedPayload}`, 'ascii');
  const signature = Buffer.from(encodedSignature, 'base64url');
  const good = verify('sha256', signed, algorithm.dsaEncoding ? { key, dsaEncoding: algorithm.dsaEncoding } : key, signature);
  if (!good) throw invalid('its signature does not match the issuer\'s key');
  const claims = decodeJson(encodedPayload, 'payload');
  return checkClaims(claims, expected);
}

function checkClaims(claims: Record<string, unknown>, expected: IdTokenExpectations): IdTokenClaims {
  const now = Math.floor(expected.now.getTime() / 1000);
  const skew = expected.skewSeconds ?? 60;
  if (claims.iss !== expected.issuer) throw invalid(`iss ${JSON.stringify(claims.iss)} is not the configured issuer ${JSON.stringify(expected.issuer)}`);
  const aud = claims.aud;
  const audiences = typeof aud === 'string' ? [aud] : Array.isArray(aud) && aud.every((a) => typeof a === 'string') ? (aud as string[]) : undefined;
  if (!audiences || !audiences.includes(expected.clientId)) throw invalid(`aud does not include the client id ${JSON.stringify(expected.clientId)}`);
  if (audiences.length > 1 && claims.azp !== expected.clientId) throw invalid('aud names other clients and azp is not ours');
  if (typeof claims.sub !== 'string' || !claims.sub) throw invalid('sub is missing');
  if (typeof claims.exp !== 'number') throw invalid('exp is missing');
  if (claims.exp + skew <= now) throw invalid(`it expired at ${new Date(claims.exp * 1000).toISOString()}`);
  if (typeof claims.iat !== 'number') throw invalid('iat is missing');
  if (typeof claims.nbf === 'number' && claims.nbf - skew > now) throw invalid('it is not valid yet (nbf)');
  if (claims.nonce !== expected.nonce) throw invalid('nonce is not the one this sign-in sent');
  return claims as IdTokenClaims;
}

function decodeJson(part: string, what: string): Record<string, unknown> {
  try {
    const value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown;
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw invalid(`its ${what} is not a JSON object`);
}

function invalid(why: string): OidcError {
  return new OidcError('OidcInvalidIdToken', `ID token: refused, ${why}`);
}
