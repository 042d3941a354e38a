// The cookie that binds an OIDC sign-in to the browser that started it (RFC 9700 §4.7.1, CSRF of the callback):
// HttpOnly (no script reads it), SameSite=Lax (sent on the issuer's top-level redirect back), scoped to the
// sign-in routes, and gone after ten minutes or the callback. It holds a random value, never a token.
import { OIDC_STATE_LIFETIME_SECONDS } from './oidc-state';

export const BINDING_COOKIE = 'keelson_oidc';
const COOKIE_PATH = '/api/v1/auth/oidc';

export function bindingCookieHeader(value: string, secure: boolean): string {
  return `${BINDING_COOKIE}=${value}; Path=${COOKIE_PATH}; Max-Age=${OIDC_STATE_LIFETIME_SECONDS}; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`;
}

export function clearedBindingCookieHeader(secure: boolean): string {
  return `${BINDING_COOKIE}=; Path=${COOKIE_PATH}; Max-Age=0; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`;
}

/** The binding cookie's value in a Cookie header, if any. */
export function bindingCookieOf(header: string | undefined): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === BINDING_COOKIE) return rest.join('=') || undefined;
  }
  return undefined;
}
