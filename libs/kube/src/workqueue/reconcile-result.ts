/**
 * What a reconcile decided, as controller-runtime's (Result, error) pair made explicit:
 * - done: converged; the key's backoff is forgotten and nothing is queued until the next event.
 * - requeue: run again after the rate limiter's backoff, without an error (e.g. waiting on a child object).
 * - requeueAfter: run again after a fixed delay (polling); the backoff is forgotten first.
 * - retryableError: failed, try again with backoff (a thrown exception is treated the same).
 * - terminalError: failed in a way retrying cannot fix; reported so the caller can write it to status, forgotten,
 *   and not retried until the key is added again (controller-runtime's reconcile.TerminalError).
 */
export type ReconcileResult =
  | { readonly kind: 'done' }
  | { readonly kind: 'requeue' }
  | { readonly kind: 'requeueAfter'; readonly afterMs: number }
  | { readonly kind: 'retryableError'; readonly error: unknown }
  | { readonly kind: 'terminalError'; readonly error: unknown };

export type ReconcileResultKind = ReconcileResult['kind'];

const DONE: ReconcileResult = Object.freeze({ kind: 'done' });
const REQUEUE: ReconcileResult = Object.freeze({ kind: 'requeue' });

/** Builders, so reconcilers read `return ReconcileResult.requeueAfter(30_000)`. */
export const ReconcileResult = {
  done: (): ReconcileResult => DONE,
  requeue: (): ReconcileResult => REQUEUE,
  requeueAfter: (afterMs: number): ReconcileResult => {
    // A NaN or negative delay is a bug in the caller; failing here beats a silent hot loop.
    if (!(afterMs >= 0) || !Number.isFinite(afterMs)) {
      throw new RangeError(`requeueAfter needs a finite delay >= 0 ms, got ${afterMs}`);
    }
    return { kind: 'requeueAfter', afterMs };
  },
  retryableError: (error: unknown): ReconcileResult => ({ kind: 'retryableError', error }),
  terminalError: (error: unknown): ReconcileResult => ({ kind: 'terminalError', error }),
} as const;
