// Errors of signing in to a git provider and of the source-code API; the API's problem filter (api/problem) turns them into HTTP
// answers. Messages name the field or object; never a token, a code, a client secret or the state's signature.

export const SOURCE_CODE_ERROR_CODES = [
  'MissingParameter', // the callback lacks code or state → 400
  'InvalidState', // a state that is malformed or whose signature does not match → 400
  'StateExpired', // a state older than its lifetime → 400
  'StateReused', // a state that already completed a sign-in → 400
  'AccessDenied', // the user (or the provider) refused the authorization → 400
  'CodeRefused', // the provider refused the code (expired, used, for another redirect URI) → 400
  'ProviderNotFound', // no such SourceCodeProvider → 404
  'ProviderDisabled', // spec.enabled is false → 409
  'ProviderNotConfigured', // no OAuth client id, no server URL, an unreadable client secret → 409
  'ProviderUnavailable', // the provider did not answer, or rate-limited us → 503
  'StateKeyUnavailable', // the key that signs states cannot be read or made → 503
  'StateStoreUnavailable', // the record of used states (Redis) cannot be written → 503
  'NotConfigured', // PUBLIC_URL is unset, so there is no callback URL → 503
  'CredentialConflict', // the credential's name is held by another user's credential → 409
  'CredentialNotFound', // no such SourceCodeCredential → 404
  'RepositoryNotFound', // no such SourceCodeRepository → 404
  'NotYourCredential', // the repository was listed with another user's credential → 403
  'InvalidRequest', // a body that is not what the route takes → 400
  'PipelineExists', // a Pipeline of that name exists → 409
] as const;
export type SourceCodeErrorCode = (typeof SOURCE_CODE_ERROR_CODES)[number];

const RETRYABLE: ReadonlySet<SourceCodeErrorCode> = new Set(['ProviderUnavailable', 'StateKeyUnavailable', 'StateStoreUnavailable']);

export class SourceCodeError extends Error {
  readonly retryable: boolean;

  constructor(
    readonly code: SourceCodeErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SourceCodeError';
    this.retryable = RETRYABLE.has(code);
  }
}
