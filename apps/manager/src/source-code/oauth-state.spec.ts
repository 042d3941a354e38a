import { newState, signState, STATE_LIFETIME_SECONDS, verifyState, type OAuthState } from './oauth-state';

const KEY = Buffer.from('k'.repeat(32));
const NOW = new Date('2030-05-01T10:00:00Z');
const at = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);

function aState(fields: Partial<OAuthState> = {}): OAuthState {
  return { ...newState({ namespace: 'demo', provider: 'github', user: 'alice' }, NOW), ...fields };
}

/** The payload of a signed state re-encoded with one field changed, the signature kept. */
function tamper(text: string, change: (payload: Record<string, unknown>) => void): string {
  const [version, payload, signature] = text.split('.');
  const fields = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
  change(fields);
  return `${version}.${Buffer.from(JSON.stringify(fields)).toString('base64url')}.${signature}`;
}

describe('OAuth state', () => {
  it('comes back as it was signed: namespace, provider, user, expiry and nonce', () => {
    const state = aState();
    expect(verifyState(signState(state, KEY), KEY, at(1))).toEqual(state);
  });

  it('expires ten minutes after it was made, not before', () => {
    const text = signState(aState(), KEY);
    expect(verifyState(text, KEY, at(STATE_LIFETIME_SECONDS - 1)).user).toBe('alice');
    expect(() => verifyState(text, KEY, at(STATE_LIFETIME_SECONDS))).toThrow(expect.objectContaining({ code: 'StateExpired' }));
  });

  it('gets a fresh 128-bit nonce each time', () => {
    const nonces = new Set(Array.from({ length: 50 }, () => aState().nonce));
    expect(nonces.size).toBe(50);
    expect(Buffer.from([...nonces][0], 'base64url')).toHaveLength(16);
  });

  it.each([
    ['user', (p: Record<string, unknown>) => { p.u = 'mallory'; }],
    ['namespace', (p: Record<string, unknown>) => { p.ns = 'other'; }],
    ['provider', (p: Record<string, unknown>) => { p.p = 'gitlab'; }],
    ['expiry', (p: Record<string, unknown>) => { p.exp = Number(p.exp) + 3600; }],
    ['nonce', (p: Record<string, unknown>) => { p.n = 'AAAAAAAAAAAAAAAAAAAAAA'; }],
  ])('refuses a state whose %s was changed', (_field, change) => {
    const text = tamper(signState(aState(), KEY), change);
    expect(() => verifyState(text, KEY, at(1))).toThrow(expect.objectContaining({ code: 'InvalidState', message: 'state: refused, its signature does not match' }));
  });

  it('refuses a state signed with another key', () => {
    const text = signState(aState(), Buffer.from('x'.repeat(32)));
    expect(() => verifyState(text, KEY, at(1))).toThrow(expect.objectContaining({ code: 'InvalidState' }));
  });

  it.each([
    ['empty', ''], ['two parts', 'v1.abc'], ['another version', 'v2.a.b'], ['empty parts', 'v1..'], ['free text', 'not a state'],
    ['3 KiB long', `v1.${'a'.repeat(3000)}.b`],
  ])('refuses a malformed state (%s)', (_what, text) => {
    expect(() => verifyState(text, KEY, at(1))).toThrow(expect.objectContaining({ code: 'InvalidState' }));
  });

  it('refuses a correctly signed payload that lacks a field', () => {
    const forged = (payload: object) => {
      const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
      const { createHmac } = jest.requireActual<typeof import('node:crypto')>('node:crypto');
      return `v1.${body}.${createHmac('sha256', KEY).update(`v1.${body}`).digest('base64url')}`;
    };
    expect(() => verifyState(forged({ ns: 'demo', p: 'github', exp: 2e9, n: 'x' }), KEY, at(1))).toThrow(expect.objectContaining({ code: 'InvalidState', message: 'state: refused, its payload lacks a field' }));
    expect(verifyState(forged({ ns: 'demo', p: 'github', u: 'bob', exp: 2e9, n: 'x' }), KEY, at(1)).user).toBe('bob');
  });

  it('is URL-safe as it is', () => {
    const text = signState(aState({ user: 'system:serviceaccount:demo/ci?&=' }), KEY);
    expect(encodeURIComponent(text)).toBe(text);
  });
});
