// The project pages against msw: cursor paging and URL filters, the queue's reasons, approvals.
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { App } from '../app';
import { ApiClient } from '../api/client';
import type { PipelineExecution } from '../api/types';
import { TokenStore } from '../auth/token-store';
import { BASE, server, sseBody, useMsw } from '../test/msw';

useMsw();

function exe(run: number, phase: string, extra: Partial<PipelineExecution['status']> = {}): PipelineExecution {
  return {
    metadata: { name: `web-${run}`, namespace: 'demo', creationTimestamp: new Date(Date.now() - run * 60_000).toISOString() },
    spec: { pipelineRef: { name: 'web' }, run, commit: `${run}`.padStart(40, 'c'), branch: 'main', trigger: { event: 'push' } },
    status: { phase: phase as never, ...extra },
  };
}

function common() {
  server.use(
    http.get(`${BASE}/api/v1/events`, () => new HttpResponse(sseBody().stream, { headers: { 'Content-Type': 'text/event-stream' } })),
    http.get(`${BASE}/api/v1/projects`, () => HttpResponse.json({ kind: 'ProjectList', items: [{ name: 'demo', pipelines: 1, running: 0, queued: 2 }] })),
    http.get(`${BASE}/api/v1/namespaces/demo/pipelines/web`, () => HttpResponse.json({ metadata: { name: 'web', namespace: 'demo' }, spec: { repositoryUrl: 'https://git.example/acme/web.git' } })),
  );
}

function renderAt(path: string) {
  const tokens = new TokenStore(undefined);
  tokens.set('alice');
  render(<App tokens={tokens} api={new ApiClient(tokens, undefined, BASE)} initialPath={path} />);
}

describe('PipelinePage', () => {
  it('pages runs with the continue cursor and sends the URL filters', async () => {
    common();
    const queries: string[] = [];
    server.use(http.get(`${BASE}/api/v1/namespaces/demo/pipelineexecutions`, ({ request }) => {
      const q = new URL(request.url).searchParams;
      queries.push(q.toString());
      return q.get('continue') === 'page2'
        ? HttpResponse.json({ kind: 'PipelineExecutionList', metadata: {}, items: [exe(1, 'Succeeded')] })
        : HttpResponse.json({ kind: 'PipelineExecutionList', metadata: { continue: 'page2' }, items: [exe(3, 'Failed'), exe(2, 'Succeeded')] });
    }));
    renderAt('/p/demo/pipelines/web?phase=Failed');
    await screen.findByRole('link', { name: '#3' });
    expect(queries[0]).toBe('limit=25&pipeline=web&phase=Failed');
    expect((screen.getByLabelText('Status') as HTMLSelectElement).value).toBe('Failed');
    await userEvent.setup().click(screen.getByRole('button', { name: 'Older runs' }));
    await screen.findByRole('link', { name: '#1' });
    expect(queries[1]).toBe('limit=25&continue=page2&pipeline=web&phase=Failed');
    expect(screen.getByText('3 runs, all shown')).toBeTruthy();
    expect(within(screen.getByRole('link', { name: '#3' }).closest('tr')!).getByText('Failed')).toBeTruthy();
  });

  it('says so when no run matches the filters', async () => {
    common();
    server.use(http.get(`${BASE}/api/v1/namespaces/demo/pipelineexecutions`, () => HttpResponse.json({ kind: 'PipelineExecutionList', metadata: {}, items: [] })));
    renderAt('/p/demo/pipelines/web?event=tag');
    expect(await screen.findByText('No run matches these filters')).toBeTruthy();
  });

  it('starts a run from the dialog with an Idempotency-Key and opens it', async () => {
    common();
    let sent: { body: unknown; key: string | null } | undefined;
    server.use(
      http.get(`${BASE}/api/v1/namespaces/demo/pipelineexecutions`, () => HttpResponse.json({ kind: 'PipelineExecutionList', metadata: {}, items: [] })),
      http.post(`${BASE}/api/v1/namespaces/demo/pipelines/web/run`, async ({ request }) => {
        sent = { body: await request.json(), key: request.headers.get('idempotency-key') };
        return HttpResponse.json(exe(4, 'Pending'), { status: 201 });
      }),
      http.get(`${BASE}/api/v1/namespaces/demo/pipelineexecutions/web-4`, () => HttpResponse.json(exe(4, 'Queued', { reason: '3 of 3 running in project demo' }))),
    );
    renderAt('/p/demo/pipelines/web');
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Run' }));
    const dialog = await screen.findByRole('dialog');
    await user.click(within(dialog).getByRole('button', { name: 'Run' }));
    expect(within(dialog).getByRole('alert').textContent).toBe('Give a branch, a commit, or both.');
    await user.type(within(dialog).getByLabelText('Branch'), 'main');
    await user.click(within(dialog).getByRole('button', { name: 'Run' }));
    await waitFor(() => expect(sent).toBeDefined());
    expect(await screen.findByRole('heading', { name: 'web #4' })).toBeTruthy();
    expect(sent?.body).toEqual({ branch: 'main' });
    expect(sent?.key).toMatch(/\S{8,}/);
    expect(screen.getByText('3 of 3 running in project demo')).toBeTruthy();
  });
});

