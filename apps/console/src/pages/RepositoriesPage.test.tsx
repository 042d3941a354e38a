// Repositories: rows with provider, URL, pipeline state and webhook health; enable (POST a Pipeline for the
// repository, or lift a suspend) and disable (merge patch, after a confirm dialog); empty and error states.
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { server, useMsw } from '../test/msw';
import { NS, renderAt, serveShell } from '../test/render-app';

useMsw();

const cond = (type: string, status: string, reason: string, message = '') => ({ type, status, reason, message, lastTransitionTime: '2026-01-01T00:00:00Z' });
const repo = (name: string, fullName: string) => ({
  metadata: { name, namespace: 'demo', labels: { 'keelson.dev/credential': 'alice-github' } },
  spec: { credentialRef: { name: 'alice-github' }, fullName, url: `https://github.com/${fullName}.git`, htmlUrl: `https://github.com/${fullName}`, defaultBranch: 'main' },
});
const pipeline = (name: string, repository: string, suspend: boolean, conditions: unknown[] = []) => ({
  metadata: { name, namespace: 'demo', labels: { 'keelson.dev/repository': repository } },
  spec: { repositoryUrl: 'https://github.com/acme/unrelated.git', suspend }, status: { conditions },
});
const list = (kind: string, items: unknown[], metadata: Record<string, unknown> = {}) => HttpResponse.json({ kind, metadata, items });

function serve(repos: unknown[], pipelines: () => unknown[]) {
  serveShell();
  server.use(
    http.get(`${NS}/sourcecoderepositories`, () => list('SourceCodeRepositoryList', repos)),
    http.get(`${NS}/pipelines`, () => list('PipelineList', pipelines())),
    http.get(`${NS}/sourcecodecredentials`, () => list('SourceCodeCredentialList', [{
      metadata: { name: 'alice-github' }, spec: { providerRef: { name: 'github-com' }, userName: 'alice', loginName: 'alice-gh' },
    }])),
  );
}

const rowOf = async (name: string) => (await screen.findByRole('link', { name })).closest('tr')!;

