// PKCE (RFC 7636) with S256: the verifier stays in the sealed state, the issuer sees only its hash.
import { createHash, randomBytes } from 'node:crypto';

/** 32 random bytes, base64url: 43 characters of the unreserved set, as RFC 7636 §4.1 asks. */
export function newCodeVerifier(): string {
  return randomBytes(32).toString('base64url');
}

/** BASE64URL(SHA256(ASCII(verifier))), RFC 7636 §4.2. */
export function codeChallengeS256(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}
