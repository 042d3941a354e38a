// The `state` of an OIDC sign-in, sealed (AES-256-GCM) with a key derived from the manager's signing key: the
// issuer passes it back untouched, and only the manager can read or make one. It carries the PKCE verifier (so
// it must stay secret from whoever sees the redirect), the ID token's nonce, where to go next, a hash of the
// browser-binding cookie (a callback URL sent to someone else does not sign them in) and an id for single use.
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import { OidcError } from './oidc.errors';

export interface OidcState {
  /** Random, base64url: the key of its single use. */
  id: string;
  /** The ID token must carry it (OIDC Core §3.1.2.1). */
  nonce: string;
  /** The PKCE code verifier. */
  verifier: string;
  /** Same-origin path the console goes to after sign-in. */
  next: string;
  /** SHA-256 of the binding cookie's value, base64url. */
  binding: string;
  /** Epoch seconds after which the state is refused. */
  expiresAt: number;
}

/** Ten minutes: a login form, a second factor and a consent page. */
export const OIDC_STATE_LIFETIME_SECONDS = 600;

const VERSION = 'o1';
const MAX_STATE_LENGTH = 4096;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** The AES key for states, derived so the same manager key never signs and encrypts with the same bytes. */
export function stateCipherKey(managerKey: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', managerKey, Buffer.alloc(0), 'keelson oidc state v1', 32));
}

export function bindingHash(cookieValue: string): string {
  return createHash('sha256').update(cookieValue, 'utf8').digest('base64url');
}

/** A fresh state for `next`, bound to `binding` (the cookie value), expiring the lifetime after `now`. */
export function newOidcState(next: string, binding: string, now: Date, verifier: string, lifetimeSeconds = OIDC_STATE_LIFETIME_SECONDS): OidcState {
  return {
    id: randomBytes(16).toString('base64url'), nonce: randomBytes(16).toString('base64url'), verifier, next,
    binding: bindingHash(binding), expiresAt: Math.floor(now.getTime() / 1000) + lifetimeSeconds,
  };
}

/** `o1.<iv>.<ciphertext+tag>`, base64url throughout: safe in a query string as it is. */
export function sealState(state: OidcState, key: Buffer): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(VERSION));
  const plain = Buffer.from(JSON.stringify({ i: state.id, n: state.nonce, v: state.verifier, x: state.next, b: state.binding, e: state.expiresAt }));
  const sealed = Buffer.concat([cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
  return `${VERSION}.${iv.toString('base64url')}.${sealed.toString('base64url')}`;
}

/** The state a text stands for, checked against the browser's binding cookie; OidcInvalidState otherwise. */
export function openState(text: string, key: Buffer, bindingCookie: string | undefined, now: Date): OidcState {
  if (text.length > MAX_STATE_LENGTH) throw invalid('it is too long');
  const parts = text.split('.');
  if (parts.length !== 3 || parts[0] !== VERSION) throw invalid('it is not a state this manager made');
  const iv = Buffer.from(parts[1], 'base64url');
  const sealed = Buffer.from(parts[2], 'base64url');
  if (iv.length !== IV_BYTES || sealed.length <= TAG_BYTES) throw invalid('it is not a state this manager made');
  let fields: Record<string, unknown>;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv);
    decipher.setAAD(Buffer.from(VERSION));
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    const plain = Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES)), decipher.final()]);
    fields = JSON.parse(plain.toString('utf8')) as Record<string, unknown>;
  } catch {
    throw invalid('it was altered or sealed with another key');
  }
  const { i, n, v, x, b, e } = fields;
  if ([i, n, v, x, b].some((f) => typeof f !== 'string' || !f) || typeof e !== 'number') throw invalid('it lacks a field');
  if (e * 1000 <= now.getTime()) {
    throw new OidcError('OidcInvalidState', `state: the sign-in expired at ${new Date(e * 1000).toISOString()}; sign in again`);
  }
  if (!bindingCookie || bindingHash(bindingCookie) !== b) {
    throw new OidcError('OidcInvalidState', 'state: refused, the sign-in was started in another browser (or its cookie was blocked); sign in again from this one');
  }
  return { id: i as string, nonce: n as string, verifier: v as string, next: x as string, binding: b as string, expiresAt: e };
}

function invalid(why: string): OidcError {
  return new OidcError('OidcInvalidState', `state: refused, ${why}`);
}