describe('RepositoriesPage', () => {
  it('shows each repository with its provider, URL, pipeline state and webhook health', async () => {
    serve(
      [repo('acme-web', 'acme/web'), repo('acme-api', 'acme/api'), repo('acme-docs', 'acme/docs')],
      () => [
        pipeline('acme-web', 'acme-web', false, [cond('WebhookRegistered', 'True', 'Registered')]),
        pipeline('acme-api', 'acme-api', true, [cond('WebhookRegistered', 'False', 'ProviderError', 'github answered 404 for /repos/acme/api/hooks')]),
      ],
    );
    renderAt('/p/demo/repositories');
    const web = await rowOf('acme/web');
    expect(within(web).getByText('github-com')).toBeTruthy();
    expect(within(web).getByText('https://github.com/acme/web.git')).toBeTruthy();
    expect(within(web).getByText('Enabled')).toBeTruthy();
    expect(within(web).getByText('Registered')).toBeTruthy();
    expect(within(web).getByRole('link', { name: 'acme-web' }).getAttribute('href')).toBe('/p/demo/pipelines/acme-web');
    const api = await rowOf('acme/api');
    expect(within(api).getByText('Disabled')).toBeTruthy();
    expect(within(api).getByText('Failing')).toBeTruthy();
    expect(within(api).getByText('github answered 404 for /repos/acme/api/hooks')).toBeTruthy();
    const docs = await rowOf('acme/docs');
    expect(within(docs).getByText('Not built')).toBeTruthy();
  });

  it('enable creates a Pipeline for a repository that has none', async () => {
    const pipelines: Array<ReturnType<typeof pipeline>> = [];
    serve([repo('acme-docs', 'acme/docs')], () => pipelines);
    let body: unknown;
    server.use(http.post(`${NS}/pipelines`, async ({ request }) => {
      body = await request.json();
      pipelines.push(pipeline('acme-docs', 'acme-docs', false));
      return HttpResponse.json(pipelines[0], { status: 201 });
    }));
    renderAt('/p/demo/repositories');
    await userEvent.setup().click(await screen.findByRole('button', { name: 'Enable acme/docs' }));
    await waitFor(async () => expect(within(await rowOf('acme/docs')).getByText('Enabled')).toBeTruthy());
    expect(body).toEqual({ repository: 'acme-docs' });
  });

  it('enable lifts the suspend of an existing Pipeline, disable sets it after confirming', async () => {
    let suspend = true;
    serve([repo('acme-api', 'acme/api')], () => [pipeline('acme-api', 'acme-api', suspend)]);
    const patches: Array<{ type: string | null; body: unknown }> = [];
    server.use(http.patch(`${NS}/pipelines/acme-api`, async ({ request }) => {
      const body = (await request.json()) as { spec: { suspend: boolean } };
      patches.push({ type: request.headers.get('content-type'), body });
      suspend = body.spec.suspend;
      return HttpResponse.json(pipeline('acme-api', 'acme-api', suspend));
    }));
    renderAt('/p/demo/repositories');
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Enable acme/api' }));
    await user.click(await screen.findByRole('button', { name: 'Disable acme/api' }));
    expect(patches).toEqual([{ type: 'application/merge-patch+json', body: { spec: { suspend: false } } }]);
    const dialog = await screen.findByRole('alertdialog');
    expect(dialog.textContent).toContain('Suspends pipeline acme-api');
    await user.click(within(dialog).getByRole('button', { name: 'Disable' }));
    await screen.findByRole('button', { name: 'Enable acme/api' });
    expect(patches[1]).toEqual({ type: 'application/merge-patch+json', body: { spec: { suspend: true } } });
  });

  it('pages repositories with the continue cursor', async () => {
    serve([], () => []);
    const cursors: Array<string | null> = [];
    server.use(http.get(`${NS}/sourcecoderepositories`, ({ request }) => {
      const cursor = new URL(request.url).searchParams.get('continue');
      cursors.push(cursor);
      return cursor === 'next'
        ? list('SourceCodeRepositoryList', [repo('acme-old', 'acme/old')])
        : list('SourceCodeRepositoryList', [repo('acme-web', 'acme/web')], { continue: 'next' });
    }));
    renderAt('/p/demo/repositories');
    await rowOf('acme/web');
    await userEvent.setup().click(screen.getByRole('button', { name: 'More repositories' }));
    await rowOf('acme/old');
    expect(cursors).toEqual([null, 'next']);
    expect(screen.queryByRole('button', { name: 'More repositories' })).toBeNull();
  });

  it('keeps an enable error on its row', async () => {
    serve([repo('acme-docs', 'acme/docs')], () => []);
    server.use(http.post(`${NS}/pipelines`, () => HttpResponse.json({
      type: 'about:blank', title: 'Forbidden', status: 403, detail: 'repository: acme-docs was listed with another user\'s SourceCodeCredential',
    }, { status: 403, headers: { 'Content-Type': 'application/problem+json' } })));
    renderAt('/p/demo/repositories');
    await userEvent.setup().click(await screen.findByRole('button', { name: 'Enable acme/docs' }));
    expect((await screen.findByRole('alert')).textContent).toContain('listed with another user');
  });

  it('says how repositories get listed when there is none', async () => {
    serve([], () => []);
    renderAt('/p/demo/repositories');
    expect(await screen.findByText('No repository listed yet')).toBeTruthy();
  });

  it('shows the problem when repositories cannot be listed', async () => {
    serve([], () => []);
    server.use(http.get(`${NS}/sourcecoderepositories`, () => HttpResponse.json(
      { type: 'about:blank', title: 'Service Unavailable', status: 503, detail: 'the apiserver did not answer' }, { status: 503, headers: { 'Content-Type': 'application/problem+json' } })));
    renderAt('/p/demo/repositories');
    expect((await screen.findByRole('alert', {}, { timeout: 15_000 })).textContent).toContain('Could not load repositories: Service Unavailable');
  });
});
