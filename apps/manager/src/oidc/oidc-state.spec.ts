import { randomBytes } from 'node:crypto';
import { newOidcState, openState, sealState, stateCipherKey } from './oidc-state';
import { OidcError } from './oidc.errors';
import { codeChallengeS256, newCodeVerifier } from './pkce';
import { safeNext } from './safe-next';

const KEY = stateCipherKey(Buffer.from('test-manager-key-0123456789abcdef0123'));
const NOW = new Date('2026-12-03T12:00:00Z');
const code = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    return err instanceof OidcError ? `${err.code}: ${err.message}` : `not an OidcError: ${String(err)}`;
  }
  return 'accepted';
};

describe('the sealed OIDC state', () => {
  const state = newOidcState('/p/demo/pipelines', 'cookie-value', NOW, 'verifier-1');

  it('opens to what was sealed, in the browser that holds the cookie', () => {
    expect(openState(sealState(state, KEY), KEY, 'cookie-value', NOW)).toEqual(state);
  });

  it('does not show the PKCE verifier, the next path or the nonce to whoever reads the URL', () => {
    const sealed = sealState(state, KEY);
    const visible = Buffer.from(sealed.split('.').slice(1).join(''), 'base64url').toString('latin1') + sealed;
    for (const secret of ['verifier-1', '/p/demo', state.nonce]) expect(visible).not.toContain(secret);
  });

  it('seals each state apart: two states of the same sign-in differ', () => {
    expect(sealState(state, KEY)).not.toBe(sealState(state, KEY));
  });

  it('refuses a state started in another browser (no cookie, another cookie)', () => {
    const sealed = sealState(state, KEY);
    expect(code(() => openState(sealed, KEY, undefined, NOW))).toMatch(/^OidcInvalidState: .*another browser/);
    expect(code(() => openState(sealed, KEY, 'other-cookie', NOW))).toMatch(/^OidcInvalidState: .*another browser/);
  });

  it('refuses an altered state, one sealed with another key, and garbage', () => {
    const sealed = sealState(state, KEY);
    // A character inside the ciphertext (the last one may only carry padding bits, which decoding ignores).
    const [version, iv, body] = sealed.split('.');
    const flipped = `${body[0] === 'A' ? 'B' : 'A'}${body.slice(1)}`;
    expect(code(() => openState(`${version}.${iv}.${flipped}`, KEY, 'cookie-value', NOW))).toMatch(/altered or sealed with another key/);
    expect(code(() => openState(sealed, stateCipherKey(randomBytes(32)), 'cookie-value', NOW))).toMatch(/altered or sealed with another key/);
    expect(code(() => openState('v1.forged.state', KEY, 'cookie-value', NOW))).toMatch(/not a state this manager made/);
    expect(code(() => openState('x'.repeat(5000), KEY, 'cookie-value', NOW))).toMatch(/too long/);
  });

  it('refuses a state past its ten minutes', () => {
    const sealed = sealState(state, KEY);
    expect(code(() => openState(sealed, KEY, 'cookie-value', new Date(NOW.getTime() + 599_000)))).toBe('accepted');
    expect(code(() => openState(sealed, KEY, 'cookie-value', new Date(NOW.getTime() + 600_000)))).toMatch(/^OidcInvalidState: state: the sign-in expired at/);
  });
});

describe('PKCE S256', () => {
  it('matches the example of RFC 7636 appendix B', () => {
    expect(codeChallengeS256('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  });

  it('makes 43-character verifiers of the unreserved set, each new', () => {
    const [a, b] = [newCodeVerifier(), newCodeVerifier()];
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
  });
});

describe('safeNext', () => {
  it('keeps only what the sealed state can still carry: the longest and worst-escaping next opens again', () => {
    for (const next of [`/${'"'.repeat(1023)}`, `/${'\u2028'.repeat(341)}`]) {
      const state = newOidcState(safeNext(next), 'cookie-value', NOW, newCodeVerifier());
      expect(openState(sealState(state, KEY), KEY, 'cookie-value', NOW).next).toBe(next);
    }
  });

  it('keeps a path of the console, and makes nothing /', () => {
    expect(safeNext('/p/demo/pipelines?x=1#y')).toBe('/p/demo/pipelines?x=1#y');
    expect(safeNext(undefined)).toBe('/');
    expect(safeNext('')).toBe('/');
  });

  it.each(['//evil.example', 'https://evil.example/', '/\\evil.example', 'javascript:alert(1)', 'p/demo', '/a\nb', `/${'a'.repeat(1024)}`, `/${'é'.repeat(512)}`])('refuses %j, naming next', (next) => {
    expect(code(() => safeNext(next))).toMatch(/^OidcInvalidRequest: next: expected a path of the console/);
  });
});
