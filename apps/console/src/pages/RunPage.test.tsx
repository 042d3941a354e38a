// The run page's header and its Stop dialog against msw: commit linked to the repository's commit page, trigger,
// actor, timing and queue wait; Stop opens a dialog with an optional Reason, and who stopped the run and why are
// shown from its status.
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

const COMMIT = 'fe12ab34'.padEnd(40, '9');

function running(extra: Partial<PipelineExecution['spec']> = {}, status: Partial<NonNullable<PipelineExecution['status']>> = {}): PipelineExecution {
  return {
    metadata: { name: 'web-5', namespace: 'demo', creationTimestamp: '2030-01-01T10:00:00Z' },
    spec: {
      pipelineRef: { name: 'web' }, run: 5, commit: COMMIT, branch: 'main', repositoryUrl: 'https://git.example/acme/web.git',
      trigger: { event: 'manual', user: 'dave' }, author: { name: 'Erin' }, title: 'Fix the build', ...extra,
    },
    status: {
      phase: 'Running', queuedTime: '2030-01-01T10:00:00Z', startTime: '2030-01-01T10:01:15Z',
      stages: [{ name: 'build', phase: 'Running', steps: [{ name: 'make', phase: 'Pending' }] }], ...status,
    },
  };
}

function given(exe: () => PipelineExecution) {
  server.use(
    http.get(`${BASE}/api/v1/events`, () => new HttpResponse(sseBody().stream, { headers: { 'Content-Type': 'text/event-stream' } })),
    http.get(`${BASE}/api/v1/projects`, () => HttpResponse.json({ kind: 'ProjectList', items: [{ name: 'demo', pipelines: 1, running: 1, queued: 0 }] })),
    http.get(`${BASE}/api/v1/namespaces/demo/pipelineexecutions/web-5`, () => HttpResponse.json(exe())),
  );
}

function renderRun() {
  const tokens = new TokenStore(undefined);
  tokens.set('alice');
  render(<App tokens={tokens} api={new ApiClient(tokens, undefined, BASE)} initialPath="/p/demo/pipelines/web/runs/web-5" />);
}

/** The header's facts as term → description text. */
function facts(): Record<string, string> {
  const dl = document.querySelector('dl')!;
  const out: Record<string, string> = {};
  for (const dt of Array.from(dl.querySelectorAll('dt'))) out[dt.textContent!] = (dt.nextElementSibling as HTMLElement).textContent!;
  return out;
}

describe('RunPage header', () => {
  it('shows the commit linked to the repository\'s commit page, trigger, actor, timing and queue wait', async () => {
    given(() => running());
    renderRun();
    const commit = await screen.findByRole('link', { name: 'Commit fe12ab34' });
    expect(commit.getAttribute('href')).toBe(`https://git.example/acme/web/commit/${COMMIT}`);
    expect(commit.getAttribute('rel')).toBe('noreferrer noopener');
    const f = facts();
    expect(f.Commit).toBe('fe12ab34 · Fix the build · by Erin');
    expect(f.Trigger).toBe('manual');
    expect(f.Actor).toBe('dave');
    expect(f['Queue wait']).toBe('1m 15s');
    expect(f.Finished).toBe('—');
    expect(f.Duration).toMatch(/so far$/);
    expect(f.Config).toBe('.devops.yml');
  });

  it('names the commit author as the actor of a push, and shows no commit link it cannot make', async () => {
    given(() => running({ trigger: { event: 'push' }, repositoryUrl: 'git@git.example:acme/web.git' }));
    renderRun();
    await screen.findByRole('heading', { name: 'web #5' });
    expect(facts().Actor).toBe('Erin (commit author)');
    expect(screen.queryByRole('link', { name: /^Commit / })).toBeNull();
  });
});

describe('RunPage stop', () => {
  it('stops with a reason from a dialog, then shows who stopped the run and why', async () => {
    let exe = running();
    let sent: unknown;
    given(() => exe);
    server.use(http.post(`${BASE}/api/v1/namespaces/demo/pipelineexecutions/web-5/stop`, async ({ request }) => {
      sent = await request.json();
      exe = running({ stop: true }, {
        conditions: [{ type: 'StopRequested', status: 'True', reason: 'StoppedByUser', message: 'stopped by "alice": wrong branch', lastTransitionTime: '2030-01-01T10:02:00Z' }],
      });
      return HttpResponse.json(exe);
    }));
    renderRun();
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Stop' }));
    const dialog = await screen.findByRole('dialog', { name: 'Stop web #5?' });
    const reason = within(dialog).getByRole('textbox', { name: 'Reason' });
    expect(reason.getAttribute('maxlength')).toBe('500');
    await user.type(reason, 'wrong branch');
    await user.click(within(dialog).getByRole('button', { name: 'Stop run' }));
    await waitFor(() => expect(sent).toEqual({ reason: 'wrong branch' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(await screen.findByText('Stop requested: the run is stopping.')).toBeTruthy();
    expect(facts()['Stopped by']).toBe('"alice": wrong branch');
    expect(screen.getAllByText(/wrong branch/)).toHaveLength(1);
    expect(screen.queryByRole('button', { name: 'Stop' })).toBeNull();
  });

  it('stops without a reason, and shows the problem when the run has already ended', async () => {
    let sent: unknown;
    given(() => running());
    server.use(http.post(`${BASE}/api/v1/namespaces/demo/pipelineexecutions/web-5/stop`, async ({ request }) => {
      sent = await request.json();
      return HttpResponse.json(
        { type: 'https://keelson.dev/problems/conflict', title: 'Conflict', status: 409, detail: 'execution demo/web-5 has already ended (Succeeded)', code: 'NotStoppable', instance: '/x' },
        { status: 409, headers: { 'Content-Type': 'application/problem+json' } },
      );
    }));
    renderRun();
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Stop' }));
    const dialog = await screen.findByRole('dialog');
    await user.click(within(dialog).getByRole('button', { name: 'Stop run' }));
    expect((await within(dialog).findByRole('alert')).textContent).toBe('Conflict: execution demo/web-5 has already ended (Succeeded)');
    expect(sent).toEqual({});
  });

  it('shows the final reason of a stopped run', async () => {
    given(() => running({ stop: true }, {
      phase: 'Aborted', completionTime: '2030-01-01T10:03:00Z', reason: 'stopped by "alice": wrong branch',
      conditions: [{ type: 'StopRequested', status: 'True', reason: 'StoppedByUser', message: 'stopped by "alice": wrong branch', lastTransitionTime: '2030-01-01T10:02:00Z' }],
    }));
    renderRun();
    expect(await screen.findByRole('button', { name: /Rerun/ })).toBeTruthy();
    expect(facts()['Stopped by']).toBe('"alice": wrong branch');
    // Said once: the final reason is the stop's, so no banner repeats it.
    expect(screen.getAllByText(/wrong branch/)).toHaveLength(1);
  });
});
