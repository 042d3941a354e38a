// Serves the repositories under a directory over git's smart HTTP protocol, the way a git provider does:
// `git http-backend` runs as a CGI program behind a Node HTTP server, optionally behind Basic auth.
import { ChildProcessWithoutNullStreams, execFileSync, spawn } from 'node:child_process';
import { timingSafeEqual } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';

export interface GitHttpServerOptions {
  /** Directory holding the repositories; `url('app')` serves `<root>/app` (or `app.git`, bare or not). */
  root: string;
  /** When both are set, every request needs these Basic credentials. */
  username?: string;
  password?: string;
  /** When set, every request is answered `302 Found` to this base URL plus the request's path and query, as a moved server does. */
  redirectTo?: string;
}

export interface GitHttpRequest {
  method: string;
  path: string;
  status: number;
  user?: string;
  /** Present when the request carried an Authorization header, accepted or not: its scheme and, for Basic, the user (never the password). */
  authorization?: { scheme: string; user?: string };
}

export class GitHttpServer {
  /** Every request answered, in order: lets a test see what a client did. */
  readonly requests: GitHttpRequest[] = [];
  private readonly children = new Set<ChildProcessWithoutNullStreams>();
  private server!: Server;
  port = 0;

  private constructor(private readonly options: GitHttpServerOptions, private readonly backend: string) {}

  static async start(options: GitHttpServerOptions): Promise<GitHttpServer> {
    const execPath = execFileSync('git', ['--exec-path'], { encoding: 'utf8' }).trim();
    const instance = new GitHttpServer(options, join(execPath, 'git-http-backend'));
    instance.server = createServer((req, res) => instance.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      instance.server.once('error', reject);
      instance.server.listen(0, '127.0.0.1', resolve);
    });
    instance.port = (instance.server.address() as AddressInfo).port;
    return instance;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  url(repoName: string): string {
    return `${this.baseUrl}/${repoName}`;
  }

  async stop(): Promise<void> {
    for (const child of this.children) child.kill('SIGKILL');
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', this.baseUrl);
    const authorization = sentCredentials(req.headers.authorization);
    const record = (status: number, user?: string) => this.requests.push({ method: req.method ?? '', path: url.pathname, status, user, ...(authorization && { authorization }) });
    if (this.options.redirectTo !== undefined) {
      record(302);
      res.writeHead(302, { Location: `${this.options.redirectTo.replace(/\/$/, '')}${url.pathname}${url.search}` }).end();
      req.resume();
      return;
    }
    const user = this.authenticate(req);
    if (user === false) {
      record(401);
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="keelson-git"', 'Content-Type': 'text/plain' }).end('authentication required\n');
      req.resume();
      return;
    }
    let pathInfo: string;
    try {
      pathInfo = decodeURIComponent(url.pathname);
    } catch {
      record(400, user);
      res.writeHead(400).end();
      return;
    }
    const child = spawn(this.backend, [], { env: this.cgiEnv(req, url, pathInfo, user), stdio: ['pipe', 'pipe', 'pipe'] });
    this.children.add(child);
    child.on('close', () => this.children.delete(child));
    child.on('error', () => res.headersSent || res.writeHead(502).end());
    child.stderr.resume();
    req.pipe(child.stdin);
    child.stdin.on('error', () => undefined); // the backend may answer before reading the whole body
    this.relay(child, res, (status) => record(status, user));
  }

  /** The user name when the request may go on, `undefined` when no auth is configured, `false` when refused. */
  private authenticate(req: IncomingMessage): string | undefined | false {
    const { username, password } = this.options;
    if (username === undefined || password === undefined) return undefined;
    const match = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    if (!match) return false;
    const decoded = Buffer.from(match[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return false;
    const ok = sameText(decoded.slice(0, colon), username) && sameText(decoded.slice(colon + 1), password);
    return ok ? username : false;
  }

  private cgiEnv(req: IncomingMessage, url: URL, pathInfo: string, user: string | undefined): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
      // Clients fetch a commit by SHA; allow any commit reachable from a ref (protocol v0; v2 allows it anyway).
      GIT_CONFIG_COUNT: '1',
      GIT_CONFIG_KEY_0: 'uploadpack.allowReachableSHA1InWant',
      GIT_CONFIG_VALUE_0: 'true',
      GIT_PROJECT_ROOT: this.options.root,
      GIT_HTTP_EXPORT_ALL: '1',
      GATEWAY_INTERFACE: 'CGI/1.1',
      SERVER_PROTOCOL: `HTTP/${req.httpVersion}`,
      SERVER_SOFTWARE: 'keelson-git-http-server',
      REQUEST_METHOD: req.method ?? 'GET',
      PATH_INFO: pathInfo,
      QUERY_STRING: url.search.replace(/^\?/, ''),
      REMOTE_ADDR: req.socket.remoteAddress ?? '127.0.0.1',
    };
    if (user !== undefined) env.REMOTE_USER = user;
    if (req.headers['content-type']) env.CONTENT_TYPE = req.headers['content-type'];
    if (req.headers['content-length']) env.CONTENT_LENGTH = req.headers['content-length'];
    // Git-Protocol selects protocol v2; Content-Encoding gzip is decoded by the backend itself.
    for (const header of ['git-protocol', 'content-encoding', 'accept']) {
      const value = req.headers[header];
      if (typeof value === 'string') env[`HTTP_${header.toUpperCase().replace(/-/g, '_')}`] = value;
    }
    return env;
  }

  /** Parses the CGI header block (with `Status:`), then streams the body. */
  private relay(child: ChildProcessWithoutNullStreams, res: ServerResponse, done: (status: number) => void): void {
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const end = headerEnd(head);
      if (!end) return;
      child.stdout.off('data', onData);
      const headers: Record<string, string> = {};
      let status = 200;
      for (const line of head.subarray(0, end.index).toString('latin1').split(/\r?\n/)) {
        const colon = line.indexOf(':');
        if (colon <= 0) continue;
        const name = line.slice(0, colon).trim();
        const value = line.slice(colon + 1).trim();
        if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10) || 500;
        else headers[name] = value;
      }
      res.writeHead(status, headers);
      done(status);
      res.write(head.subarray(end.index + end.length));
      child.stdout.pipe(res);
    };
    child.stdout.on('data', onData);
    child.on('close', () => {
      if (res.headersSent) return;
      res.writeHead(502, { 'Content-Type': 'text/plain' }).end('git http-backend sent no headers\n');
      done(502);
    });
  }
}

function sentCredentials(header: string | undefined): GitHttpRequest['authorization'] {
  if (header === undefined) return undefined;
  const [scheme, value = ''] = header.trim().split(/\s+/, 2);
  if (scheme.toLowerCase() !== 'basic') return { scheme };
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  return { scheme, user: decoded.slice(0, Math.max(0, decoded.indexOf(':'))) };
}

function headerEnd(buffer: Buffer): { index: number; length: number } | undefined {
  const crlf = buffer.indexOf('\r\n\r\n');
  const lf = buffer.indexOf('\n\n');
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return { index: crlf, length: 4 };
  if (lf >= 0) return { index: lf, length: 2 };
  return undefined;
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
