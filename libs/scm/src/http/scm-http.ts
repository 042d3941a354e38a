// The one HTTP transport of every provider adapter. Each request:
// - goes only to one of the endpoint's own origins (web and API); anything else, a pagination link included, is
//   refused before a connection is made, so a token is never sent to another host;
// - passes the outbound policy after DNS (checkOutbound) and connects only to the addresses that were checked;
// - follows a redirect only within the same origin (same scheme, host and port), else refuses it;
// - has one deadline covering connection, redirects and the whole body;
// - turns statuses, rate limits and network failures into ScmErrors whose messages never hold a credential.
// node:http rather than axios: axios reads HTTP(S)_PROXY from the environment, which would bypass the pinning.
import http from 'node:http';
import https from 'node:https';
import { checkOutbound, OutboundError, type HostLookup, type OutboundPolicy } from '@keelson/outbound';
import { ScmError, type ScmErrorCode } from '../scm.errors';
import { pinnedLookup } from './pinned-lookup';
import { isRateLimited, retryAtOf } from './rate-limit';
import { redact } from './redact';

export const DEFAULT_SCM_TIMEOUT_MS = 30_000;
export const DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024;
const MAX_REDIRECTS = 5;

export interface ScmHttpOptions {
  /** The provider's name in messages (`GitHub`). */
  provider: string;
  /** The only origins requests may go to (`https://github.com`, `https://api.github.com`). */
  origins: readonly string[];
  policy: OutboundPolicy;
  lookup?: HostLookup;
  /** Deadline of one call, redirects and body included. */
  timeoutMs?: number;
  maxResponseBytes?: number;
  clock?: () => Date;
}

export type ScmAuth = { scheme: 'Bearer' | 'token'; token: string } | { basic: { username: string; password: string } };

export type ScmMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface ScmRequest {
  method: ScmMethod;
  url: URL | string;
  auth?: ScmAuth;
  headers?: Record<string, string>;
  json?: unknown;
  form?: Record<string, string>;
  /** Values besides the credential that must never appear in a message (a client secret, a code). */
  secrets?: readonly string[];
  /** Same-origin redirects are followed unless this is false; then the 3xx is the answer. */
  followRedirects?: boolean;
  /** Names the call in messages; default `<METHOD> <path>`. */
  what?: string;
}

export interface ScmResponse {
  status: number;
  /** The URL that answered (after same-origin redirects). */
  url: URL;
  header(name: string): string | undefined;
  body: Buffer;
}

interface Prepared {
  what: string;
  secrets: string[];
  headers: Record<string, string>;
  body?: Buffer;
}

export class ScmHttp {
  private readonly origins: ReadonlySet<string>;
  private readonly timeoutMs: number;
  private readonly maxResponseBytes: number;
  private readonly clock: () => Date;

  constructor(private readonly options: ScmHttpOptions) {
    this.origins = new Set(options.origins.map((origin) => new URL(origin).origin));
    this.timeoutMs = options.timeoutMs ?? DEFAULT_SCM_TIMEOUT_MS;
    this.maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    this.clock = options.clock ?? (() => new Date());
  }

  /** The answer, whatever its status; throws ScmError only when there is no answer to give. */
  async send(request: ScmRequest): Promise<ScmResponse> {
    let url = new URL(String(request.url));
    let method = request.method;
    const prepared = this.prepare(request, url);
    const deadline = Date.now() + this.timeoutMs;
    for (let hop = 0; ; hop++) {
      this.refuseForeignOrigin(url, prepared);
      const response = await this.exchange(method, url, prepared, deadline);
      const location = response.header('location');
      if (!isRedirect(response.status) || request.followRedirects === false || !location) return response;
      if (hop >= MAX_REDIRECTS) throw this.error('InvalidResponse', prepared, `more than ${MAX_REDIRECTS} redirects`, { status: response.status });
      const next = new URL(location, url);
      if (next.origin !== url.origin) {
        throw this.error('OutboundRefused', prepared, `redirected to another origin (${next.protocol}//${next.host}), which is not followed`, { status: response.status });
      }
      // 307/308 repeat the request as it was; 301/302/303 turn it into a GET, which is only harmless for a GET.
      if (response.status !== 307 && response.status !== 308 && method !== 'GET') {
        throw this.error('InvalidResponse', prepared, `HTTP ${response.status} redirect of a ${method}, which is not repeated as a GET`, { status: response.status });
      }
      url = next;
    }
  }

