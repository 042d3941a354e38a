import { isRateLimited, retryAtOf } from './rate-limit';

const NOW = new Date('2026-03-01T12:00:00Z');
const headers = (h: Record<string, string>) => (name: string) => h[name.toLowerCase()];

describe('isRateLimited', () => {
  it.each([
    [429, {}, true],
    [403, { 'x-ratelimit-remaining': '0' }, true], // GitHub primary limit
    [403, { 'retry-after': '60' }, true], // GitHub secondary limit
    [403, { 'x-ratelimit-remaining': '12' }, false], // a plain permission refusal
    [403, {}, false],
    [503, { 'retry-after': '5' }, false],
  ])('HTTP %i with %j → %s', (status, h, expected) => {
    expect(isRateLimited(status, headers(h))).toBe(expected);
  });
});

describe('retryAtOf', () => {
  it('takes Retry-After seconds from now', () => {
    expect(retryAtOf(headers({ 'retry-after': '120' }), NOW).toISOString()).toBe('2026-03-01T12:02:00.000Z');
  });

  it('takes a Retry-After HTTP date as it is', () => {
    expect(retryAtOf(headers({ 'retry-after': 'Sun, 01 Mar 2026 12:05:00 GMT' }), NOW).toISOString()).toBe('2026-03-01T12:05:00.000Z');
  });

  it('takes GitHub\'s x-ratelimit-reset as epoch seconds', () => {
    expect(retryAtOf(headers({ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1772367000' }), NOW).toISOString()).toBe('2026-03-01T12:10:00.000Z');
  });

  it('takes GitLab\'s RateLimit-Reset as epoch seconds, and RateLimit-ResetTime as a date', () => {
    expect(retryAtOf(headers({ 'ratelimit-reset': '1772366460' }), NOW).toISOString()).toBe('2026-03-01T12:01:00.000Z');
    expect(retryAtOf(headers({ 'ratelimit-resettime': 'Sun, 01 Mar 2026 12:03:00 GMT' }), NOW).toISOString()).toBe('2026-03-01T12:03:00.000Z');
  });

  it('prefers Retry-After over the reset of the window', () => {
    expect(retryAtOf(headers({ 'retry-after': '10', 'x-ratelimit-reset': '1772367000' }), NOW).toISOString()).toBe('2026-03-01T12:00:10.000Z');
  });

  it('waits a minute when nothing says how long', () => {
    expect(retryAtOf(headers({}), NOW).toISOString()).toBe('2026-03-01T12:01:00.000Z');
  });
});
