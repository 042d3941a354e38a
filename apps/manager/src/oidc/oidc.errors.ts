// Errors of the console's OIDC sign-in. The browser routes turn them into `/login#error=<code>`; an API client
// gets them as problems (api/problem). Messages name the field at fault, never a code, token, secret or state.

export const OIDC_ERROR_CODES = [
  'OidcNotConfigured', // OIDC_ISSUER_URL / OIDC_CLIENT_ID unset: the console signs in with a token only → 404
  'OidcInvalidRequest', // a callback without code or state, a `next` that is not a same-origin path → 400
  'OidcInvalidState', // a state that is malformed, tampered, expired, used, or started in another browser → 400
  'OidcAccessDenied', // the issuer answered with an error (the user refused, consent required...) → 400
  'OidcCodeRefused', // the issuer's token endpoint refused the code (expired, used, PKCE mismatch) → 400
  'OidcInvalidIdToken', // the ID token's signature, issuer, audience, expiry or nonce does not hold → 400
  'OidcIssuerUnavailable', // discovery, JWKS or token endpoint unreachable, refused by the outbound policy, or malformed → 503
  'OidcStateUnavailable', // the signing key or the record of used states (Redis) cannot be reached → 503
] as const;
export type OidcErrorCode = (typeof OIDC_ERROR_CODES)[number];

const RETRYABLE: ReadonlySet<OidcErrorCode> = new Set(['OidcIssuerUnavailable', 'OidcStateUnavailable']);

export class OidcError extends Error {
  readonly retryable: boolean;

  constructor(readonly code: OidcErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'OidcError';
    this.retryable = RETRYABLE.has(code);
  }
}