  /** The answer when it is 2xx, else the ScmError it stands for. */
  async ok(request: ScmRequest): Promise<ScmResponse> {
    const response = await this.send(request);
    if (response.status >= 200 && response.status < 300) return response;
    throw this.errorFor(response, request);
  }

  /** The JSON body of a 2xx answer. */
  async json<T>(request: ScmRequest): Promise<{ body: T; response: ScmResponse }> {
    const response = await this.ok(request);
    return { body: this.parse<T>(response, request), response };
  }

  parse<T>(response: ScmResponse, request: ScmRequest): T {
    try {
      return JSON.parse(response.body.toString('utf8')) as T;
    } catch {
      throw this.error('InvalidResponse', this.prepare(request, response.url), `HTTP ${response.status}: the answer is not JSON`, { status: response.status });
    }
  }

  /** The ScmError a non-2xx answer stands for: its status, rate-limit headers and the provider's message. */
  errorFor(response: ScmResponse, request: ScmRequest): ScmError {
    const prepared = this.prepare(request, response.url);
    const status = response.status;
    if (isRateLimited(status, response.header)) {
      const retryAt = retryAtOf(response.header, this.clock()).toISOString();
      return this.error('RateLimited', prepared, `HTTP ${status}, rate limited until ${retryAt}`, { status, retryAt });
    }
    const code: ScmErrorCode = status === 401 ? 'Unauthorized'
      : status === 403 ? 'Forbidden'
      : status === 404 || status === 410 ? 'NotFound'
      : status === 409 ? 'Conflict'
      : status >= 500 ? 'Unavailable'
      : 'InvalidResponse';
    const detail = providerMessage(response.body);
    return this.error(code, prepared, `HTTP ${status}${detail ? ` (${detail})` : ''}`, { status });
  }

  /** A ScmError about a call, its message redacted. */
  failure(code: ScmErrorCode, request: ScmRequest, problem: string, options: { status?: number } = {}): ScmError {
    return this.error(code, this.prepare(request, new URL(String(request.url))), problem, options);
  }

  private error(code: ScmErrorCode, prepared: Prepared, problem: string, options: { status?: number; retryAt?: string } = {}): ScmError {
    return new ScmError(code, redact(`${this.options.provider} ${prepared.what}: ${problem}`, prepared.secrets), options);
  }

  private prepare(request: ScmRequest, url: URL): Prepared {
    const secrets = [...(request.secrets ?? [])];
    const headers: Record<string, string> = { Accept: 'application/json', 'User-Agent': 'Keelson', ...request.headers };
    if (request.auth && 'basic' in request.auth) {
      const { username, password } = request.auth.basic;
      const encoded = Buffer.from(`${username}:${password}`).toString('base64');
      headers.Authorization = `Basic ${encoded}`;
      secrets.push(password, encoded);
    } else if (request.auth) {
      headers.Authorization = `${request.auth.scheme} ${request.auth.token}`;
      secrets.push(request.auth.token);
    }
    let body: Buffer | undefined;
    if (request.json !== undefined) {
      body = Buffer.from(JSON.stringify(request.json), 'utf8');
      headers['Content-Type'] = 'application/json';
    } else if (request.form !== undefined) {
      body = Buffer.from(new URLSearchParams(request.form).toString(), 'utf8');
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
    }
    return { what: request.what ?? `${request.method} ${url.pathname}`, secrets, headers, body };
  }

  private refuseForeignOrigin(url: URL, prepared: Prepared): void {
    if (this.origins.has(url.origin)) return;
    throw this.error('OutboundRefused', prepared, `${url.protocol}//${url.host} is not this provider's origin (${[...this.origins].join(', ')}); nothing is sent there`);
  }