describe('PipelinesPage', () => {
  it('shows each pipeline\'s last run with a mini stage strip from the list\'s summary, with no request per row', async () => {
    common();
    const requests: string[] = [];
    server.events.on('request:start', ({ request }) => { requests.push(new URL(request.url).pathname); });
    const pipeline = (name: string, last: unknown) => ({ metadata: { name, namespace: 'demo' }, spec: { repositoryUrl: `https://git.example/acme/${name}.git` }, summary: { lastExecution: last } });
    server.use(http.get(`${BASE}/api/v1/namespaces/demo/pipelines`, () => HttpResponse.json({ kind: 'PipelineList', metadata: {}, items: [
      pipeline('web', { name: 'web-9', run: 9, phase: 'Failed', durationSeconds: 60, stages: [{ name: 'build', phase: 'Succeeded' }, { name: 'test', phase: 'Failed' }, { name: 'deploy', phase: 'Skipped' }] }),
      pipeline('api', { name: 'api-2', run: 2, phase: 'Running', durationSeconds: null, stages: [{ name: 'build', phase: 'Running' }] }),
      pipeline('docs', null),
    ] })));
    renderAt('/p/demo/pipelines');
    const web = (await screen.findByRole('link', { name: '#9' })).closest('tr')!;
    const strip = within(web).getByRole('list', { name: 'Stages of web #9' });
    expect(within(strip).getAllByRole('img').map((icon) => icon.getAttribute('aria-label'))).toEqual(['build: Succeeded', 'test: Failed', 'deploy: Skipped']);
    expect(within(web).getByText('Failed')).toBeTruthy(); // the run's status in words, once: the strip's icons are named, not texted
    const api = screen.getByRole('link', { name: '#2' }).closest('tr')!;
    expect(within(within(api).getByRole('list', { name: 'Stages of api #2' })).getByRole('img', { name: 'build: Running' })).toBeTruthy();
    const docs = screen.getByRole('link', { name: 'docs' }).closest('tr')!;
    expect(within(docs).getByText('never run')).toBeTruthy();
    expect(within(docs).queryByRole('list')).toBeNull();
    // One list call for the page: nothing per row.
    expect(requests.filter((r) => r.includes('pipelineexecutions'))).toEqual([]);
    expect(requests.filter((r) => r === '/api/v1/namespaces/demo/pipelines')).toHaveLength(1);
    server.events.removeAllListeners();
  });
});

describe('QueuePage', () => {
  it('shows why each run waits, in order, and the start latency of running ones', async () => {
    common();
    server.use(http.get(`${BASE}/api/v1/namespaces/demo/queue`, () => HttpResponse.json({
      namespace: 'demo', limit: 1, admitted: 1,
      queued: [
        { name: 'web-5', pipeline: 'web', run: 5, phase: 'Queued', position: 1, waitingSeconds: 75, cause: 'ProjectConcurrencyLimit', message: '1 of 1 running in project demo' },
        { name: 'web-6', pipeline: 'web', run: 6, phase: 'Pending', position: 2, waitingSeconds: 3, cause: 'Preparing', message: 'reading .devops.yml' },
      ],
      running: [{ name: 'web-4', pipeline: 'web', run: 4, node: 'node-a', warmNode: true, startLatency: { queued: 2, total: 14 } }],
    })));
    renderAt('/p/demo/queue');
    const first = (await screen.findByRole('link', { name: 'web #5' })).closest('tr')!;
    expect(within(first).getByText('Project concurrency limit reached')).toBeTruthy();
    expect(within(first).getByText('1 of 1 running in project demo')).toBeTruthy();
    expect(within(first).getByText('1m 15s')).toBeTruthy();
    expect(screen.getByText('1 of 1 slots in use')).toBeTruthy();
    const running = screen.getByRole('link', { name: 'web #4' }).closest('tr')!;
    expect(within(running).getByText('node-a (warm)')).toBeTruthy();
    expect(within(running).getByText('14s')).toBeTruthy();
  });
});

