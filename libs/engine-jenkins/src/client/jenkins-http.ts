// The HTTP transport to one Jenkins endpoint: basic auth, the CSRF crumb with the web session it belongs to,
// timeouts, and the one place where HTTP answers and network failures become JenkinsClientErrors.
//
// Crumbs (reference "Auth and CSRF"): the Default Crumb Issuer ties a crumb to the user AND the web session,
// so the session cookie of the crumb request is kept and sent again. A 404 from the issuer means CSRF is off.
// An API token needs no crumb, but a token cannot be told from a password, so a crumb is always fetched and
// either kind works. The crumb is cached here (one transport per endpoint) and replaced once on a 403.
import { createHash } from 'node:crypto';

import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import { silentLogger, type Logger } from '@keelson/observability';

import type { EngineEndpoint } from '../engine/execution-engine.port';
import { JenkinsClientError } from './jenkins.errors';

export interface JenkinsHttpOptions {
  /** Deadline of one request, connection included. */
  timeoutMs?: number;
  /** Largest answer read (a console log from offset 0 can be big). */
  maxResponseBytes?: number;
  logger?: Logger;
}

export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

export interface JenkinsRequest {
  method: 'GET' | 'POST';
  /** Path below the Jenkins root (context path excluded), starting with `/`. */
  path: string;
  query?: Record<string, string | number>;
  body?: string;
  contentType?: string;
  /** Values besides the endpoint's password that must never appear in an error message (a credential's secret). */
  secrets?: string[];
}

export interface JenkinsResponse {
  status: number;
  /** Header values by lower-case name. */
  header(name: string): string | undefined;
  /** The raw body (already gunzipped). */
  body: Buffer;
}

/** An answer whose body is read as it arrives (a console log can be large): headers first, then the bytes. */
export interface JenkinsStreamResponse {
  status: number;
  header(name: string): string | undefined;
  body: AsyncIterable<Buffer> & { destroy(): void };
}

/** A streamed body may take this long in all (headers take at most the request timeout). */
export const STREAM_BODY_TIMEOUT_MS = 10 * 60_000;

interface Crumb {
  field: string;
  value: string;
}

export class JenkinsHttp {
  private readonly axios: AxiosInstance;
  private readonly log: Logger;
  private readonly timeoutMs: number;
  /** Null: the endpoint issues no crumb (CSRF off) or would not give us one. */
  private crumb?: Promise<Crumb | null>;
  private crumbGeneration = 0;
  /** Cookies of the session the crumb belongs to, by name. */
  private cookies = new Map<string, string>();

  constructor(private readonly endpoint: EngineEndpoint, options: JenkinsHttpOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.log = (options.logger ?? silentLogger).child({ component: 'jenkins-http', endpoint: safeUrl(endpoint.url) });
    const maxBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    this.axios = axios.create({
      baseURL: endpoint.url.replace(/\/+$/, ''),
      auth: { username: endpoint.username, password: endpoint.password },
      // Statuses and redirects are answers to interpret (303 and 302 on buildWithParameters), not failures.
      validateStatus: () => true,
      maxRedirects: 0,
      responseType: 'arraybuffer',
      transformResponse: [(data: unknown) => data],
      maxContentLength: maxBytes,
      maxBodyLength: maxBytes,
      timeout: this.timeoutMs,
      decompress: true,
    });
  }

  /** Sends the request; a POST carries the crumb and is retried once with a fresh crumb after a 403. */
  async send(request: JenkinsRequest): Promise<JenkinsResponse> {
    if (request.method === 'GET') return this.raw(request, null);
    const generation = this.crumbGeneration;
    const crumb = await this.currentCrumb(request);
    const first = await this.raw(request, crumb);
    if (first.status !== 403) return first;
    this.log.info({ path: request.path, hadCrumb: crumb !== null }, 'jenkins refused a POST, refreshing the crumb');
    this.invalidateCrumb(generation);
    return this.raw(request, await this.currentCrumb(request));
  }

