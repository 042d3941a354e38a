import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { idTokenHeader, keyFor, verifyIdToken, type Jwk } from './id-token';
import { OidcError } from './oidc.errors';

const ISSUER = 'https://issuer.example';
const NOW = new Date('2026-12-03T12:00:00Z');
const nowS = Math.floor(NOW.getTime() / 1000);
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const otherRsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwkOf = (key: KeyObject, kid: string): Jwk => ({ ...(key.export({ format: 'jwk' }) as Jwk), kid, use: 'sig' });
const RSA_JWK = jwkOf(rsa.publicKey, 'rsa-1');
const EC_JWK = jwkOf(ec.publicKey, 'ec-1');

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
function token(claims: Record<string, unknown>, options: { alg?: string; kid?: string; key?: KeyObject } = {}): string {
  const alg = options.alg ?? 'RS256';
  const input = `${b64({ alg, kid: options.kid ?? (alg === 'ES256' ? 'ec-1' : 'rsa-1'), typ: 'JWT' })}.${b64(claims)}`;
  const key = options.key ?? (alg === 'ES256' ? ec.privateKey : rsa.privateKey);
  const signature = sign('sha256', Buffer.from(input), alg === 'ES256' ? { key, dsaEncoding: 'ieee-p1363' } : key);
  return `${input}.${signature.toString('base64url')}`;
}
const claims = (over: Record<string, unknown> = {}) => ({ iss: ISSUER, sub: 'alice', aud: 'keelson', exp: nowS + 300, iat: nowS, nonce: 'n-1', email: 'alice@example.com', ...over });
const expected = { issuer: ISSUER, clientId: 'keelson', nonce: 'n-1', now: NOW };
const refusal = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(OidcError);
    return `${(err as OidcError).code}: ${(err as OidcError).message}`;
  }
  return 'accepted';
};

describe('verifyIdToken', () => {
  it('accepts an RS256 token of the issuer for our client, with our nonce', () => {
    expect(verifyIdToken(token(claims()), RSA_JWK, expected)).toMatchObject({ sub: 'alice', email: 'alice@example.com' });
  });

  it('accepts an ES256 token (JOSE signature encoding), and an aud list with azp naming us', () => {
    expect(verifyIdToken(token(claims({ aud: ['keelson', 'other'], azp: 'keelson' }), { alg: 'ES256' }), EC_JWK, expected).sub).toBe('alice');
  });

  it('refuses a token signed by another key', () => {
    expect(refusal(() => verifyIdToken(token(claims(), { key: otherRsa.privateKey }), RSA_JWK, expected))).toMatch(/^OidcInvalidIdToken: .*signature does not match/);
  });

  it('refuses a token whose payload was changed after signing', () => {
    const [h, , s] = token(claims()).split('.');
    expect(refusal(() => verifyIdToken(`${h}.${b64(claims({ sub: 'mallory' }))}.${s}`, RSA_JWK, expected))).toMatch(/signature does not match/);
  });

  it('refuses the wrong audience, and an aud list whose azp is another client', () => {
    expect(refusal(() => verifyIdToken(token(claims({ aud: 'someone-else' })), RSA_JWK, expected))).toMatch(/aud does not include the client id "keelson"/);
    expect(refusal(() => verifyIdToken(token(claims({ aud: ['keelson', 'x'], azp: 'x' })), RSA_JWK, expected))).toMatch(/azp is not ours/);
  });

  it('refuses another issuer', () => {
    expect(refusal(() => verifyIdToken(token(claims({ iss: 'https://evil.example' })), RSA_JWK, expected))).toMatch(/iss "https:\/\/evil.example" is not the configured issuer/);
  });

  it('refuses an expired token beyond a minute of clock skew, and accepts one within it', () => {
    expect(refusal(() => verifyIdToken(token(claims({ exp: nowS - 61 })), RSA_JWK, expected))).toMatch(/expired at/);
    expect(verifyIdToken(token(claims({ exp: nowS - 30 })), RSA_JWK, expected).sub).toBe('alice');
  });

  it('refuses a token for another sign-in (wrong nonce) and one without a nonce', () => {
    expect(refusal(() => verifyIdToken(token(claims({ nonce: 'n-2' })), RSA_JWK, expected))).toMatch(/nonce is not the one this sign-in sent/);
    expect(refusal(() => verifyIdToken(token(claims({ nonce: undefined })), RSA_JWK, expected))).toMatch(/nonce/);
  });

  it('refuses alg none and HS256, whatever the key', () => {
    const unsigned = `${b64({ alg: 'none' })}.${b64(claims())}.`;
    expect(refusal(() => verifyIdToken(unsigned, RSA_JWK, expected))).toMatch(/alg "none" is not accepted/);
    expect(refusal(() => idTokenHeader(`${b64({ alg: 'HS256' })}.${b64(claims())}.c2ln`))).toMatch(/alg "HS256" is not accepted/);
  });

  it('refuses what is not a compact JWS', () => {
    expect(refusal(() => idTokenHeader('not-a-token'))).toMatch(/not a compact JWS/);
    expect(refusal(() => idTokenHeader('a.b.c.d'))).toMatch(/not a compact JWS/);
  });
});

describe('keyFor', () => {
  const keys = [RSA_JWK, EC_JWK, { ...jwkOf(otherRsa.publicKey, 'enc-1'), use: 'enc' }];

  it('finds the key by kid and the alg\'s key type', () => {
    expect(keyFor(keys, { alg: 'RS256', kid: 'rsa-1' })).toBe(RSA_JWK);
    expect(keyFor(keys, { alg: 'ES256', kid: 'ec-1' })).toBe(EC_JWK);
    expect(keyFor(keys, { alg: 'ES256', kid: 'rsa-1' })).toBeUndefined();
    expect(keyFor(keys, { alg: 'RS256', kid: 'enc-1' })).toBeUndefined();
  });

  it('without a kid, takes only an unambiguous key', () => {
    expect(keyFor([RSA_JWK, EC_JWK], { alg: 'RS256' })).toBe(RSA_JWK);
    expect(keyFor([RSA_JWK, jwkOf(otherRsa.publicKey, 'rsa-2')], { alg: 'RS256' })).toBeUndefined();
  });
});
