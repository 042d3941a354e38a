import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { App } from './app';
import { ApiClient } from './api/client';
import type { PipelineExecution } from './api/types';
import { TokenStore } from './auth/token-store';
import { BASE, server, sseBody, useMsw } from './test/msw';

useMsw();

const problem = (status: number, title: string, detail: string) => HttpResponse.json(
  { type: 'https://keelson.dev/problems/x', title, status, detail, instance: '/x' },
  { status, headers: { 'Content-Type': 'application/problem+json' } },
);

const PIPELINES = {
  kind: 'PipelineList', metadata: {}, items: [
    { metadata: { name: 'web', namespace: 'demo' }, spec: { repositoryUrl: 'https://git.example/acme/web.git' }, status: { nextRun: 4, lastExecution: { name: 'web-3', run: 3, phase: 'Failed' } } },
    { metadata: { name: 'api', namespace: 'demo' }, spec: { repositoryUrl: 'https://git.example/acme/api.git', displayName: 'acme/api' }, status: { nextRun: 1 } },
  ],
};

function execution(phase: string, stepPhase: string): PipelineExecution {
  return {
    kind: 'PipelineExecution',
    metadata: { name: 'web-3', namespace: 'demo', creationTimestamp: '2026-12-03T10:00:00Z' },
    spec: { pipelineRef: { name: 'web' }, run: 3, commit: 'a'.repeat(40), branch: 'main', trigger: { event: 'manual', user: 'alice' } },
    status: {
      phase: phase as never, queuedTime: '2026-12-03T10:00:00Z', startTime: '2026-12-03T10:00:12Z',
      stages: [{ name: 'build', phase: stepPhase as never, steps: [{ name: 'compile', phase: stepPhase as never, startTime: '2026-12-03T10:00:12Z' }] }],
    },
  };
}

/** The tab's event stream: held open, the test sends frames. Returns the sender and how many streams opened. */
function eventStream() {
  const streams: Array<ReturnType<typeof sseBody>> = [];
  server.use(http.get(`${BASE}/api/v1/events`, () => {
    const body = sseBody();
    streams.push(body);
    return new HttpResponse(body.stream, { headers: { 'Content-Type': 'text/event-stream' } });
  }));
  return streams;
}

function renderApp(path: string, token?: string) {
  const tokens = new TokenStore(sessionStorage);
  if (token) tokens.set(token);
  render(<App tokens={tokens} api={new ApiClient(tokens, undefined, BASE)} initialPath={path} />);
  return tokens;
}

describe('the console app', () => {
  it('sends a visitor without a token to the login page, and back to the page after signing in', async () => {
    eventStream();
    server.use(
      http.get(`${BASE}/api/v1/projects`, ({ request }) => (request.headers.get('authorization') === 'Bearer good'
        ? HttpResponse.json({ kind: 'ProjectList', items: [{ name: 'demo', pipelines: 2, running: 0, queued: 0 }] })
        : problem(401, 'Unauthenticated', 'the cluster does not accept this token'))),
      http.get(`${BASE}/api/v1/namespaces/demo/pipelines`, () => HttpResponse.json(PIPELINES)),
    );
    const tokens = renderApp('/p/demo/pipelines');
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText('Bearer token'), 'bad');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('alert')).toHaveProperty('textContent', 'Unauthenticated: the cluster does not accept this token');
    expect(tokens.get()).toBeUndefined();

    await user.clear(screen.getByLabelText('Bearer token'));
    await user.type(screen.getByLabelText('Bearer token'), 'good');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('heading', { name: 'Pipelines' })).toBeTruthy();
    expect(tokens.get()).toBe('good');
    expect(sessionStorage.getItem('keelson.token')).toBe('good');
    const row = (await screen.findByRole('link', { name: 'web' })).closest('tr')!;
    expect(within(row).getByText('Failed')).toBeTruthy(); // the status in words, beside its icon
    expect(within(row).getByRole('link', { name: '#3' }).getAttribute('href')).toBe('/p/demo/pipelines/web/runs/web-3');
    expect(screen.getByText('never run')).toBeTruthy();
  });

  it('shows an API problem with its title and detail, and goes to login on a 401', async () => {
    eventStream();
    server.use(
      http.get(`${BASE}/api/v1/projects`, () => HttpResponse.json({ kind: 'ProjectList', items: [] })),
      http.get(`${BASE}/api/v1/namespaces/demo/pipelines`, () => problem(403, 'Forbidden', 'you may not list pipelines in namespace "demo"')),
    );
    renderApp('/p/demo/pipelines', 'alice');
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Could not load pipelines: Forbidden');
    expect(alert.textContent).toContain('you may not list pipelines in namespace "demo"');

    server.use(http.get(`${BASE}/api/v1/namespaces/demo/queue`, () => problem(401, 'Unauthenticated', 'token expired')));
    await userEvent.setup().click(screen.getByRole('link', { name: 'Queue' }));
    expect(await screen.findByLabelText('Bearer token')).toBeTruthy();
  });

  it('updates the run page from the event stream without refetching it', async () => {
    const streams = eventStream();
    let gets = 0;
    server.use(
      http.get(`${BASE}/api/v1/projects`, () => HttpResponse.json({ kind: 'ProjectList', items: [{ name: 'demo', pipelines: 1, running: 1, queued: 0 }] })),
      http.get(`${BASE}/api/v1/namespaces/demo/pipelineexecutions/web-3`, () => {
        gets++;
        return HttpResponse.json(execution('Running', 'Running'));
      }),
      http.get(`${BASE}/api/v1/namespaces/demo/pipelineexecutions/web-3/logs/index`, () => HttpResponse.json({ every: 1000, lines: 0, size: 0, complete: true, offsets: [] })),
      http.get(`${BASE}/api/v1/namespaces/demo/pipelineexecutions`, () => HttpResponse.json({ kind: 'PipelineExecutionList', metadata: {}, items: [] })),
      http.get(`${BASE}/api/v1/namespaces/demo/pipelines`, () => HttpResponse.json(PIPELINES)),
      http.get(`${BASE}/api/v1/namespaces/demo/queue`, () => HttpResponse.json({ namespace: 'demo', limit: 3, admitted: 0, queued: [], running: [] })),
    );
    const icon = document.head.appendChild(Object.assign(document.createElement('link'), { rel: 'icon', href: '/favicon.svg' }));
    renderApp('/p/demo/pipelines/web/runs/web-3', 'alice');
    expect(await screen.findByRole('heading', { name: 'web #3' })).toBeTruthy();
    await waitFor(() => expect(document.title).toBe('▶ Running · web #3 · Keelson'));
    expect(icon.getAttribute('href')).toBe('/favicon-running.svg');
    const step = await screen.findByRole('button', { name: /compile/ }, { timeout: 15_000 });
    expect(within(step).getByText('Running')).toBeTruthy();
    await waitFor(() => expect(streams).toHaveLength(1));
    const before = gets;
    streams[0].send(`id: 101\nevent: MODIFIED\ndata: ${JSON.stringify(execution('Failed', 'Failed'))}\n\n`);
    await waitFor(() => expect(within(screen.getByRole('button', { name: /compile/ })).getByText('Failed')).toBeTruthy());
    expect(gets).toBe(before);
    expect(screen.getByText('Live')).toBeTruthy();
    // The tab tells it too: title and favicon.
    await waitFor(() => expect(document.title).toBe('✗ Failed · web #3 · Keelson'));
    expect(icon.getAttribute('href')).toBe('/favicon-failed.svg');
    icon.remove();
  });
});
