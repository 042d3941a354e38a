// The node-local registry proxy: kubelets on every node pull `127.0.0.1:<port>/<project>/<image>` (a loopback
// registry needs neither TLS nor a runtime setting), and the proxy forwards each pull to that project's
// registry over TLS verified against the project's own CA. It authenticates nobody itself: the client's Basic
// credentials go to the project's registry, whose htpasswd decides, so credentials of one project open no other.
// Pulls only (GET, HEAD): pushes go to the registry directly, from build pods.
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { Agent, request as httpsRequest } from 'node:https';
import { checkServerIdentity } from 'node:tls';
import type { Logger } from '@keelson/observability';

import type { ProjectCas } from './project-cas';
import { parseTarget } from './registry-path';

/** Where a project's registry answers, and the name its certificate must carry. */
export interface Upstream {
  origin: string;
  tlsName: string;
}

/**
 * From templates with `{project}` in them: the origin (`https://registry.{project}-pipeline.svc:5000`) and
 * the certificate's name, the origin's host when absent. Projects are DNS labels, so the result stays a host.
 */
export function upstreamFromTemplates(origin: string, tlsName?: string): (project: string) => Upstream {
  return (project) => {
    const url = new URL(origin.replaceAll('{project}', project));
    return { origin: url.origin, tlsName: tlsName?.replaceAll('{project}', project) ?? url.hostname };
  };
}

export interface RegistryProxyOptions {
  cas: ProjectCas;
  /** A project's registry (see upstreamFromTemplates). */
  upstream: (project: string) => Upstream;
  /** Deadline for the registry's response headers, and for each pause while its body streams. */
  timeoutMs: number;
  logger: Logger;
  /** Realm of the Basic challenge. */
  realm?: string;
  agent?: Agent;
}

/** Headers of a pull a registry may need; everything else (cookies, proxies' own) stays here. */
const REQUEST_HEADERS = ['accept', 'range', 'if-none-match', 'if-modified-since', 'user-agent'];
/** Headers of the answer a client may need; Location, Link and WWW-Authenticate are rewritten apart. */
const RESPONSE_HEADERS = [
  'content-type', 'content-length', 'content-range', 'accept-ranges', 'docker-content-digest', 'etag', 'last-modified',
  'cache-control', 'oci-filters-applied',
];
const MAX_CREDENTIALS_LENGTH = 1024;
export const DEFAULT_REALM = 'keelson-registry-proxy';

function sendError(res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  const body = JSON.stringify({ errors: [{ code, message }] });
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'docker-distribution-api-version': 'registry/2.0', ...headers });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

/** The Basic credentials header, or undefined when there is none usable (other schemes are not forwarded). */
export function basicCredentials(header: string | undefined): string | undefined {
  if (!header || header.length > MAX_CREDENTIALS_LENGTH) return undefined;
  const match = /^Basic ([A-Za-z0-9+/]+={0,2})$/.exec(header.trim());
  if (!match) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon > 0 && colon < decoded.length - 1 ? `Basic ${match[1]}` : undefined;
}

/**
 * A redirect to the registry itself (`/v2/<repository>/...`, relative or on the upstream origin) becomes the
 * proxy's own path for the project; one elsewhere (a storage backend's signed URL) is left as it is.
 */
export function rewriteLocation(location: string, upstreamOrigin: string, project: string): string {
  let url: URL;
  try {
    url = new URL(location, upstreamOrigin);
  } catch {
    return location;
  }
  if (url.origin !== upstreamOrigin || !url.pathname.startsWith('/v2/')) return location;
  return `/v2/${project}/${url.pathname.slice('/v2/'.length)}${url.search}`;
}

/** `</v2/app/tags/list?n=10&last=b>; rel="next"`: the next page, under the project's prefix. */
export function rewriteLink(link: string, upstreamOrigin: string, project: string): string {
  return link.replace(/<([^>]*)>/g, (_, target: string) => `<${rewriteLocation(target, upstreamOrigin, project)}>`);
}

