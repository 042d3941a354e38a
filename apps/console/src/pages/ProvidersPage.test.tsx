// Providers and connections: rows, empty and error states, connect to the authorize URL, the callback's banner,
// refresh and disconnect.
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { browserLocation } from '../components/browser-location';
import { server, useMsw } from '../test/msw';
import { NS, renderAt, serveShell } from '../test/render-app';

useMsw();
afterEach(() => vi.restoreAllMocks());

const provider = (name: string, extra: Record<string, unknown> = {}) => ({
  metadata: { name, namespace: 'demo' }, spec: { type: 'github', clientId: 'abc', enabled: true, ...extra },
  status: { conditions: [{ type: 'Ready', status: 'True', reason: 'Checked', message: '', lastTransitionTime: '2026-01-01T00:00:00Z' }] },
});
const credential = (name: string) => ({
  metadata: { name, namespace: 'demo' },
  spec: { providerRef: { name: 'github' }, userName: 'alice', loginName: 'alice-gh', tokenSecretRef: { name: `${name}-token`, key: 'accessToken' } },
  status: { repositoryCount: 12, lastRefreshTime: new Date().toISOString(), conditions: [{ type: 'Ready', status: 'True', reason: 'Listed', message: '', lastTransitionTime: '2026-01-01T00:00:00Z' }] },
});
const list = (kind: string, items: unknown[]) => HttpResponse.json({ kind, metadata: {}, items });

function serve(providers: unknown[], credentials: unknown[]) {
  serveShell();
  server.use(
    http.get(`${NS}/sourcecodeproviders`, () => list('SourceCodeProviderList', providers)),
    http.get(`${NS}/sourcecodecredentials`, () => list('SourceCodeCredentialList', credentials)),
  );
}

