// Errors of checking where an outbound call may go. Each names the host and why, never the URL's user-info
// or any credential: the URL may come from a tenant and the call may carry a token.

export const OUTBOUND_ERROR_CODES = [
  'InvalidUrl', // not an absolute http(s) URL with a host
  'SchemeRefused', // plain http while the policy allows https only
  'AddressRefused', // the host is, or resolves to, an address the policy refuses
  'ResolutionFailed', // DNS gave no address (retryable, like git's "Could not resolve host")
  'InvalidPolicy', // an allowCidrs entry that is not a CIDR
] as const;
export type OutboundErrorCode = (typeof OUTBOUND_ERROR_CODES)[number];

export class OutboundError extends Error {
  readonly retryable: boolean;

  constructor(
    readonly code: OutboundErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'OutboundError';
    this.retryable = code === 'ResolutionFailed';
  }
}
