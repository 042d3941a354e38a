/**
 * Capped exponential backoff with full jitter: attempt n waits a random time in [cap/2, cap] where
 * cap = min(max, base * 2^n). Jitter keeps many clients from reconnecting in lock step.
 */
export function jitteredBackoff(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
