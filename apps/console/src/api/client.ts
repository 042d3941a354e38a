// The one way the console calls the manager: /api/v1 with the bearer token. A 401 clears the token, which sends
// the app to the login page (App listens to the TokenStore).
import type { TokenStore } from '../auth/token-store';
import { ApiError, networkProblem, problemFrom } from './problem';

export type Query = Record<string, string | number | boolean | undefined>;

export interface RequestOptions {
  query?: Query;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  body?: unknown;
}

export class ApiClient {
  /** `baseUrl` is empty in the browser (same origin); tests give an absolute one. */
  constructor(readonly tokens: TokenStore, private readonly fetchFn: typeof fetch = (...a) => fetch(...a), readonly baseUrl = '') {}

  url(path: string, query?: Query): string {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== '') params.set(k, String(v));
    const qs = params.toString();
    return `${this.baseUrl}${path}${qs ? `?${qs}` : ''}`;
  }

  headers(extra?: Record<string, string>): Record<string, string> {
    const token = this.tokens.get();
    return { Accept: 'application/json', ...(token && { Authorization: `Bearer ${token}` }), ...extra };
  }

  /** The raw answer of a successful call; errors are thrown as ApiError. */
  async request(method: string, path: string, opts: RequestOptions = {}): Promise<Response> {
    const headers = this.headers(opts.headers);
    let body: string | undefined;
    if (opts.body !== undefined) {
      headers['Content-Type'] ??= 'application/json';
      body = JSON.stringify(opts.body);
    }
    let res: Response;
    try {
      res = await this.fetchFn(this.url(path, opts.query), { method, headers, body, signal: opts.signal, credentials: 'omit' });
    } catch (err) {
      if ((err as Error).name === 'AbortError') throw err;
      throw networkProblem(err);
    }
    if (!res.ok) {
      const error = await problemFrom(res);
      if (error.unauthenticated) this.tokens.clear();
      throw error;
    }
    return res;
  }

  async get<T>(path: string, opts?: RequestOptions): Promise<T> {
    return (await this.request('GET', path, opts)).json() as Promise<T>;
  }

  async post<T>(path: string, body: unknown, opts?: RequestOptions): Promise<T> {
    const res = await this.request('POST', path, { ...opts, body });
    const text = await res.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** A JSON merge patch (RFC 7396), the form the resource API takes for a partial change. */
  async patch<T>(path: string, body: unknown, opts?: RequestOptions): Promise<T> {
    const res = await this.request('PATCH', path, { ...opts, body, headers: { ...opts?.headers, 'Content-Type': 'application/merge-patch+json' } });
    return res.json() as Promise<T>;
  }

  async delete(path: string, opts?: RequestOptions): Promise<void> {
    await this.request('DELETE', path, opts);
  }
}

export { ApiError };
