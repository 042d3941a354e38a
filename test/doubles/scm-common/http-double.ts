// The plumbing the provider doubles share: a node:http server on 127.0.0.1, requests with their body read, and
// routes matched on the raw (still encoded) path, so `group%2Fproject` stays one segment as GitLab needs.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ScmDoubleState } from './scm-double-state';

const MAX_BODY = 1024 * 1024;

export interface DoubleRequest {
  method: string;
  url: URL;
  /** The raw path, still percent-encoded. */
  path: string;
  /** Groups of the route's pattern, percent-decoded. */
  params: string[];
  body: Buffer;
  header(name: string): string | undefined;
  /** The body as JSON (undefined when it is not), or the form fields as an object. */
  fields(): Record<string, unknown> | undefined;
  /** `Bearer`/`token` credential of the Authorization header. */
  bearer(): string | undefined;
  /** Basic credentials of the Authorization header. */
  basic(): { username: string; password: string } | undefined;
}

export interface DoubleResponse {
  status: number;
  headers?: Record<string, string>;
  /** An object is sent as JSON, a string as it is. */
  body?: unknown;
}

export type Handler = (req: DoubleRequest) => DoubleResponse | Promise<DoubleResponse>;

export class DoubleRouter {
  private readonly routes: Array<{ method: string; pattern: RegExp; handler: Handler }> = [];

  on(method: string, pattern: RegExp, handler: Handler): this {
    this.routes.push({ method, pattern, handler });
    return this;
  }

  /** The route's answer; 405 when the path is known for other methods, undefined when not at all. */
  async handle(req: Omit<DoubleRequest, 'params'>): Promise<DoubleResponse | undefined> {
    let pathKnown = false;
    for (const route of this.routes) {
      const match = route.pattern.exec(req.path);
      if (!match) continue;
      pathKnown = true;
      if (route.method !== req.method) continue;
      const params = match.slice(1).map((p) => (p === undefined ? '' : decodeURIComponent(p)));
      return route.handler({ ...req, params });
    }
    return pathKnown ? { status: 405, body: { message: 'Method Not Allowed' } } : undefined;
  }
}

export interface HttpDouble {
  url: string;
  close(): Promise<void>;
}

export async function startHttpDouble(state: ScmDoubleState, handle: (req: Omit<DoubleRequest, 'params'>) => Promise<DoubleResponse>): Promise<HttpDouble> {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY) chunks.push(chunk);
    });
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://double.invalid');
      const body = Buffer.concat(chunks);
      const header = (name: string) => {
        const v = req.headers[name.toLowerCase()];
        return Array.isArray(v) ? v[0] : v;
      };
      const request: Omit<DoubleRequest, 'params'> = {
        method: (req.method ?? 'GET').toUpperCase(),
        url,
        path: (req.url ?? '/').split('?')[0],
        body,
        header,
        fields: () => parseFields(body, header('content-type')),
        bearer: () => /^(?:bearer|token)\s+(\S+)$/i.exec(header('authorization') ?? '')?.[1],
        basic: () => {
          const m = /^basic\s+(\S+)$/i.exec(header('authorization') ?? '');
          if (!m) return undefined;
          const text = Buffer.from(m[1], 'base64').toString('utf8');
          const colon = text.indexOf(':');
          return colon < 0 ? undefined : { username: text.slice(0, colon), password: text.slice(colon + 1) };
        },
      };
      handle(request).then((answer) => {
        state.requests.push({ method: request.method, path: request.path, status: answer.status });
        const headers: Record<string, string> = { ...answer.headers };
        let payload = '';
        if (typeof answer.body === 'string') payload = answer.body;
        else if (answer.body !== undefined) {
          payload = JSON.stringify(answer.body);
          headers['Content-Type'] ??= 'application/json; charset=utf-8';
        }
        res.writeHead(answer.status, headers);
        res.end(payload);
      }, (err: unknown) => {
        res.writeHead(500, { 'Content-Type': 'text/plain' });
        res.end(String(err));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

function parseFields(body: Buffer, contentType: string | undefined): Record<string, unknown> | undefined {
  const text = body.toString('utf8');
  if ((contentType ?? '').startsWith('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(text));
  if (!text.trim()) return {};
  try {
    const parsed = JSON.parse(text) as unknown;
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Items of one page (1-based) and whether more follow. */
export function pageOf<T>(items: T[], page: number, perPage: number): { items: T[]; last: number; hasNext: boolean } {
  const last = Math.max(1, Math.ceil(items.length / perPage));
  const start = (page - 1) * perPage;
  return { items: items.slice(start, start + perPage), last, hasNext: page < last };
}

/** A positive integer query parameter, its default when absent or malformed, capped at `max`. */
export function intParam(url: URL, name: string, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  const value = Number(url.searchParams.get(name));
  if (!Number.isInteger(value) || value < 1) return fallback;
  return Math.min(value, max);
}

/** The absolute URL of this request with `page` set: what Link headers and Bitbucket's `next` point at. */
export function pageUrl(req: DoubleRequest, page: number): string {
  const url = new URL(`${req.path}${req.url.search}`, `http://${req.header('host') ?? 'localhost'}`);
  url.searchParams.set('page', String(page));
  return url.href;
}

/** The consent page's answer once the user approved: back to the redirect URI with a fresh code and the state. */
export function consentRedirect(state: ScmDoubleState, login: string, clientId: string, query: URLSearchParams): DoubleResponse {
  const redirectUri = query.get('redirect_uri') ?? '';
  const target = new URL(redirectUri);
  target.searchParams.set('code', state.authorize(login, clientId, redirectUri));
  if (query.get('state') !== null) target.searchParams.set('state', query.get('state')!);
  return { status: 302, headers: { Location: target.href } };
}
