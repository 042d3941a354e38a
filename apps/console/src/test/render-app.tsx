// Renders the whole app at a path, signed in, against msw at BASE, with a quiet event stream and one project.
import { render } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { App } from '../app';
import { ApiClient } from '../api/client';
import { TokenStore } from '../auth/token-store';
import { BASE, server, sseBody } from './msw';

export function serveShell(): void {
  server.use(
    http.get(`${BASE}/api/v1/events`, () => new HttpResponse(sseBody().stream, { headers: { 'Content-Type': 'text/event-stream' } })),
    http.get(`${BASE}/api/v1/projects`, () => HttpResponse.json({ kind: 'ProjectList', items: [{ name: 'demo', pipelines: 1, running: 0, queued: 0 }] })),
  );
}

export function renderAt(path: string, token = 'alice'): TokenStore {
  const tokens = new TokenStore(undefined);
  tokens.set(token);
  render(<App tokens={tokens} api={new ApiClient(tokens, undefined, BASE)} initialPath={path} />);
  return tokens;
}

export const NS = `${BASE}/api/v1/namespaces/demo`;
