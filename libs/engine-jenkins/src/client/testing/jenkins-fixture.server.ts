// A tiny HTTP server for the client's unit tests: it replays the payloads and status codes of the Jenkins
// reference (/work/shared/reference/jenkins-api.md) route by route, and records what the client sent. It
// also enforces basic auth and the crumb + session rule of "Auth and CSRF", so the transport is tested
// against the rule rather than against itself. Not a Jenkins double: each test says what Jenkins answers.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';

export interface RecordedRequest {
  method: string;
  /** Below the context path, without the query. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface FixtureReply {
  status: number;
  headers?: Record<string, string | string[]>;
  /** An object is sent as JSON. */
  body?: string | Buffer | object;
}

export type FixtureHandler = (request: RecordedRequest) => FixtureReply | Promise<FixtureReply>;

export interface FixtureCsrf {
  crumb: string;
  /** `JSESSIONID.x=value` the crumb belongs to, set by the crumb request. */
  session: string;
}

export class JenkinsFixtureServer {
  readonly requests: RecordedRequest[] = [];
  /** Crumb and session POSTs need; undefined: CSRF protection off (the issuer answers 404). */
  csrf?: FixtureCsrf;
  /** Passwords by user. */
  users = new Map<string, string>();
  /** API tokens by user: requests authenticated with one need no crumb (since 2.96). */
  tokens = new Map<string, string>();
  /** Answer of the crumb issuer instead of the crumb (to imitate an issuer that refuses). */
  crumbIssuerReply?: FixtureReply;
  private routes = new Map<string, FixtureHandler>();

  private constructor(private readonly server: Server, readonly url: string, readonly contextPath: string) {}

  static async start(contextPath = '/jenkins'): Promise<JenkinsFixtureServer> {
    let fixture: JenkinsFixtureServer | undefined;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        void (fixture as JenkinsFixtureServer).handle(req.method ?? 'GET', req.url ?? '/', req.headers, Buffer.concat(chunks).toString('utf8'))
          .catch((err: unknown) => ({ status: 500, body: `fixture handler failed: ${String(err)}` }))
          .then((reply) => send(res, reply, req.headers['accept-encoding']));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    fixture = new JenkinsFixtureServer(server, `http://127.0.0.1:${port}${contextPath}`, contextPath);
    return fixture;
  }

  /** Answers `METHOD path` (path below the context path, no query) with a reply or a handler. */
  on(method: 'GET' | 'POST', path: string, reply: FixtureReply | FixtureHandler): void {
    this.routes.set(`${method} ${path}`, typeof reply === 'function' ? reply : () => reply);
  }

  reset(): void {
    this.requests.length = 0;
    this.routes.clear();
    this.csrf = undefined;
    this.crumbIssuerReply = undefined;
    this.users = new Map();
    this.tokens = new Map();
  }

  /** Requests other than the crumb request, as `METHOD path`. */
  calls(): string[] {
    return this.requests.filter((r) => r.path !== '/crumbIssuer/api/json').map((r) => `${r.method} ${r.path}`);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(method: string, rawUrl: string, headers: IncomingHttpHeaders, body: string): Promise<FixtureReply> {
    const url = new URL(rawUrl, 'http://fixture');
    if (!url.pathname.startsWith(`${this.contextPath}/`)) return { status: 404, body: 'Not Found' };
    const request: RecordedRequest = { method, path: url.pathname.slice(this.contextPath.length), query: url.searchParams, headers, body };
    this.requests.push(request);
    const auth = this.authenticate(headers.authorization);
    if (auth === 'denied') return { status: 401, body: 'Unauthorized' };
    if (request.path === '/crumbIssuer/api/json' && method === 'GET') {
      if (this.crumbIssuerReply) return this.crumbIssuerReply;
      if (!this.csrf) return { status: 404, body: 'Not Found' };
      return {
        status: 200,
        headers: { 'Set-Cookie': [`${this.csrf.session}; Path=${this.contextPath}/; HttpOnly`] },
        body: { _class: 'hudson.security.csrf.DefaultCrumbIssuer', crumb: this.csrf.crumb, crumbRequestField: 'Jenkins-Crumb' },
      };
    }
    if (method === 'POST' && this.csrf && auth !== 'token') {
      const cookies = (headers.cookie ?? '').split(/;\s*/);
      if (headers['jenkins-crumb'] !== this.csrf.crumb || !cookies.includes(this.csrf.session)) {
        return { status: 403, body: '<html><body><h2>HTTP ERROR 403 No valid crumb was included in the request</h2></body></html>' };
      }
    }
    const handler = this.routes.get(`${method} ${request.path}`);
    return handler ? handler(request) : { status: 404, body: 'Not Found' };
  }

  private authenticate(header: string | undefined): 'password' | 'token' | 'anonymous' | 'denied' {
    if (this.users.size === 0 && this.tokens.size === 0) return 'anonymous';
    if (!header?.startsWith('Basic ')) return 'denied';
    const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const user = decoded.slice(0, colon);
    const secret = decoded.slice(colon + 1);
    if (this.users.get(user) === secret) return 'password';
    if (this.tokens.get(user) === secret) return 'token';
    return 'denied';
  }
}

// Jenkins gzips text answers larger than 4096 bytes when the client accepts it (reference "Console log streaming").
function send(res: import('node:http').ServerResponse, reply: FixtureReply, acceptEncoding: string | undefined): void {
  const isJson = reply.body !== undefined && typeof reply.body === 'object' && !Buffer.isBuffer(reply.body);
  let body = reply.body === undefined ? Buffer.alloc(0)
    : Buffer.isBuffer(reply.body) ? reply.body
    : Buffer.from(isJson ? JSON.stringify(reply.body) : (reply.body as string), 'utf8');
  const headers: Record<string, string | string[]> = { ...(isJson && { 'Content-Type': 'application/json;charset=utf-8' }), ...reply.headers };
  if (body.length > 4096 && /gzip/.test(acceptEncoding ?? '')) {
    body = gzipSync(body);
    headers['Content-Encoding'] = 'gzip';
  }
  headers['Content-Length'] = String(body.length);
  res.writeHead(reply.status, headers).end(body);
}