  /**
   * A GET whose body streams (gunzipped) instead of being read whole; the caller must consume or destroy it. The
   * request timeout covers the headers, STREAM_BODY_TIMEOUT_MS the whole body.
   */
  async stream(request: Omit<JenkinsRequest, 'method' | 'body' | 'contentType'>): Promise<JenkinsStreamResponse> {
    const abort = new AbortController();
    const headersTimer = setTimeout(() => abort.abort(), this.timeoutMs);
    let response: AxiosResponse<import('node:stream').Readable>;
    try {
      response = await this.axios.request({
        method: 'GET', url: request.path, params: request.query, headers: { Accept: '*/*' }, responseType: 'stream', signal: abort.signal,
      });
    } catch (err) {
      throw this.networkError(err, { ...request, method: 'GET' });
    } finally {
      clearTimeout(headersTimer);
    }
    const bodyTimer = setTimeout(() => abort.abort(), STREAM_BODY_TIMEOUT_MS);
    const body = response.data;
    body.once('close', () => clearTimeout(bodyTimer));
    const raw = response.headers;
    return {
      status: response.status,
      header: (name) => {
        const value = raw[name.toLowerCase()] as unknown;
        if (value === undefined || value === null) return undefined;
        return Array.isArray(value) ? value.join(', ') : String(value);
      },
      body: body as unknown as JenkinsStreamResponse['body'],
    };
  }

  /** The first bytes of a streamed answer the caller did not expect, as an error (the rest is dropped). */
  async streamErrorFor(response: JenkinsStreamResponse, what: string): Promise<JenkinsClientError> {
    const parts: Buffer[] = [];
    let size = 0;
    try {
      for await (const part of response.body) {
        parts.push(part);
        size += part.length;
        if (size >= 4096) break;
      }
    } catch {
      // the error is about the status; a broken body adds nothing
    } finally {
      response.body.destroy();
    }
    return this.errorFor({ status: response.status, header: response.header, body: Buffer.concat(parts) }, what);
  }

  /** An error for an answer the caller did not expect, by status; `what` names the call for the message. */
  errorFor(response: JenkinsResponse, what: string, secrets: string[] = []): JenkinsClientError {
    const status = response.status;
    const detail = this.redact(bodySnippet(response), secrets);
    const message = `${what}: HTTP ${status}${detail ? ` (${detail})` : ''}`;
    const code =
      status >= 500 ? 'Unreachable'
        : status === 401 ? 'Unauthorized'
        : status === 403 ? 'Forbidden'
        : status === 404 ? 'NotFound'
        : status === 409 ? 'Conflict'
        : status === 400 ? 'BadRequest'
        : 'BadResponse';
    return new JenkinsClientError(code, message, { status });
  }

  /** JSON body of a 2xx answer, or a BadResponse error. */
  json<T>(response: JenkinsResponse, what: string): T {
    try {
      return JSON.parse(response.body.toString('utf8')) as T;
    } catch {
      throw new JenkinsClientError('BadResponse', `${what}: the answer is not JSON`, { status: response.status });
    }
  }

  private async currentCrumb(request: JenkinsRequest): Promise<Crumb | null> {
    if (!this.crumb) {
      const pending = this.fetchCrumb(request.secrets ?? []);
      this.crumb = pending;
      // A failed fetch (Jenkins down) is not cached: the next call asks again.
      pending.catch(() => {
        if (this.crumb === pending) this.crumb = undefined;
      });
    }
    return this.crumb;
  }

  /** Forgets the crumb and its session, unless another request already replaced them since `generation`. */
  private invalidateCrumb(generation: number): void {
    if (generation !== this.crumbGeneration) return;
    this.crumbGeneration++;
    this.crumb = undefined;
    this.cookies = new Map();
  }

  private async fetchCrumb(secrets: string[]): Promise<Crumb | null> {
    this.cookies = new Map();
    const response = await this.raw({ method: 'GET', path: '/crumbIssuer/api/json', secrets }, null, true);
    if (response.status === 404) return null; // CSRF protection is off
    if (response.status === 401 || response.status >= 500) throw this.errorFor(response, 'crumb request', secrets);
    if (response.status !== 200) {
      // An API token needs no crumb, so a user who may not read the issuer can still POST; a 403 on the POST tells.
      this.log.warn({ status: response.status }, 'jenkins crumb issuer gave no crumb, posting without one');
      return null;
    }
    const body = this.json<{ crumb?: unknown; crumbRequestField?: unknown }>(response, 'crumb request');
    if (typeof body.crumb !== 'string' || typeof body.crumbRequestField !== 'string') {
      throw new JenkinsClientError('BadResponse', 'crumb request: the answer has no crumb', { status: 200 });
    }
    return { field: body.crumbRequestField, value: body.crumb };
  }