describe('ProvidersPage', () => {
  it('lists providers and connections without any secret', async () => {
    serve([provider('github'), provider('gitlab-corp', { type: 'gitlab', serverUrl: 'https://git.corp.example' })], [credential('alice-github')]);
    renderAt('/p/demo/settings/providers');
    const row = (await screen.findByRole('cell', { name: 'gitlab-corp' })).closest('tr')!;
    expect(within(row).getByText('GitLab')).toBeTruthy();
    expect(within(row).getByText('https://git.corp.example')).toBeTruthy();
    expect(within(row).getByText('Ready')).toBeTruthy();
    const cred = (await screen.findByRole('cell', { name: 'alice-github' })).closest('tr')!;
    expect(within(cred).getByText('alice-gh')).toBeTruthy();
    expect(within(cred).getByText('12')).toBeTruthy();
    expect(document.body.textContent).not.toContain('alice-github-token');
  });

  it('shows designed empty states', async () => {
    serve([], []);
    renderAt('/p/demo/settings/providers');
    expect(await screen.findByText('No git provider is configured')).toBeTruthy();
    expect(await screen.findByText('No connection yet')).toBeTruthy();
  });

  it('shows the problem when the list fails', async () => {
    serveShell();
    server.use(
      http.get(`${NS}/sourcecodeproviders`, () => HttpResponse.json({ type: 'about:blank', title: 'Forbidden', status: 403, detail: 'alice may not list sourcecodeproviders in demo' }, { status: 403, headers: { 'Content-Type': 'application/problem+json' } })),
      http.get(`${NS}/sourcecodecredentials`, () => list('SourceCodeCredentialList', [])),
    );
    renderAt('/p/demo/settings/providers');
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Could not load providers: Forbidden');
    expect(alert.textContent).toContain('alice may not list sourcecodeproviders in demo');
  });

  it('connect asks the authorize route with the bearer token for JSON and sends the browser to its URL', async () => {
    serve([provider('github')], []);
    let asked: { auth: string | null; accept: string | null } | undefined;
    server.use(http.get(`${NS}/sourcecodeproviders/github/authorize`, ({ request }) => {
      asked = { auth: request.headers.get('authorization'), accept: request.headers.get('accept') };
      return HttpResponse.json({ authorizeUrl: 'https://github.com/login/oauth/authorize?client_id=abc&state=signed' });
    }));
    const assign = vi.spyOn(browserLocation, 'assign').mockImplementation(() => {});
    renderAt('/p/demo/settings/providers');
    await userEvent.setup().click(await screen.findByRole('button', { name: 'Connect to github' }));
    await waitFor(() => expect(assign).toHaveBeenCalledWith('https://github.com/login/oauth/authorize?client_id=abc&state=signed'));
    expect(asked).toEqual({ auth: 'Bearer alice', accept: 'application/json' });
  });

  it('says why connect failed', async () => {
    serve([provider('github')], []);
    server.use(http.get(`${NS}/sourcecodeproviders/github/authorize`, () => HttpResponse.json(
      { type: 'about:blank', title: 'Conflict', status: 409, detail: 'SourceCodeProvider demo/github has no OAuth client' }, { status: 409, headers: { 'Content-Type': 'application/problem+json' } })));
    const assign = vi.spyOn(browserLocation, 'assign').mockImplementation(() => {});
    renderAt('/p/demo/settings/providers');
    await userEvent.setup().click(await screen.findByRole('button', { name: 'Connect to github' }));
    expect((await screen.findByRole('alert')).textContent).toContain('has no OAuth client');
    expect(assign).not.toHaveBeenCalled();
  });

  it('shows "Connected as" for the credential the OAuth callback names, and dismisses it', async () => {
    serve([provider('github')], [credential('alice-github')]);
    renderAt('/p/demo/settings/providers?credential=alice-github');
    const banner = await screen.findByText('Connected as alice-github');
    await waitFor(() => expect(banner.closest('[role=status]')!.textContent).toContain('alice-gh at github'));
    expect(banner.closest('[role=status]')!.textContent).toContain('12 repositories listed');
    expect(screen.getByRole('link', { name: 'enable one' }).getAttribute('href')).toBe('/p/demo/repositories');
    await userEvent.setup().click(screen.getByRole('button', { name: 'Dismiss' }));
    expect(screen.queryByText('Connected as alice-github')).toBeNull();
  });

  it('polls a just-connected credential until its first listing is done', async () => {
    const fresh = credential('alice-github');
    delete (fresh.status as Partial<typeof fresh.status>).lastRefreshTime;
    let calls = 0;
    serve([provider('github')], []);
    server.use(http.get(`${NS}/sourcecodecredentials`, () => {
      calls++;
      return list('SourceCodeCredentialList', [calls < 2 ? fresh : credential('alice-github')]);
    }));
    renderAt('/p/demo/settings/providers?credential=alice-github');
    expect(await screen.findByText(/Its repositories are being listed/)).toBeTruthy();
    expect(await screen.findByText(/12 repositories listed/, {}, { timeout: 10_000 })).toBeTruthy();
    expect(calls).toBe(2);
  });

  it('asks for a new listing of repositories', async () => {
    serve([provider('github')], [credential('alice-github')]);
    let refreshed = 0;
    server.use(http.post(`${NS}/sourcecodecredentials/alice-github/refresh`, () => {
      refreshed++;
      return HttpResponse.json({ namespace: 'demo', name: 'alice-github', requested: '2026-12-03T10:00:00.000Z' }, { status: 202 });
    }));
    renderAt('/p/demo/settings/providers');
    await userEvent.setup().click(await screen.findByRole('button', { name: 'Refresh repositories of alice-github' }));
    expect(await screen.findByText(/Refresh asked at/)).toBeTruthy();
    expect(refreshed).toBe(1);
  });

  it('disconnects only after the confirm dialog', async () => {
    let credentials = [credential('alice-github')];
    serve([provider('github')], []);
    let deleted = 0;
    server.use(
      http.get(`${NS}/sourcecodecredentials`, () => list('SourceCodeCredentialList', credentials)),
      http.delete(`${NS}/sourcecodecredentials/alice-github`, () => {
        deleted++;
        credentials = [];
        return HttpResponse.json({ kind: 'Status', status: 'Success' });
      }),
    );
    renderAt('/p/demo/settings/providers');
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Disconnect alice-github' }));
    let dialog = await screen.findByRole('alertdialog');
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(screen.queryByRole('alertdialog')).toBeNull());
    expect(deleted).toBe(0);
    await user.click(screen.getByRole('button', { name: 'Disconnect alice-github' }));
    dialog = await screen.findByRole('alertdialog');
    await user.click(within(dialog).getByRole('button', { name: 'Disconnect' }));
    expect(await screen.findByText('No connection yet')).toBeTruthy();
    expect(deleted).toBe(1);
  });
});
