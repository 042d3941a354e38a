import { describe, expect, it, vi } from 'vitest';
import { TokenStore } from '../auth/token-store';
import { ApiClient } from './client';
import { ApiError } from './problem';

function answer(status: number, body: string, type = 'application/problem+json', headers: Record<string, string> = {}) {
  return vi.fn(async () => new Response(body, { status, headers: { 'Content-Type': type, ...headers } }));
}

describe('ApiClient', () => {
  it('sends the bearer token and reads JSON', async () => {
    const tokens = new TokenStore(sessionStorage);
    tokens.set('Bearer abc.def');
    const fetchFn = vi.fn(async (_url: RequestInfo | URL, _init?: RequestInit) => new Response('{"items":[]}', { status: 200, headers: { 'Content-Type': 'application/json' } }));
    const api = new ApiClient(tokens, fetchFn as typeof fetch);
    await expect(api.get('/api/v1/projects', { query: { limit: 5, continue: undefined } })).resolves.toEqual({ items: [] });
    const [url, init] = fetchFn.mock.calls[0];
    expect(url).toBe('/api/v1/projects?limit=5');
    expect((init?.headers as Record<string, string>).Authorization).toBe('Bearer abc.def');
    expect(init?.credentials).toBe('omit');
  });

  it('turns a problem+json answer into an ApiError with its title, detail and field errors', async () => {
    const problem = { type: 'https://keelson.dev/problems/validation-failed', title: 'Validation failed', status: 422, detail: 'branch: too long', instance: '/x', code: 'Invalid', errors: [{ pointer: '/branch', detail: 'too long' }] };
    const api = new ApiClient(new TokenStore(undefined), answer(422, JSON.stringify(problem)) as typeof fetch);
    const err = await api.post('/x', {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).problem).toMatchObject({ title: 'Validation failed', detail: 'branch: too long', status: 422, code: 'Invalid', errors: problem.errors });
    expect((err as ApiError).message).toBe('Validation failed: branch: too long');
  });

  it('clears the token on 401, so the app goes to the login page', async () => {
    const tokens = new TokenStore(sessionStorage);
    tokens.set('expired');
    const cleared = vi.fn();
    tokens.subscribe(cleared);
    const body = JSON.stringify({ type: 'https://keelson.dev/problems/unauthenticated', title: 'Unauthenticated', status: 401, detail: 'token rejected', instance: '/api/v1/projects' });
    const api = new ApiClient(tokens, answer(401, body) as typeof fetch);
    await expect(api.get('/api/v1/projects')).rejects.toMatchObject({ status: 401, unauthenticated: true });
    expect(tokens.get()).toBeUndefined();
    expect(sessionStorage.getItem('keelson.token')).toBeNull();
    expect(cleared).toHaveBeenCalledWith(undefined);
  });

  it('keeps Retry-After of a 503 and describes a non-JSON error page without its markup', async () => {
    const api = new ApiClient(new TokenStore(undefined), answer(503, '<html>bad gateway</html>', 'text/html', { 'Retry-After': '7' }) as typeof fetch);
    const err = (await api.get('/x').catch((e: unknown) => e)) as ApiError;
    expect(err.retryAfterSeconds).toBe(7);
    expect(err.problem.status).toBe(503);
    expect(err.problem.detail).toBe('The server answered 503 without a problem description.');
  });

  it('reports a network failure as a problem with status 0', async () => {
    const api = new ApiClient(new TokenStore(undefined), vi.fn(async () => { throw new TypeError('Failed to fetch'); }) as typeof fetch);
    await expect(api.get('/x')).rejects.toMatchObject({ status: 0, problem: { title: 'The manager did not answer', detail: 'Failed to fetch' } });
  });
});
