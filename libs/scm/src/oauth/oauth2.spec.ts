import { needsRefresh } from './oauth2';

const NOW = new Date('2026-03-01T12:00:00Z');

describe('needsRefresh', () => {
  it('is false for a token that never expires', () => {
    expect(needsRefresh({ accessToken: 't' }, NOW)).toBe(false);
  });

  it('is true within five minutes of expiry by default, and after it', () => {
    expect(needsRefresh({ accessToken: 't', expiresAt: '2026-03-01T12:05:00Z' }, NOW)).toBe(true);
    expect(needsRefresh({ accessToken: 't', expiresAt: '2026-03-01T12:05:01Z' }, NOW)).toBe(false);
    expect(needsRefresh({ accessToken: 't', expiresAt: '2026-03-01T11:00:00Z' }, NOW)).toBe(true);
  });

  it('takes another margin', () => {
    expect(needsRefresh({ accessToken: 't', expiresAt: '2026-03-01T12:30:00Z' }, NOW, 60 * 60_000)).toBe(true);
    expect(needsRefresh({ accessToken: 't', expiresAt: '2026-03-01T12:00:30Z' }, NOW, 0)).toBe(false);
  });

  it('refreshes a token whose expiry cannot be read', () => {
    expect(needsRefresh({ accessToken: 't', expiresAt: 'soon' }, NOW)).toBe(true);
  });
});
