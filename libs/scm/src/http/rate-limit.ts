// When a refused call may be tried again, from whatever the provider sent:
// - Retry-After: seconds or an HTTP date (GitHub secondary limits, GitLab, Bitbucket);
// - x-ratelimit-remaining: 0 + x-ratelimit-reset, epoch seconds (GitHub primary limit, 403 or 429);
// - RateLimit-Reset, epoch seconds, or RateLimit-ResetTime, an HTTP date (GitLab).
// Without any of them, one minute: GitHub's advice for a secondary limit that names no time.

export type HeaderReader = (name: string) => string | undefined;

export const DEFAULT_RATE_LIMIT_WAIT_MS = 60_000;

/** Whether an answer is a rate-limit refusal: 429, or a 403 that says the limit is spent. */
export function isRateLimited(status: number, header: HeaderReader): boolean {
  if (status === 429) return true;
  if (status !== 403) return false;
  return header('x-ratelimit-remaining') === '0' || header('retry-after') !== undefined;
}

export function retryAtOf(header: HeaderReader, now: Date): Date {
  const retryAfter = header('retry-after')?.trim();
  if (retryAfter) {
    if (/^\d+$/.test(retryAfter)) return new Date(now.getTime() + Number(retryAfter) * 1000);
    const date = Date.parse(retryAfter);
    if (!Number.isNaN(date)) return new Date(date);
  }
  for (const name of ['x-ratelimit-reset', 'ratelimit-reset']) {
    const value = header(name)?.trim();
    if (value && /^\d+$/.test(value)) {
      const n = Number(value);
      // An epoch by every provider's documentation; a small number can only be a delta (the IETF draft's form).
      return n > 1_000_000_000 ? new Date(n * 1000) : new Date(now.getTime() + n * 1000);
    }
  }
  const resetTime = header('ratelimit-resettime');
  if (resetTime && !Number.isNaN(Date.parse(resetTime))) return new Date(Date.parse(resetTime));
  return new Date(now.getTime() + DEFAULT_RATE_LIMIT_WAIT_MS);
}
