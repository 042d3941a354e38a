// resourceVersion as the HTTP entity tag: `ETag: "<resourceVersion>"` on every object answered, `If-Match` as the
// precondition of a write (beside metadata.resourceVersion in the body), `If-None-Match` for a cheap re-read.
import { problemOf } from '../problem/problem-mapping';

export function etagOf(resourceVersion: string | undefined): string | undefined {
  return resourceVersion ? `"${resourceVersion}"` : undefined;
}

const STRONG = /^"(\d{1,20})"$/;

/** `If-Match`: undefined when absent, '*' for any version, else the one resourceVersion it names (400 otherwise). */
export function parseIfMatch(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const value = header.trim();
  if (value === '*') return '*';
  const m = STRONG.exec(value);
  if (!m) {
    throw problemOf(400, 'If-Match: expected one entity tag as ETag gave it ("<resourceVersion>") or *', {
      errors: [{ pointer: '/header/If-Match', detail: 'expected one strong entity tag or *' }],
    });
  }
  return m[1];
}

/** Whether `If-None-Match` names the current version (then a GET answers 304). */
export function noneMatch(header: string | undefined, resourceVersion: string | undefined): boolean {
  if (!header || !resourceVersion) return false;
  return header.split(',').map((t) => t.trim().replace(/^W\//, '')).some((t) => t === '*' || t === `"${resourceVersion}"`);
}

/**
 * The version a write is conditional on: If-Match and metadata.resourceVersion, which must agree when both are
 * given; undefined when neither names one.
 */
export function writePrecondition(ifMatch: string | undefined, bodyVersion: unknown): string | undefined {
  const fromHeader = parseIfMatch(ifMatch);
  const fromBody = typeof bodyVersion === 'string' && bodyVersion !== '' ? bodyVersion : undefined;
  if (fromHeader && fromHeader !== '*' && fromBody && fromHeader !== fromBody) {
    throw problemOf(400, `If-Match names resourceVersion ${fromHeader} but metadata.resourceVersion is ${fromBody}`, {
      errors: [{ pointer: '/metadata/resourceVersion', detail: `disagrees with If-Match (${fromHeader})` }],
    });
  }
  return fromBody ?? (fromHeader === '*' ? undefined : fromHeader);
}
