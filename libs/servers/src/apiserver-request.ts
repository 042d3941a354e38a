// A request to the apiserver as the apiserver itself reads it (its RequestInfo): verb, group, resource,
// namespace, name and subresource from the path and method, and the JSON body of a write.
import type { IncomingMessage } from 'node:http';

export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'other';

export interface ProxiedRequest {
  method: string;
  /** Path without the query. */
  path: string;
  query: URLSearchParams;
  verb: Verb;
  /** API group ('' for the core group). */
  group: string;
  /** Plural resource name ('' for non-resource paths such as /version). */
  resource: string;
  namespace?: string;
  name?: string;
  subresource?: string;
  /** The JSON body of a write, parsed (undefined for reads or bodies that are not JSON). */
  body?: unknown;
}

/** What the apiserver would make of the request: its verb and resource, from the path (kube's RequestInfo). */
export function describeRequest(req: IncomingMessage, body: Buffer): ProxiedRequest {
  const url = new URL(req.url ?? '/', 'https://apiserver');
  const method = (req.method ?? 'GET').toUpperCase();
  const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  let rest: string[] = [];
  let group = '';
  if (parts[0] === 'api' && parts.length >= 2) rest = parts.slice(2);
  else if (parts[0] === 'apis' && parts.length >= 3) {
    group = parts[1];
    rest = parts.slice(3);
  }
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [resource = '', name, subresource] = rest;
  const watching = ['1', 'true'].includes(url.searchParams.get('watch') ?? '');
  const verb: Verb = !resource ? 'other'
    : method === 'GET' ? (watching ? 'watch' : name ? 'get' : 'list')
    : method === 'POST' ? 'create'
    : method === 'PUT' ? 'update'
    : method === 'PATCH' ? 'patch'
    : method === 'DELETE' ? 'delete'
    : 'other';
  let parsed: unknown;
  if (body.length && method !== 'GET') {
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      parsed = undefined; // YAML (server-side apply) or binary: not needed by the tests
    }
  }
  return { method, path: url.pathname, query: url.searchParams, verb, group, resource, namespace, name, subresource, body: parsed };
}
