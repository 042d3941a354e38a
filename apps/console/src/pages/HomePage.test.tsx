// Home against msw: who I am, the approvals I may answer, my runs (?user=), failing default branches, all from
// bounded cross-namespace lists.
import { render, screen, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { App } from '../app';
import { ApiClient } from '../api/client';
import type { PipelineExecution } from '../api/types';
import { TokenStore } from '../auth/token-store';
import { BASE, server, sseBody, useMsw } from '../test/msw';

useMsw();

const ago = (min: number) => new Date(Date.now() - min * 60_000).toISOString();

function exe(pipeline: string, run: number, phase: string, extra: { branch?: string; user?: string; ns?: string; status?: Partial<NonNullable<PipelineExecution['status']>>; config?: Record<string, unknown> } = {}): PipelineExecution {
  return {
    metadata: { name: `${pipeline}-${run}`, namespace: extra.ns ?? 'demo', creationTimestamp: ago(100 - run) },
    spec: {
      pipelineRef: { name: pipeline }, run, commit: `${run}`.padStart(40, 'c'), branch: extra.branch ?? 'main',
      trigger: { event: extra.user ? 'manual' : 'push', ...(extra.user && { user: extra.user }) }, ...(extra.config && { config: extra.config }),
    },
    status: { phase: phase as never, completionTime: ago(1), ...extra.status },
  };
}

/** A run waiting at stage 1, step 0: an approval `users`/`groups` may answer. */
function gated(pipeline: string, run: number, approval: { users?: string[]; groups?: string[] }): PipelineExecution {
  return exe(pipeline, run, 'Running', {
    status: { stages: [{ name: 'build', phase: 'Succeeded', steps: [{ name: 'make', phase: 'Succeeded' }] }, { name: 'prod', phase: 'Waiting', steps: [{ name: 'ship', phase: 'Waiting', startTime: ago(5) }] }] },
    config: { stages: [{ name: 'build', steps: [{ type: 'runScriptConfig', config: {} }] }, { name: 'prod', steps: [{ type: 'approval', config: { message: 'Ship?', users: approval.users ?? [], groups: approval.groups ?? [] } }] }] },
  });
}

function renderHome() {
  const tokens = new TokenStore(undefined);
  tokens.set('alice-token');
  render(<App tokens={tokens} api={new ApiClient(tokens, undefined, BASE)} initialPath="/" />);
}

const list = (kind: string, items: unknown[]) => HttpResponse.json({ kind, metadata: {}, items });

describe('HomePage', () => {
  it('shows what waits for me, my runs, the failing default branches, projects and recent runs', async () => {
    const queries: string[] = [];
    server.use(
      http.get(`${BASE}/api/v1/events`, () => new HttpResponse(sseBody().stream, { headers: { 'Content-Type': 'text/event-stream' } })),
      http.get(`${BASE}/api/v1/whoami`, () => HttpResponse.json({ username: 'alice', groups: ['release', 'system:authenticated'] })),
      http.get(`${BASE}/api/v1/projects`, () => HttpResponse.json({ kind: 'ProjectList', items: [{ name: 'demo', pipelines: 3, running: 3, queued: 2 }] })),
      http.get(`${BASE}/api/v1/pipelineexecutions`, ({ request }) => {
        const q = new URL(request.url).searchParams;
        queries.push(q.toString());
        if (q.get('phase') === 'Running') return list('PipelineExecutionList', [gated('web', 7, { users: ['alice'] }), gated('api', 8, { groups: ['release'] }), gated('ops', 9, { users: ['bob'] })]);
        if (q.get('user') === 'alice') return list('PipelineExecutionList', [exe('web', 5, 'Succeeded', { user: 'alice', branch: 'feature/x' })]);
        if (q.get('phase') === 'Succeeded,Failed') {
          return list('PipelineExecutionList', [
            exe('web', 4, 'Failed', { branch: 'trunk' }), exe('web', 3, 'Succeeded', { branch: 'main' }), // web defaults to trunk: failing
            exe('api', 6, 'Succeeded', { branch: 'main' }), exe('api', 2, 'Failed', { branch: 'main' }), // fixed since
            exe('ops', 5, 'Failed', { branch: 'feature/y' }), exe('ops', 1, 'Succeeded', { branch: 'master' }), // only a feature fails
          ]);
        }
        return list('PipelineExecutionList', [exe('web', 7, 'Running')]);
      }),
      http.get(`${BASE}/api/v1/pipelines`, () => list('PipelineList', ['web', 'api', 'ops'].map((name) => ({ metadata: { name, namespace: 'demo' }, spec: { repositoryUrl: `https://git.example/acme/${name}.git` } })))),
      http.get(`${BASE}/api/v1/sourcecoderepositories`, () => list('SourceCodeRepositoryList', [{ metadata: { name: 'acme-web', namespace: 'demo' }, spec: { url: 'https://git.example/acme/web', defaultBranch: 'trunk' } }])),
    );
    renderHome();

    const waiting = (await screen.findByRole('region', { name: 'Waiting for me' }));
    await within(waiting).findByRole('link', { name: 'web #7' });
    expect(within(waiting).getByRole('link', { name: 'api #8' }).getAttribute('href')).toBe('/p/demo/pipelines/api/runs/api-8?stage=1&step=0');
    expect(within(waiting).queryByRole('link', { name: 'ops #9' })).toBeNull(); // only bob may
    expect(within(waiting).getByText('members of group release')).toBeTruthy();
    expect(screen.getByRole('link', { name: '3 approvals waiting' }).getAttribute('href')).toBe('/approvals');

    const mine = screen.getByRole('region', { name: 'My recent runs' });
    expect((await within(mine).findByRole('link', { name: '#5' })).getAttribute('href')).toBe('/p/demo/pipelines/web/runs/web-5');
    expect(queries).toContain('user=alice&limit=10');

    const failing = screen.getByRole('region', { name: 'Failing default branches' });
    expect((await within(failing).findByRole('link', { name: 'web' })).getAttribute('href')).toBe('/p/demo/pipelines/web');
    expect(within(failing).getByText('trunk')).toBeTruthy();
    expect(within(failing).getByRole('link', { name: '#4' })).toBeTruthy();
    expect(within(failing).queryByRole('link', { name: 'api' })).toBeNull();
    expect(within(failing).queryByRole('link', { name: 'ops' })).toBeNull();
    expect(within(failing).getByText('Failed')).toBeTruthy(); // icon + word

    expect(await screen.findByRole('link', { name: '2 queued' })).toBeTruthy();
    expect(within(screen.getByRole('region', { name: 'Recent runs' })).getByRole('link', { name: '#7' })).toBeTruthy();
    // Bounded: no request per pipeline, each list at most one page.
    expect(queries.every((q) => /limit=(10|500)/.test(q))).toBe(true);
  });

  it('says so when nothing waits, no run is mine and no default branch fails', async () => {
    server.use(
      http.get(`${BASE}/api/v1/events`, () => new HttpResponse(sseBody().stream, { headers: { 'Content-Type': 'text/event-stream' } })),
      http.get(`${BASE}/api/v1/whoami`, () => HttpResponse.json({ username: 'carol', groups: [] })),
      http.get(`${BASE}/api/v1/projects`, () => HttpResponse.json({ kind: 'ProjectList', items: [] })),
      http.get(`${BASE}/api/v1/pipelineexecutions`, () => list('PipelineExecutionList', [])),
      http.get(`${BASE}/api/v1/pipelines`, () => list('PipelineList', [])),
      http.get(`${BASE}/api/v1/sourcecoderepositories`, () => list('SourceCodeRepositoryList', [])),
    );
    renderHome();
    expect(await screen.findByText('Nothing waits for you')).toBeTruthy();
    expect(await screen.findByText('You have started no runs')).toBeTruthy();
    expect(await screen.findByText('No default branch is failing')).toBeTruthy();
  });

  it('shows the problem when who I am cannot be read', async () => {
    server.use(
      http.get(`${BASE}/api/v1/events`, () => new HttpResponse(sseBody().stream, { headers: { 'Content-Type': 'text/event-stream' } })),
      http.get(`${BASE}/api/v1/whoami`, () => HttpResponse.json({ type: 'https://keelson.dev/problems/unavailable', title: 'Service unavailable', status: 503, detail: 'the token review is unavailable', instance: '/api/v1/whoami' }, { status: 503, headers: { 'Content-Type': 'application/problem+json' } })),
      http.get(`${BASE}/api/v1/projects`, () => HttpResponse.json({ kind: 'ProjectList', items: [] })),
      http.get(`${BASE}/api/v1/pipelineexecutions`, () => list('PipelineExecutionList', [])),
      http.get(`${BASE}/api/v1/pipelines`, () => list('PipelineList', [])),
      http.get(`${BASE}/api/v1/sourcecoderepositories`, () => list('SourceCodeRepositoryList', [])),
    );
    renderHome();
    const waiting = await screen.findByRole('region', { name: 'Waiting for me' });
    expect((await within(waiting).findByRole('alert')).textContent).toContain('the token review is unavailable');
  });
});
