// Webhook deliveries: each result in words, accepted ones linked to their run by execution name, "older" asks
// for a larger limit (the API has no cursor), empty and error states, and the pipeline page's link here.
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { server, useMsw } from '../test/msw';
import { NS, renderAt, serveShell } from '../test/render-app';

useMsw();

const at = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000).toISOString();
const DELIVERIES = [
  { id: 'd-3', provider: 'github', event: 'push', outcome: 'created', executions: ['web-3'], status: 201, time: at(0.2) },
  { id: 'd-2', provider: 'github', event: 'push', outcome: 'duplicate', executions: ['web-2'], status: 200, time: at(5) },
  { id: 'd-1b', provider: 'github', event: 'pull_request', outcome: 'ignored', reason: 'no trigger matched: pull requests are off', status: 200, time: at(8) },
  { id: 'd-1', provider: 'github', event: 'push', outcome: 'refused', reason: 'bad signature', status: 401, time: at(9) },
];

describe('DeliveriesPage', () => {
  it('shows each delivery\'s result and links an accepted one to its run by execution name', async () => {
    serveShell();
    const limits: string[] = [];
    server.use(http.get(`${NS}/pipelines/web/deliveries`, ({ request }) => {
      limits.push(new URL(request.url).searchParams.get('limit')!);
      return HttpResponse.json({ items: DELIVERIES });
    }));
    renderAt('/p/demo/pipelines/web/deliveries');
    const run = await screen.findByRole('link', { name: 'web-3' });
    expect(run.getAttribute('href')).toBe('/p/demo/pipelines/web/runs/web-3');
    const accepted = run.closest('tr')!;
    expect(within(accepted).getByText('d-3')).toBeTruthy();
    expect(within(accepted).getByText('Accepted')).toBeTruthy();
    expect(within(accepted).getByText('push')).toBeTruthy();
    expect(within(accepted).getByText('github')).toBeTruthy();
    expect(within(accepted).getByText('just now')).toBeTruthy();
    expect(within(screen.getByText('d-2').closest('tr')!).getByText('Duplicate')).toBeTruthy();
    const ignored = screen.getByText('d-1b').closest('tr')!;
    expect(within(ignored).getByText('Ignored')).toBeTruthy();
    expect(within(ignored).getByText('no trigger matched: pull requests are off')).toBeTruthy();
    const refused = screen.getByText('d-1').closest('tr')!;
    expect(within(refused).getByText('Refused')).toBeTruthy();
    expect(within(refused).getByText('bad signature')).toBeTruthy();
    expect(within(refused).getByText(/HTTP 401/)).toBeTruthy();
    expect(limits).toEqual(['50']);
    expect(screen.getByText('4 deliveries, all shown')).toBeTruthy();
  });

  it('asks for older deliveries with a larger limit, kept in the URL', async () => {
    serveShell();
    const limits: string[] = [];
    server.use(http.get(`${NS}/pipelines/web/deliveries`, ({ request }) => {
      const limit = Number(new URL(request.url).searchParams.get('limit'));
      limits.push(String(limit));
      return HttpResponse.json({ items: Array.from({ length: Math.min(limit, 60) }, (_, i) => ({ id: `d-${i}`, outcome: 'refused', reason: 'bad signature', status: 401, time: at(i) })) });
    }));
    renderAt('/p/demo/pipelines/web/deliveries');
    await screen.findByText('d-49');
    await userEvent.setup().click(screen.getByRole('button', { name: 'Older deliveries' }));
    await screen.findByText('d-59');
    expect(limits).toEqual(['50', '100']);
    expect(screen.getByText('60 deliveries, all shown')).toBeTruthy();
  });

  it('reads the limit from the URL, so a linked page shows as many', async () => {
    serveShell();
    const limits: string[] = [];
    server.use(http.get(`${NS}/pipelines/web/deliveries`, ({ request }) => {
      limits.push(new URL(request.url).searchParams.get('limit')!);
      return HttpResponse.json({ items: DELIVERIES });
    }));
    renderAt('/p/demo/pipelines/web/deliveries?limit=100');
    await screen.findByRole('link', { name: 'web-3' });
    expect(limits).toEqual(['100']);
  });

  it('explains an empty list', async () => {
    serveShell();
    server.use(http.get(`${NS}/pipelines/web/deliveries`, () => HttpResponse.json({ items: [] })));
    renderAt('/p/demo/pipelines/web/deliveries');
    expect(await screen.findByText('No webhook delivery yet')).toBeTruthy();
  });

  it('shows the problem when the pipeline does not exist', async () => {
    serveShell();
    server.use(http.get(`${NS}/pipelines/gone/deliveries`, () => HttpResponse.json(
      { type: 'about:blank', title: 'Not Found', status: 404, detail: 'pipeline demo/gone not found' }, { status: 404, headers: { 'Content-Type': 'application/problem+json' } })));
    renderAt('/p/demo/pipelines/gone/deliveries');
    expect((await screen.findByRole('alert')).textContent).toContain('pipeline demo/gone not found');
  });

  it('is linked from the pipeline page', async () => {
    serveShell();
    server.use(
      http.get(`${NS}/pipelines/web`, () => HttpResponse.json({ metadata: { name: 'web', namespace: 'demo' }, spec: { repositoryUrl: 'https://git.example/acme/web.git' } })),
      http.get(`${NS}/pipelineexecutions`, () => HttpResponse.json({ kind: 'PipelineExecutionList', metadata: {}, items: [] })),
      http.get(`${NS}/pipelines/web/deliveries`, () => HttpResponse.json({ items: DELIVERIES })),
    );
    renderAt('/p/demo/pipelines/web');
    await userEvent.setup().click(await screen.findByRole('link', { name: 'Webhook deliveries' }));
    expect(await screen.findByRole('heading', { name: 'Webhook deliveries of web' })).toBeTruthy();
    expect(await screen.findByRole('link', { name: 'web-3' })).toBeTruthy();
  });
});
