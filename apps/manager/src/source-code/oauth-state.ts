// The `state` of a sign-in at a git provider: who started it (the Kubernetes user), for which provider and
// project, until when, and a nonce that makes it single-use. Signed with HMAC-SHA256, so the callback, which has
// no bearer token (the provider's redirect carries none), can trust what it says.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { SourceCodeError } from './source-code.errors';

export interface OAuthState {
  namespace: string;
  provider: string;
  /** The Kubernetes user the credential will belong to. */
  user: string;
  /** Epoch seconds after which the state is refused. */
  expiresAt: number;
  /** Random, 128 bits, base64url: the key of its single use. */
  nonce: string;
}

/** Ten minutes: as long as a provider's code lives (GitHub's), time enough for a login form and a consent page. */
export const STATE_LIFETIME_SECONDS = 600;

const VERSION = 'v1';
/** Bounds what is parsed before the signature is known to be good. */
const MAX_STATE_LENGTH = 2048;

/** A fresh state for `user`, expiring STATE_LIFETIME_SECONDS after `now`. */
export function newState(fields: Pick<OAuthState, 'namespace' | 'provider' | 'user'>, now: Date, lifetimeSeconds = STATE_LIFETIME_SECONDS): OAuthState {
  return { ...fields, expiresAt: Math.floor(now.getTime() / 1000) + lifetimeSeconds, nonce: randomBytes(16).toString('base64url') };
}

/** `v1.<payload>.<signature>`, base64url throughout: safe in a query string as it is. */
export function signState(state: OAuthState, key: Buffer): string {
  const payload = Buffer.from(JSON.stringify({ ns: state.namespace, p: state.provider, u: state.user, exp: state.expiresAt, n: state.nonce })).toString('base64url');
  return `${VERSION}.${payload}.${mac(key, `${VERSION}.${payload}`)}`;
}

/** The state a text stands for; throws SourceCodeError InvalidState (malformed, tampered) or StateExpired. */
export function verifyState(text: string, key: Buffer, now: Date): OAuthState {
  if (text.length > MAX_STATE_LENGTH) throw invalid('it is too long');
  const parts = text.split('.');
  if (parts.length !== 3 || parts[0] !== VERSION) throw invalid('it is not a state this manager made');
  const [, payload, signature] = parts;
  const expected = Buffer.from(mac(key, `${VERSION}.${payload}`), 'base64url');
  const given = Buffer.from(signature, 'base64url');
  // Constant time; lengths differ only for a tampered state.
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid('its signature does not match');
  let fields: Record<string, unknown>;
  try {
    fields = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    throw invalid('its payload is not JSON');
  }
  const { ns, p, u, exp, n } = fields;
  if (typeof ns !== 'string' || typeof p !== 'string' || typeof u !== 'string' || typeof n !== 'string' || typeof exp !== 'number' || !ns || !p || !u || !n) {
    throw invalid('its payload lacks a field');
  }
  if (exp * 1000 <= now.getTime()) {
    throw new SourceCodeError('StateExpired', `state: the sign-in expired at ${new Date(exp * 1000).toISOString()}; start it again from the authorize URL`);
  }
  return { namespace: ns, provider: p, user: u, expiresAt: exp, nonce: n };
}

function mac(key: Buffer, text: string): string {
  return createHmac('sha256', key).update(text).digest('base64url');
}

function invalid(why: string): SourceCodeError {
  return new SourceCodeError('InvalidState', `state: refused, ${why}`);
}
