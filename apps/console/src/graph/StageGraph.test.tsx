// The run page's stage graph against msw: every node says its status in words, a click or Enter selects the step
// (the URL's ?stage=&step=), j/k move the selection, Approve posts the answer with a comment, zoom and Fit.
import { QueryClientProvider } from '@tanstack/react-query';
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { MemoryRouter, Route, Routes, useLocation } from 'react-router';
import { describe, expect, it } from 'vitest';
import { makeQueryClient } from '../app';
import { ApiProvider } from '../api/api-context';
import { ApiClient } from '../api/client';
import type { PipelineExecution } from '../api/types';
import { TokenStore } from '../auth/token-store';
import { RunPage } from '../pages/RunPage';
import { BASE, server, useMsw } from '../test/msw';

useMsw();

const MINUTE = 60_000;
const ago = (ms: number) => new Date(Date.now() - ms).toISOString();

function execution(): PipelineExecution {
  return {
    metadata: { name: 'web-7', namespace: 'demo', uid: 'u7' },
    spec: {
      pipelineRef: { name: 'web' }, run: 7, commit: 'c'.repeat(40), branch: 'main', trigger: { event: 'push' },
      config: {
        timeout: 60,
        stages: [
          { name: 'build', steps: [{ type: 'runScriptConfig' }, { type: 'runScriptConfig' }] },
          { name: 'test', steps: [{ type: 'runScriptConfig' }] },
          { name: 'deploy', steps: [{ type: 'approval', timeout: 30, config: { message: 'Ship it?', users: ['alice'], groups: ['release'] } }] },
        ],
      },
    },
    status: {
      phase: 'Running', startTime: ago(10 * MINUTE),
      stages: [
        { name: 'build', phase: 'Succeeded', startTime: ago(10 * MINUTE), completionTime: ago(8 * MINUTE), steps: [
          { name: 'compile', phase: 'Succeeded', startTime: ago(10 * MINUTE), completionTime: ago(9 * MINUTE) },
          { name: 'lint', phase: 'Succeeded', startTime: ago(10 * MINUTE), completionTime: ago(8 * MINUTE) },
        ] },
        { name: 'test', phase: 'Failed', startTime: ago(8 * MINUTE), completionTime: ago(6 * MINUTE), steps: [
          { name: 'unit', phase: 'Failed', startTime: ago(8 * MINUTE), completionTime: ago(6 * MINUTE) },
        ] },
        { name: 'deploy', phase: 'Running', startTime: ago(5 * MINUTE), steps: [
          { name: 'gate', phase: 'Waiting', startTime: ago(5 * MINUTE), message: 'waiting for an answer' },
        ] },
      ],
    },
  };
}

function Where() {
  const l = useLocation();
  return <output data-testid="where">{l.pathname + l.search}</output>;
}

function renderRun(path = '/p/demo/pipelines/web/runs/web-7') {
  const tokens = new TokenStore(undefined);
  tokens.set('alice');
  render(
    <QueryClientProvider client={makeQueryClient()}>
      <ApiProvider client={new ApiClient(tokens, undefined, BASE)}>
        <MemoryRouter initialEntries={[path]}>
          <Routes><Route path="/p/:p/pipelines/:pl/runs/:run" element={<><RunPage /><Where /></>} /></Routes>
        </MemoryRouter>
      </ApiProvider>
    </QueryClientProvider>,
  );
}

function serve(e: PipelineExecution) {
  server.use(
    http.get(`${BASE}/api/v1/namespaces/demo/pipelineexecutions/web-7`, () => HttpResponse.json(e)),
    http.get(`${BASE}/api/v1/namespaces/demo/pipelineexecutions/web-7/logs/index`, () => HttpResponse.json({ every: 1000, lines: 0, size: 0, complete: true, offsets: [] })),
    http.get(`${BASE}/api/v1/namespaces/demo/pipelineexecutions/web-7/logs`, () => new HttpResponse('', { status: 200 })),
  );
}

