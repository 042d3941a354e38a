// What the manager's OIDC callback hands the login page in the URL fragment (never sent to a server): the ID
// token and where to go next, or an error code and message. Read once, then removed from the address bar.

export type SignInFragment =
  | { kind: 'token'; idToken: string; next: string }
  | { kind: 'error'; code: string; message: string }
  | { kind: 'none' };

/** A path of this origin, or `/`: a `next` from a URL is never trusted to name another host. */
export function sameOriginPath(next: string | null | undefined): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.includes('\\') ? next : '/';
}

export function parseSignInFragment(hash: string): SignInFragment {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const idToken = params.get('id_token');
  if (idToken) return { kind: 'token', idToken, next: sameOriginPath(params.get('next')) };
  const code = params.get('error');
  if (code) return { kind: 'error', code, message: params.get('error_description') ?? 'The sign-in did not complete.' };
  return { kind: 'none' };
}

/** Drops the fragment from the address bar and the history entry, so the token is not left in either. */
export function clearFragment(): void {
  if (typeof window === 'undefined' || !window.location.hash) return;
  window.history.replaceState(window.history.state, '', window.location.pathname + window.location.search);
}