  private async exchange(method: ScmMethod, url: URL, prepared: Prepared, deadline: number): Promise<ScmResponse> {
    let checked;
    try {
      checked = await withDeadline(checkOutbound(url, this.options.policy, { lookup: this.options.lookup }), deadline, () => this.timeout(prepared));
    } catch (err) {
      if (!(err instanceof OutboundError)) throw err;
      throw this.error(err.code === 'ResolutionFailed' ? 'Unavailable' : 'OutboundRefused', prepared, err.message);
    }
    const transport = url.protocol === 'https:' ? https : http;
    return new Promise<ScmResponse>((resolve, reject) => {
      let settled = false;
      const finish = (outcome: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        outcome();
      };
      const headers: Record<string, string | number> = { ...prepared.headers, Host: url.host };
      if (prepared.body) headers['Content-Length'] = prepared.body.length;
      const req = transport.request({
        method,
        protocol: url.protocol,
        hostname: checked.hostname,
        port: checked.port,
        path: `${url.pathname}${url.search}`,
        headers,
        agent: false,
        // An IP literal is not resolved; a name resolves only to what was checked.
        lookup: checked.literal ? undefined : pinnedLookup(checked.hostname, checked.addresses),
        servername: checked.literal ? undefined : checked.hostname,
      });
      const timer = setTimeout(() => finish(() => {
        req.destroy();
        reject(this.timeout(prepared));
      }), Math.max(1, deadline - Date.now()));
      req.on('error', (err: NodeJS.ErrnoException) => finish(() => {
        // A fresh error: the original may carry the request's headers.
        const name = typeof err.code === 'string' ? err.code : 'network error';
        reject(this.error('Unavailable', prepared, `no answer (${name})`));
      }));
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > this.maxResponseBytes) {
            finish(() => {
              req.destroy();
              reject(this.error('InvalidResponse', prepared, `the answer is larger than ${this.maxResponseBytes} bytes`, { status: res.statusCode }));
            });
            return;
          }
          chunks.push(chunk);
        });
        res.on('error', () => finish(() => reject(this.error('Unavailable', prepared, 'the answer broke off'))));
        res.on('end', () => finish(() => {
          const raw = res.headers;
          resolve({
            status: res.statusCode ?? 0,
            url,
            body: Buffer.concat(chunks),
            header: (name) => {
              const value = raw[name.toLowerCase()];
              return Array.isArray(value) ? value.join(', ') : value;
            },
          });
        }));
      });
      req.end(prepared.body);
    });
  }

  private timeout(prepared: Prepared): ScmError {
    return this.error('Timeout', prepared, `no complete answer within ${this.timeoutMs} ms`);
  }
}

function isRedirect(status: number): boolean {
  return status === 301 || status === 302 || status === 303 || status === 307 || status === 308;
}

/** What the provider said went wrong: GitHub, GitLab and Gitea `message`, OAuth `error_description`/`error`, Bitbucket `error.message`. */
function providerMessage(body: Buffer): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
  if (!parsed || typeof parsed !== 'object') return undefined;
  const o = parsed as Record<string, unknown>;
  const nested = o.error && typeof o.error === 'object' ? (o.error as Record<string, unknown>).message : undefined;
  for (const value of [o.message, o.error_description, nested, o.error]) {
    // GitLab validation errors are objects: {"message": {"url": ["is blocked: …"]}}.
    const text = typeof value === 'string' ? value : value && typeof value === 'object' && value !== o.error ? JSON.stringify(value) : undefined;
    if (text) return text.length > 200 ? `${text.slice(0, 200)}…` : text;
  }
  return undefined;
}

async function withDeadline<T>(promise: Promise<T>, deadline: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expiry = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), Math.max(1, deadline - Date.now()));
  });
  try {
    return await Promise.race([promise, expiry]);
  } finally {
    clearTimeout(timer);
  }
}
