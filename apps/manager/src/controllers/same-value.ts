import { isDeepStrictEqual } from 'node:util';

/**
 * Whether two API values are the same as the apiserver would store them: key order does not count (the apiserver
 * returns keys sorted, we build them in our order) and undefined members are absent. Comparing JSON text instead
 * made every resync write an unchanged status.
 */
export function sameValue(a: unknown, b: unknown): boolean {
  const plain = (v: unknown) => (v === undefined ? undefined : JSON.parse(JSON.stringify(v)));
  return isDeepStrictEqual(plain(a), plain(b));
}
