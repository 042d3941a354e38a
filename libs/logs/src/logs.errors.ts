// Errors of the log pipeline. Messages name the bucket, key or parameter, never a secret value or a credential.

export const LOG_ERROR_CODES = [
  'Unavailable', // the log store (MinIO) did not answer: retry later; readers get "log temporarily unavailable"
  'NotFound', // no such log (never written, or deleted)
  'InvalidRange', // an offset or Range outside the log
  'InvalidPattern', // a search pattern refused (malformed, or one whose matching cost cannot be bounded)
  'Refused', // the store refused the request (credentials, policy): retrying will not help
] as const;
export type LogErrorCode = (typeof LOG_ERROR_CODES)[number];

export class LogError extends Error {
  readonly retryable: boolean;

  constructor(readonly code: LogErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LogError';
    this.retryable = code === 'Unavailable';
  }
}

export function isLogUnavailable(err: unknown): boolean {
  return err instanceof LogError && err.code === 'Unavailable';
}
