// The login page's OIDC sign-in against msw: the button only when the manager says OIDC is on, and the callback's
// fragment consumed once (token kept in session storage, the address bar cleared) or its error shown.
import { render, screen, waitFor } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../app';
import { ApiClient } from '../api/client';
import { TokenStore } from '../auth/token-store';
import { BASE, server, sseBody, useMsw } from '../test/msw';

useMsw();

afterEach(() => {
  sessionStorage.clear();
  window.history.replaceState(null, '', '/');
});

function renderAt(path: string) {
  const tokens = new TokenStore(sessionStorage);
  render(<App tokens={tokens} api={new ApiClient(tokens, undefined, BASE)} initialPath={path} />);
  return tokens;
}

const oidcOn = () => server.use(http.get(`${BASE}/api/v1/auth/config`, () => HttpResponse.json({ oidc: { enabled: true, issuer: 'https://dex.example.com/dex' } })));

function signedInApi(goodToken: string) {
  server.use(
    http.get(`${BASE}/api/v1/events`, () => new HttpResponse(sseBody().stream, { headers: { 'Content-Type': 'text/event-stream' } })),
    http.get(`${BASE}/api/v1/projects`, ({ request }) => (request.headers.get('authorization') === `Bearer ${goodToken}`
      ? HttpResponse.json({ kind: 'ProjectList', items: [{ name: 'demo', pipelines: 0, running: 0, queued: 0 }] })
      : HttpResponse.json({ title: 'Unauthenticated', status: 401, detail: 'token expired', type: 'x' }, { status: 401, headers: { 'Content-Type': 'application/problem+json' } }))),
    http.get(`${BASE}/api/v1/namespaces/demo/pipelines`, () => HttpResponse.json({ kind: 'PipelineList', metadata: {}, items: [] })),
    // The home page's lists.
    http.get(`${BASE}/api/v1/pipelines`, () => HttpResponse.json({ kind: 'PipelineList', metadata: {}, items: [] })),
    http.get(`${BASE}/api/v1/pipelineexecutions`, () => HttpResponse.json({ kind: 'PipelineExecutionList', metadata: {}, items: [] })),
  );
}

describe('LoginPage with OIDC', () => {
  it('offers "Sign in with <issuer host>", a link to the manager\'s OIDC route that keeps where to go next', async () => {
    oidcOn();
    renderAt('/login?next=%2Fp%2Fdemo%2Fpipelines');
    const link = await screen.findByRole('link', { name: 'Sign in with dex.example.com' });
    expect(link.getAttribute('href')).toBe(`${BASE}/api/v1/auth/oidc/login?next=%2Fp%2Fdemo%2Fpipelines`);
    expect(screen.getByLabelText('Bearer token')).toBeTruthy();
  });

  it('shows no OIDC button when the manager has none configured', async () => {
    let asked = false;
    server.use(http.get(`${BASE}/api/v1/auth/config`, () => {
      asked = true;
      return HttpResponse.json({ oidc: { enabled: false } });
    }));
    renderAt('/login');
    await waitFor(() => expect(asked).toBe(true));
    expect(await screen.findByLabelText('Bearer token')).toBeTruthy();
    expect(screen.queryByRole('link', { name: /Sign in with/ })).toBeNull();
  });

  it('keeps the ID token of the fragment like a typed token, clears the fragment, and opens next', async () => {
    signedInApi('the-id-token');
    window.history.replaceState(null, '', '/login#id_token=the-id-token&next=%2Fp%2Fdemo%2Fpipelines');
    const tokens = renderAt('/login#id_token=the-id-token&next=%2Fp%2Fdemo%2Fpipelines');
    expect(await screen.findByRole('heading', { name: 'Pipelines' })).toBeTruthy();
    expect(tokens.get()).toBe('the-id-token');
    expect(sessionStorage.getItem('keelson.token')).toBe('the-id-token');
    expect(document.cookie).not.toContain('the-id-token');
    expect(window.location.hash).toBe('');
    expect(window.location.href).not.toContain('the-id-token');
  });

  it('refuses an ID token the API does not accept (expired), keeping nothing, and says why', async () => {
    signedInApi('another-token');
    window.history.replaceState(null, '', '/login#id_token=expired-token&next=%2F');
    const tokens = renderAt('/login#id_token=expired-token&next=%2F');
    expect((await screen.findByRole('alert')).textContent).toBe('Unauthenticated: token expired');
    expect(tokens.get()).toBeUndefined();
    expect(window.location.hash).toBe('');
  });

  it('never follows a next that names another host', async () => {
    signedInApi('tok');
    const tokens = renderAt('/login#id_token=tok&next=%2F%2Fevil.example%2Fx');
    await waitFor(() => expect(tokens.get()).toBe('tok'));
    expect(await screen.findByRole('heading', { name: 'Projects' })).toBeTruthy();
  });

  it('shows the sign-in error of the fragment with its code, and clears it', async () => {
    window.history.replaceState(null, '', '/login#error=OidcInvalidIdToken&error_description=ID+token%3A+refused%2C+nonce+is+not+the+one');
    renderAt('/login#error=OidcInvalidIdToken&error_description=ID+token%3A+refused%2C+nonce+is+not+the+one');
    expect((await screen.findByRole('alert')).textContent).toBe('Single sign-on failed (OidcInvalidIdToken): ID token: refused, nonce is not the one');
    expect(window.location.hash).toBe('');
  });
});