const node = (name: string) => screen.getByRole('button', { name: new RegExp(`^${name}:`) });
const where = () => screen.getByTestId('where').textContent;

describe('StageGraph on the run page', () => {
  it('draws every step with its status in words, stage names and durations', async () => {
    serve(execution());
    renderRun();
    const graph = await screen.findByRole('region', { name: /Stages and steps/ });
    await within(graph).findByRole('button', { name: /^compile:/ }, { timeout: 15_000 });
    expect(within(node('compile')).getByText('Succeeded')).toBeTruthy();
    expect(within(node('unit')).getByText('Failed')).toBeTruthy();
    expect(within(node('gate')).getByText('Waiting for approval')).toBeTruthy();
    expect(within(node('compile')).getByText('1m 0s')).toBeTruthy();
    expect(node('lint').getAttribute('aria-label')).toBe('lint: Succeeded, 2m 0s (stage build)');
    for (const stage of ['build', 'test', 'deploy']) expect(within(graph).getByText(stage)).toBeTruthy();
    // Laid out as columns: build's two steps share an x, test is to their right.
    const x = (name: string) => Number(node(name).closest('[data-node]')!.getAttribute('x'));
    const y = (name: string) => Number(node(name).closest('[data-node]')!.getAttribute('y'));
    expect(x('compile')).toBe(x('lint'));
    expect(y('lint')).toBeGreaterThan(y('compile'));
    expect(x('unit')).toBeGreaterThan(x('lint'));
    expect(x('gate')).toBeGreaterThan(x('unit'));
    // The failed step is selected first.
    expect(node('unit').getAttribute('aria-pressed')).toBe('true');
  });

  it('ticks a running step\'s duration', async () => {
    const e = execution();
    e.status!.stages![2].steps[0] = { name: 'gate', phase: 'Running', startTime: ago(5_000) };
    serve(e);
    renderRun();
    await screen.findByRole('button', { name: /^compile:/ });
    const first = node('gate').getAttribute('aria-label');
    expect(first).toMatch(/^gate: Running, \d+s \(stage deploy\)$/);
    await waitFor(() => expect(node('gate').getAttribute('aria-label')).not.toBe(first), { timeout: 4_000 });
    expect(node('compile').getAttribute('aria-label')).toBe('compile: Succeeded, 1m 0s (stage build)'); // a finished one stays
  });

  it('selects a step on click or Enter and puts it in the URL, and j/k move the selection', async () => {
    serve(execution());
    renderRun();
    await screen.findByRole('button', { name: /^compile:/ });
    const user = userEvent.setup();
    await user.click(node('lint'));
    await waitFor(() => expect(where()).toBe('/p/demo/pipelines/web/runs/web-7?stage=0&step=1'));
    expect(node('lint').getAttribute('aria-pressed')).toBe('true');
    expect(screen.getByRole('heading', { name: 'build › lint' })).toBeTruthy();
    node('compile').focus();
    await user.keyboard('{Enter}');
    await waitFor(() => expect(where()).toBe('/p/demo/pipelines/web/runs/web-7?stage=0&step=0'));
    expect(node('compile').getAttribute('aria-pressed')).toBe('true');
    (document.activeElement as HTMLElement).blur();
    await user.keyboard('j');
    await waitFor(() => expect(where()).toBe('/p/demo/pipelines/web/runs/web-7?stage=0&step=1'));
    await user.keyboard('j');
    await waitFor(() => expect(where()).toBe('/p/demo/pipelines/web/runs/web-7?stage=1&step=0'));
    expect(node('unit').getAttribute('aria-pressed')).toBe('true');
    await user.keyboard('k');
    await waitFor(() => expect(node('lint').getAttribute('aria-pressed')).toBe('true'));
  });

  it('reaches the nodes with Tab', async () => {
    serve(execution());
    renderRun('/p/demo/pipelines/web/runs/web-7?stage=0&step=0');
    await screen.findByRole('button', { name: /^compile:/ });
    const user = userEvent.setup();
    const seen: string[] = [];
    for (let i = 0; i < 20 && !seen.includes('unit'); i++) {
      await user.tab();
      seen.push((document.activeElement?.getAttribute('aria-label') ?? '').split(':')[0]);
    }
    expect(seen).toEqual(expect.arrayContaining(['compile', 'lint', 'unit']));
  });

  it('approves a waiting step in place, with who may answer, the time left and a comment', async () => {
    const e = execution();
    serve(e);
    let sent: unknown;
    let path = '';
    server.use(http.post(`${BASE}/api/v1/namespaces/demo/pipelineexecutions/web-7/approve`, async ({ request }) => {
      sent = await request.json();
      path = new URL(request.url).pathname;
      const next = execution();
      next.status!.stages![2].steps[0] = { name: 'gate', phase: 'Running', approval: { decision: 'Approved', user: 'alice', time: new Date().toISOString(), comment: 'go' } };
      return HttpResponse.json(next);
    }));
    renderRun();
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Approve gate' }));
    const dialog = await screen.findByRole('dialog', { name: 'Approve gate' });
    expect(within(dialog).getByText('Ship it?')).toBeTruthy();
    expect(within(dialog).getByText('Who may answer: user alice or members of group release.')).toBeTruthy();
    expect(within(dialog).getByText(/2[45]m \d+s left before it times out/)).toBeTruthy(); // 30 min step timeout, started 5 min ago
    await user.type(within(dialog).getByLabelText('Comment (optional)'), 'go');
    await user.click(within(dialog).getByRole('button', { name: 'Approve' }));
    await waitFor(() => expect(sent).toEqual({ stage: 2, step: 0, comment: 'go' }));
    expect(path).toBe('/api/v1/namespaces/demo/pipelineexecutions/web-7/approve');
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    // The answer is in the cache at once: the gate runs, its buttons are gone.
    await waitFor(() => expect(within(node('gate')).getByText('Running')).toBeTruthy());
    expect(screen.queryByRole('button', { name: 'Approve gate' })).toBeNull();
  });

  it('shows the API\'s refusal in the reject dialog', async () => {
    serve(execution());
    server.use(http.post(`${BASE}/api/v1/namespaces/demo/pipelineexecutions/web-7/reject`, () => HttpResponse.json(
      { type: 'about:blank', title: 'Forbidden', status: 403, detail: 'user "bob" may not answer approval step "gate"; only users "alice" may', code: 'NotAnApprover' },
      { status: 403, headers: { 'Content-Type': 'application/problem+json' } },
    )));
    renderRun();
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Reject gate' }));
    const dialog = await screen.findByRole('dialog', { name: 'Reject gate' });
    await user.click(within(dialog).getByRole('button', { name: 'Reject' }));
    expect((await within(dialog).findByRole('alert')).textContent).toMatch(/only users "alice" may/);
  });

  it('zooms with the buttons and the keyboard, and Fit returns to a whole view', async () => {
    serve(execution());
    renderRun();
    await screen.findByRole('button', { name: /^compile:/ });
    const svg = () => screen.getByRole('region', { name: /Stages and steps/ }).querySelector('svg')!;
    const width0 = Number(svg().getAttribute('width'));
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Zoom in' }));
    expect(svg().getAttribute('data-zoom')).toBe('1.25');
    expect(Number(svg().getAttribute('width'))).toBeGreaterThan(width0);
    screen.getByRole('region', { name: /Stages and steps/ }).focus();
    await user.keyboard('--');
    expect(Number(svg().getAttribute('data-zoom'))).toBeLessThan(1);
    await user.click(screen.getByRole('button', { name: 'Fit' }));
    expect(svg().getAttribute('data-zoom')).toBe('1'); // jsdom has no viewport width: Fit falls back to 100%
  });
});