export function registryProxyHandler(opts: RegistryProxyOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const realm = opts.realm ?? DEFAULT_REALM;
  const challenge = { 'www-authenticate': `Basic realm="${realm}"` };
  const log = opts.logger;
  return (req, res) => {
    const started = Date.now();
    const method = req.method ?? '';
    const url = req.url ?? '';
    if (url === '/healthz' && method === 'GET') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      return;
    }
    if (method !== 'GET' && method !== 'HEAD') {
      sendError(res, 405, 'UNSUPPORTED', 'the node-local proxy only pulls (GET, HEAD); push to the project registry', { allow: 'GET, HEAD' });
      log.info({ method, status: 405 }, 'registry proxy refused a method');
      return;
    }
    const target = parseTarget(url);
    if (target.kind === 'invalid') {
      sendError(res, 400, 'NAME_INVALID', target.reason);
      log.info({ method, status: 400, reason: target.reason }, 'registry proxy refused a path');
      return;
    }
    const credentials = basicCredentials(req.headers.authorization);
    if (!credentials) {
      sendError(res, 401, 'UNAUTHORIZED', 'authentication required: the project\'s pull credentials', challenge);
      return;
    }
    // Which project the credentials are for is only known per repository: the base endpoint cannot check them.
    if (target.kind === 'base') {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': 2, 'docker-distribution-api-version': 'registry/2.0' });
      res.end(method === 'HEAD' ? undefined : '{}');
      return;
    }
    const { project } = target;
    const upstreamPath = `/v2/${target.repository}/${target.kind}/${target.reference}${target.query}`;
    const fields = { method, project, repository: target.repository, kind: target.kind };
    opts.cas.caOf(project).then((ca) => {
      if (!ca) {
        sendError(res, 404, 'NAME_UNKNOWN', `no registry is published for project ${project}`);
        log.info({ ...fields, status: 404 }, 'registry proxy: unknown project');
        return;
      }
      forward(ca);
    }, (err: Error) => {
      sendError(res, 503, 'UNAVAILABLE', 'the project registry\'s CA could not be read');
      log.error({ ...fields, error: err.message }, 'registry proxy could not read a CA');
    });

    function forward(ca: string): void {
      const { origin, tlsName } = opts.upstream(project);
      const headers: Record<string, string | string[]> = { authorization: credentials as string };
      for (const name of REQUEST_HEADERS) {
        const value = req.headers[name];
        if (value !== undefined) headers[name] = value;
      }
      const upstream = httpsRequest(`${origin}${upstreamPath}`, {
        method, headers, ca, servername: tlsName, agent: opts.agent, timeout: opts.timeoutMs,
        // The certificate must name the registry, whatever address the template connects to.
        checkServerIdentity: (_host, cert) => checkServerIdentity(tlsName, cert),
      });
      let bytes = 0;
      const deadline = setTimeout(() => upstream.destroy(new Error('timeout')), opts.timeoutMs);
      upstream.on('timeout', () => upstream.destroy(new Error('timeout')));
      upstream.on('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(deadline);
        const timedOut = err.message === 'timeout';
        if (!res.headersSent) {
          sendError(res, timedOut ? 504 : 502, 'UNAVAILABLE', timedOut ? 'the project registry did not answer in time' : 'the project registry cannot be reached');
        } else {
          res.destroy();
        }
        log.warn({ ...fields, status: timedOut ? 504 : 502, error: err.code ?? err.message, ms: Date.now() - started }, 'registry proxy upstream failed');
      });
      upstream.on('response', (up) => {
        clearTimeout(deadline);
        const out: Record<string, string | string[]> = { 'docker-distribution-api-version': 'registry/2.0' };
        for (const name of RESPONSE_HEADERS) {
          const value = up.headers[name];
          if (value !== undefined) out[name] = value;
        }
        if (typeof up.headers.location === 'string') out.location = rewriteLocation(up.headers.location, origin, project);
        if (typeof up.headers.link === 'string') out.link = rewriteLink(up.headers.link, origin, project);
        const status = up.statusCode ?? 502;
        // The registry's own realm names nothing the client knows: the challenge is the proxy's.
        if (status === 401) Object.assign(out, challenge);
        res.writeHead(status, out);
        up.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
        });
        up.on('end', () => log.info({ ...fields, status, bytes, ms: Date.now() - started }, 'registry proxy pull'));
        up.on('error', () => res.destroy());
        if (method === 'HEAD') {
          up.resume();
          res.end();
        } else {
          up.pipe(res);
        }
      });
      // A client that goes away stops the transfer from the registry too.
      res.on('close', () => {
        if (!res.writableFinished) upstream.destroy();
      });
      upstream.end();
    }
  };
}

/** Request heads bounded (8 KiB of headers, 10 s to send them): the proxy faces every pod-less process on the node. */
export function createRegistryProxyServer(opts: RegistryProxyOptions): Server {
  const server = createServer({ maxHeaderSize: 8 * 1024, headersTimeout: 10_000, requestTimeout: 30_000 }, registryProxyHandler(opts));
  server.keepAliveTimeout = 30_000;
  return server;
}
