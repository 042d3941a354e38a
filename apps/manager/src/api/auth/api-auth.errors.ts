// Errors of REST API authentication and authorisation; the guard turns them into HTTP answers.

export const API_AUTH_ERROR_CODES = [
  'MissingCredentials', // no Authorization header, or not `Bearer <token>` → 401
  'InvalidToken', // the apiserver does not accept the token → 401
  'Forbidden', // the user is authenticated but RBAC does not allow the action → 403
  'ReviewUnavailable', // the apiserver could not be asked; we refuse rather than guess → 503
  'NoAccessRequirement', // a guarded route declares no @RequiresAccess: a programming error, refused → 500
] as const;
export type ApiAuthErrorCode = (typeof API_AUTH_ERROR_CODES)[number];

export class ApiAuthError extends Error {
  readonly retryable: boolean;
  /** What the caller may be told: never the token, never the apiserver's internals. */
  readonly details: Record<string, unknown>;

  constructor(
    readonly code: ApiAuthErrorCode,
    message: string,
    options?: { cause?: unknown; details?: Record<string, unknown> },
  ) {
    super(message, options);
    this.name = 'ApiAuthError';
    this.retryable = code === 'ReviewUnavailable';
    this.details = options?.details ?? {};
  }
}
