// Where the console goes after sign-in: a path of this origin only. `//evil.example` and `/\evil.example` are
// read by browsers as another host, so both are refused, as is anything with a scheme or a control character.
import { OidcError } from './oidc.errors';

/** In UTF-8 bytes: the sealed state (JSON, encrypted, base64url, at most 4096 characters) must still hold it. */
const MAX_NEXT_BYTES = 1024;

/** `next` as given, when it is a same-origin path; `/` when absent; OidcInvalidRequest otherwise. */
export function safeNext(next: string | undefined): string {
  if (next === undefined || next === '') return '/';
  const sameOrigin = Buffer.byteLength(next, 'utf8') <= MAX_NEXT_BYTES && next.startsWith('/') && !next.startsWith('//')
    && !next.includes('\\') && !/[\x00-\x1f\x7f]/.test(next);
  if (!sameOrigin) throw new OidcError('OidcInvalidRequest', 'next: expected a path of the console such as /p/demo/pipelines (no scheme, host or //)');
  return next;
}