describe('ApprovalsPage', () => {
  it('lists waiting steps and approves one with a comment', async () => {
    common();
    const waiting = exe(7, 'Running', { stages: [{ name: 'deploy', phase: 'Waiting', steps: [{ name: 'approve', phase: 'Waiting', message: 'needs ops' }] }] });
    let answer: unknown;
    server.use(
      http.get(`${BASE}/api/v1/pipelineexecutions`, () => HttpResponse.json({ kind: 'PipelineExecutionList', metadata: {}, items: [waiting, exe(8, 'Running')] })),
      http.post(`${BASE}/api/v1/namespaces/demo/pipelineexecutions/web-7/approve`, async ({ request }) => {
        answer = await request.json();
        return HttpResponse.json(waiting);
      }),
    );
    renderAt('/approvals');
    const row = (await screen.findByText(/deploy › approve/)).closest('tr')!;
    expect(within(row).getByText('needs ops')).toBeTruthy();
    const user = userEvent.setup();
    await user.type(within(row).getByLabelText('Comment'), 'ship it');
    await user.click(within(row).getByRole('button', { name: 'Approve' }));
    await waitFor(() => expect(answer).toEqual({ stage: 0, step: 0, comment: 'ship it' }));
  });
});

describe('RunPage keyboard', () => {
  it('moves between steps with j and k, and ? lists the shortcuts', async () => {
    common();
    const run = exe(9, 'Failed', {
      stages: [
        { name: 'build', phase: 'Succeeded', steps: [{ name: 'compile', phase: 'Succeeded' }, { name: 'pack', phase: 'Succeeded' }] },
        { name: 'test', phase: 'Failed', steps: [{ name: 'unit', phase: 'Failed' }] },
      ],
    });
    server.use(
      http.get(`${BASE}/api/v1/namespaces/demo/pipelineexecutions/web-9`, () => HttpResponse.json(run)),
      http.get(`${BASE}/api/v1/namespaces/demo/pipelineexecutions/web-9/logs/index`, () => HttpResponse.json({ every: 1000, lines: 0, size: 0, complete: true, offsets: [] })),
    );
    renderAt('/p/demo/pipelines/web/runs/web-9');
    const pressed = () => screen.getAllByRole('button', { pressed: true }).map((b) => b.getAttribute('aria-label'));
    await screen.findByRole('heading', { name: 'web #9' });
    await screen.findByRole('button', { name: /^unit:/ }, { timeout: 15_000 });
    expect(pressed()).toEqual(['unit: Failed (stage test)']); // the failed step first
    const user = userEvent.setup();
    await user.keyboard('k');
    expect(pressed()).toEqual(['pack: Succeeded (stage build)']);
    await user.keyboard('kk');
    expect(pressed()).toEqual(['compile: Succeeded (stage build)']); // stops at the first
    await user.keyboard('j');
    expect(pressed()).toEqual(['pack: Succeeded (stage build)']);
    await user.keyboard('?');
    expect(await screen.findByRole('dialog', { name: 'Keyboard shortcuts' })).toBeTruthy();
  });
});

describe('StepLogPage', () => {
  it('shows "log temporarily unavailable" and reads the log by itself once the store answers again', async () => {
    common();
    let down = true;
    server.use(
      http.get(`${BASE}/api/v1/namespaces/demo/pipelineexecutions/web-2`, () => HttpResponse.json(exe(2, 'Succeeded', { stages: [{ name: 'build', phase: 'Succeeded', steps: [{ name: 'make', phase: 'Succeeded' }] }] }))),
      http.get(`${BASE}/api/v1/namespaces/demo/pipelineexecutions/web-2/logs/index`, () => (down
        ? HttpResponse.json({ type: 'https://keelson.dev/problems/unavailable', title: 'Service unavailable', status: 503, detail: 'log temporarily unavailable', instance: '/x' }, { status: 503, headers: { 'Content-Type': 'application/problem+json', 'Retry-After': '1' } })
        : HttpResponse.json({ every: 1000, lines: 2, size: 12, complete: true, offsets: [0] }))),
      http.get(`${BASE}/api/v1/namespaces/demo/pipelineexecutions/web-2/logs`, () => new HttpResponse('hello\nworld\n', { status: 206 })),
    );
    renderAt('/p/demo/pipelines/web/runs/web-2/stages/0/steps/0');
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('log temporarily unavailable');
    expect(alert.textContent).toContain('retry in 1s');
    down = false;
    expect(await screen.findByText('world')).toBeTruthy();
    expect(screen.getByText('2 lines')).toBeTruthy();
  });
});