  private async raw(request: JenkinsRequest, crumb: Crumb | null, keepCookies = false): Promise<JenkinsResponse> {
    const headers: Record<string, string> = { Accept: '*/*' };
    if (crumb) headers[crumb.field] = crumb.value;
    if (this.cookies.size > 0) headers.Cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (request.contentType) headers['Content-Type'] = request.contentType;
    const started = Date.now();
    let response: AxiosResponse<Buffer>;
    try {
      response = await this.axios.request<Buffer>({
        method: request.method,
        url: request.path,
        params: request.query,
        data: request.body === undefined ? undefined : Buffer.from(request.body, 'utf8'),
        headers,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw this.networkError(err, request);
    }
    this.log.debug({ method: request.method, path: request.path, status: response.status, ms: Date.now() - started }, 'jenkins request');
    if (keepCookies) this.keepCookies(response.headers['set-cookie']);
    const body = Buffer.isBuffer(response.data) ? response.data : Buffer.from(response.data ?? '');
    const raw = response.headers;
    return {
      status: response.status,
      body,
      header: (name) => {
        const value = raw[name.toLowerCase()] as unknown;
        if (value === undefined || value === null) return undefined;
        return Array.isArray(value) ? value.join(', ') : String(value);
      },
    };
  }

  private keepCookies(setCookie: string[] | undefined): void {
    for (const line of setCookie ?? []) {
      const pair = line.split(';', 1)[0];
      const eq = pair.indexOf('=');
      if (eq > 0) this.cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
  }

  private networkError(err: unknown, request: JenkinsRequest): JenkinsClientError {
    const code = (err as { code?: unknown })?.code;
    const name = typeof code === 'string' ? code : 'network error';
    // A fresh cause: the axios error carries the request config, password included.
    const cause = Object.assign(new Error(name), { code: name });
    if (name === 'ERR_FR_MAX_BODY_LENGTH_EXCEEDED' || name === 'ERR_BAD_RESPONSE') {
      return new JenkinsClientError('BadResponse', `${request.method} ${request.path}: the answer is too large or malformed`, { cause });
    }
    if (name === 'ERR_INVALID_URL') {
      return new JenkinsClientError('InvalidInput', `the Jenkins URL ${safeUrl(this.endpoint.url)} is not valid`, { cause });
    }
    const timedOut = name === 'ERR_CANCELED' || name === 'ECONNABORTED' || name === 'ETIMEDOUT';
    this.log.warn({ method: request.method, path: request.path, error: name }, 'jenkins unreachable');
    return new JenkinsClientError('Unreachable',
      `${request.method} ${request.path}: Jenkins at ${safeUrl(this.endpoint.url)} ${timedOut ? `did not answer within ${this.timeoutMs} ms` : `is unreachable (${name})`}`,
      { cause });
  }

  private redact(text: string, extra: string[]): string {
    const { username, password } = this.endpoint;
    const secrets = [password, Buffer.from(`${username}:${password}`).toString('base64'), ...extra]
      .filter((s) => s.length > 0)
      .flatMap(escapedForms)
      .sort((a, b) => b.length - a.length);
    return secrets.reduce((out, secret) => out.split(secret).join('[redacted]'), text);
  }
}

/** One transport per endpoint (URL and user), so the crumb and its session are shared; a new password replaces it. */
export class JenkinsHttpPool {
  private readonly transports = new Map<string, { fingerprint: string; http: JenkinsHttp }>();

  constructor(private readonly options: JenkinsHttpOptions = {}) {}

  for(endpoint: EngineEndpoint): JenkinsHttp {
    const key = `${endpoint.url.replace(/\/+$/, '')}\u0000${endpoint.username}`;
    const fingerprint = createHash('sha256').update(endpoint.password).digest('hex');
    const known = this.transports.get(key);
    if (known && known.fingerprint === fingerprint) return known.http;
    const http = new JenkinsHttp(endpoint, this.options);
    this.transports.set(key, { fingerprint, http });
    return http;
  }
}

/** A secret as an error page may echo it: raw, XML- or HTML-escaped, or URL-encoded. */
function escapedForms(secret: string): string[] {
  const entities = (apos: string) => secret.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, apos);
  return [...new Set([secret, entities('&apos;'), entities('&#39;'), entities('&#039;'), encodeURIComponent(secret)])];
}

/** The URL without userinfo, for messages. */
export function safeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return '(invalid URL)';
  }
}

// A short plain-text excerpt of an error page: Jenkins answers errors with HTML or plain text.
function bodySnippet(response: JenkinsResponse): string {
  const text = response.body.subarray(0, 4096).toString('utf8');
  const plain = text.replace(/<(script|style)[\s\S]*?<\/\1>/gi, ' ').replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim();
  return plain.length > 200 ? `${plain.slice(0, 200)}…` : plain;
}
