// The `continue` token of a list: opaque to clients (base64url of JSON), checked on the way back in, since a
// client may send anything. Two forms: a keyset position in the newest-first execution index, or where an
// apiserver listing stands (the namespace it is in, when the list walks namespaces one by one, and the
// apiserver's own continue token).
import { problemOf } from '../problem/problem-mapping';

/** After this execution in newest-first order: created at `t` (ms), then namespace, then name. */
export interface KeysetCursor {
  k: 'keyset';
  t: number;
  ns: string;
  n: string;
}

export interface ApiserverCursor {
  k: 'apiserver';
  /** The namespace the listing is in, when it walks several. */
  ns?: string;
  /** The apiserver's continue token in that namespace; absent: start that namespace from its beginning. */
  c?: string;
}

export type ListCursor = KeysetCursor | ApiserverCursor;

export function encodeCursor(cursor: ListCursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

const NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

export function decodeCursor(token: string, expected: ListCursor['k']): ListCursor {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    value = undefined;
  }
  const c = value as Record<string, unknown> | undefined;
  const valid = !!c && typeof c === 'object' && c.k === expected && (expected === 'keyset'
    ? Number.isSafeInteger(c.t) && typeof c.ns === 'string' && NAME.test(c.ns) && typeof c.n === 'string' && NAME.test(c.n) && Object.keys(c).length === 4
    : (c.ns === undefined || (typeof c.ns === 'string' && NAME.test(c.ns))) && (c.c === undefined || (typeof c.c === 'string' && c.c.length > 0 && c.c.length <= 4096)));
  if (!valid) {
    throw problemOf(400, 'continue: not the continue token of a page of this list; list again from the start', {
      errors: [{ pointer: '/query/continue', detail: 'not the continue token of a page of this list' }],
    });
  }
  return c as unknown as ListCursor;
}
