// Errors of talking to a git provider, one code per way it can go wrong. Messages name the provider, the call
// and the status, never a token or a client secret (the transport redacts them before an error is built).

export const SCM_ERROR_CODES = [
  'Unauthorized', // 401, or the OAuth endpoint refused the code, refresh token or client credentials: sign in again
  'Forbidden', // 403 without a rate limit: the token lacks a scope or the user a permission
  'NotFound', // 404 (also a repository the token cannot see), or a branch that redirects elsewhere
  'RateLimited', // 429, or 403 with an exhausted limit; retryAt says when to try again
  'Unavailable', // 5xx, connection refused or reset, DNS failure
  'OutboundRefused', // the outbound policy refused the address, or the provider redirected to another origin
  'Timeout', // no complete answer within the deadline
  'InvalidResponse', // an answer we cannot use: not JSON, a missing field, an unexpected status
  'Conflict', // 409 / 422 "already exists"
  'InvalidEndpoint', // the provider's configuration cannot work (no API URL derivable, not an http(s) URL)
] as const;
export type ScmErrorCode = (typeof SCM_ERROR_CODES)[number];

const RETRYABLE: ReadonlySet<ScmErrorCode> = new Set(['RateLimited', 'Unavailable', 'Timeout']);

export class ScmError extends Error {
  readonly retryable: boolean;
  readonly status?: number;
  /** ISO 8601: when a RateLimited call may be tried again. */
  readonly retryAt?: string;

  constructor(
    readonly code: ScmErrorCode,
    message: string,
    options: { status?: number; retryAt?: string; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ScmError';
    this.retryable = RETRYABLE.has(code);
    if (options.status !== undefined) this.status = options.status;
    if (options.retryAt !== undefined) this.retryAt = options.retryAt;
  }
}
