// Which pull request of the Docker Registry HTTP API v2 (OCI distribution-spec "Pulling") a path names, checked
// against the spec's own grammar. Anything else is refused before a byte goes upstream: the project must be a DNS
// label (it becomes part of a host name), repository components admit no `.`/`..` segment, and no escape
// (`%2F`, `%2e`) survives, since the raw path is matched, never a decoded one.

/** A repository path component (distribution-spec `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*`). */
const COMPONENT = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$/;
const DNS_LABEL = /^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,256}$/;
/** Longest request target accepted (the spec suggests clients keep names under 255 characters). */
export const MAX_TARGET_LENGTH = 2048;

export type PullKind = 'manifests' | 'blobs' | 'tags' | 'referrers';

export type ParsedTarget =
  | { kind: 'base' }
  | { kind: PullKind; project: string; repository: string; reference: string; query: string }
  | { kind: 'invalid'; reason: string };

/** `n` and `last` page a tag list, `artifactType` filters referrers; no other parameter is forwarded. */
const QUERY_PARAMETERS: Record<PullKind, readonly string[]> = { tags: ['n', 'last'], referrers: ['artifactType'], manifests: [], blobs: [] };

/**
 * `/v2/` or `/v2/<project>/<repository...>/<kind>/<reference>` (`tags/list`). The query keeps only the
 * parameters the kind defines, re-encoded.
 */
export function parseTarget(target: string): ParsedTarget {
  if (target.length > MAX_TARGET_LENGTH) return { kind: 'invalid', reason: 'request target too long' };
  const q = target.indexOf('?');
  const path = q < 0 ? target : target.slice(0, q);
  const rawQuery = q < 0 ? '' : target.slice(q + 1);
  if (path === '/v2/' || path === '/v2') return rawQuery ? { kind: 'invalid', reason: 'the base endpoint takes no query' } : { kind: 'base' };
  if (!path.startsWith('/v2/')) return { kind: 'invalid', reason: 'not a /v2/ path' };
  const parts = path.slice('/v2/'.length).split('/');
  // project, at least one repository component, kind, reference.
  if (parts.length < 4) return { kind: 'invalid', reason: 'expected /v2/<project>/<repository>/<manifests|blobs|tags|referrers>/<reference>' };
  const [project, ...rest] = parts;
  const reference = rest.pop() as string;
  const kind = rest.pop() as string;
  if (!DNS_LABEL.test(project)) return { kind: 'invalid', reason: 'the project is not a DNS label' };
  if (!rest.every((c) => COMPONENT.test(c))) return { kind: 'invalid', reason: 'the repository name is not valid' };
  const repository = rest.join('/');
  if (repository.length > 255) return { kind: 'invalid', reason: 'the repository name is too long' };
  switch (kind) {
    case 'manifests':
      if (!TAG.test(reference) && !DIGEST.test(reference)) return { kind: 'invalid', reason: 'the manifest reference is neither a tag nor a digest' };
      break;
    case 'blobs':
    case 'referrers':
      if (!DIGEST.test(reference)) return { kind: 'invalid', reason: `the ${kind} reference is not a digest` };
      break;
    case 'tags':
      if (reference !== 'list') return { kind: 'invalid', reason: 'only tags/list is defined' };
      break;
    default:
      return { kind: 'invalid', reason: 'expected manifests, blobs, tags or referrers' };
  }
  const query = forwardedQuery(rawQuery, QUERY_PARAMETERS[kind]);
  if (query === undefined) return { kind: 'invalid', reason: 'the query is not valid' };
  return { kind, project, repository, reference, query };
}

function forwardedQuery(raw: string, allowed: readonly string[]): string | undefined {
  if (!raw) return '';
  let params: URLSearchParams;
  try {
    // URLSearchParams decodes; a malformed escape leaves `%` as is, and the value is re-encoded below anyway.
    params = new URLSearchParams(raw);
  } catch {
    return undefined;
  }
  const kept = new URLSearchParams();
  for (const [key, value] of params) {
    if (!allowed.includes(key)) continue;
    if (value.length > 256) return undefined;
    kept.append(key, value);
  }
  const text = kept.toString();
  return text ? `?${text}` : '';
}
