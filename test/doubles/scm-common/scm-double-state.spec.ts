import { ScmDoubleState } from './scm-double-state';

function world(): { state: ScmDoubleState; advance(ms: number): void } {
  let now = Date.parse('2026-03-01T12:00:00Z');
  const state = new ScmDoubleState(() => now);
  state.addUser('alice');
  state.addApp('client', 'secret');
  return { state, advance: (ms) => { now += ms; } };
}

describe('ScmDoubleState', () => {
  it('redeems a code once, for its client and redirect URI, within ten minutes', () => {
    const { state, advance } = world();
    const code = state.authorize('alice', 'client', 'http://cb.test/');
    expect(state.redeemCode(code, 'other', 'http://cb.test/', [])).toBeUndefined();
    expect(state.redeemCode(code, 'client', 'http://elsewhere.test/', [])).toBeUndefined();
    expect(state.redeemCode(code, 'client', 'http://cb.test/', [])?.login).toBe('alice');
    expect(state.redeemCode(code, 'client', 'http://cb.test/', [])).toBeUndefined();
    const late = state.authorize('alice', 'client', 'http://cb.test/');
    advance(10 * 60_000 + 1);
    expect(state.redeemCode(late, 'client', 'http://cb.test/', [])).toBeUndefined();
  });

  it('expires access tokens after their lifetime; a refresh revokes the old pair', () => {
    const { state, advance } = world();
    state.tokenLifetimeSeconds = 60;
    const first = state.issueToken('alice', { clientId: 'client' });
    expect(state.checkToken(first.accessToken).ok).toBe(true);
    advance(61_000);
    expect(state.checkToken(first.accessToken)).toEqual({ ok: false, reason: 'expired' });
    const second = state.redeemRefresh(first.refreshToken!, 'client')!;
    expect(state.checkToken(second.accessToken).ok).toBe(true);
    expect(state.redeemRefresh(first.refreshToken!, 'client')).toBeUndefined();
    expect(state.checkToken(first.accessToken)).toEqual({ ok: false, reason: 'revoked' });
  });

  it('rate-limits until the given second, then lets calls through again', () => {
    const { state, advance } = world();
    state.rateLimit(30);
    expect(state.isRateLimited()).toBe(true);
    advance(30_000);
    expect(state.isRateLimited()).toBe(false);
  });

  it('gives the owner admin, explicit members their access, everyone read of a public repository', () => {
    const { state } = world();
    const priv = state.addRepo({ owner: 'alice', name: 'app', access: { bob: 'write' } });
    const pub = state.addRepo({ owner: 'acme', name: 'docs', private: false });
    expect([state.can(priv, 'alice', 'admin'), state.can(priv, 'bob', 'write'), state.can(priv, 'bob', 'admin'), state.can(priv, 'carol', 'read')]).toEqual([true, true, false, false]);
    expect([state.can(pub, 'carol', 'read'), state.can(pub, 'carol', 'write')]).toEqual([true, false]);
  });
});
