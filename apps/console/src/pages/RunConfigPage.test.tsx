// The run's pipeline file against msw: lines with #L links, errors and warnings above the text linking to their
// lines, tinted lines marked with an icon and a word, and the designed error states.
import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { App } from '../app';
import { ApiClient } from '../api/client';
import type { PipelineExecution } from '../api/types';
import { TokenStore } from '../auth/token-store';
import { paths } from '../routes-paths';
import { BASE, server, sseBody, useMsw } from '../test/msw';

useMsw();

const COMMIT = 'ab12cd34'.padEnd(40, '0');
const TEXT = 'stages:\n- name: build\n  steps:\n  - runScriptConfig: {imag: alpine, shellScript: make}\n  timeout: 5\n';

function run(extra: Partial<PipelineExecution['spec']> = {}, status: PipelineExecution['status'] = { phase: 'Failed', reason: '.devops.yml:4:5: stages[0].steps[0].runScriptConfig is missing the required key "image"' }): PipelineExecution {
  return { metadata: { name: 'web-3', namespace: 'demo' }, spec: { pipelineRef: { name: 'web' }, run: 3, commit: COMMIT, configPath: '.devops.yml', ...extra }, status };
}

function given(config: () => Response, exe = run()) {
  server.use(
    http.get(`${BASE}/api/v1/events`, () => new HttpResponse(sseBody().stream, { headers: { 'Content-Type': 'text/event-stream' } })),
    http.get(`${BASE}/api/v1/projects`, () => HttpResponse.json({ kind: 'ProjectList', items: [{ name: 'demo', pipelines: 1, running: 0, queued: 0 }] })),
    http.get(`${BASE}/api/v1/namespaces/demo/pipelineexecutions/web-3`, () => HttpResponse.json(exe)),
    http.get(`${BASE}/api/v1/namespaces/demo/pipelineexecutions/web-3/config`, config),
  );
}

function renderAt(path: string) {
  const tokens = new TokenStore(undefined);
  tokens.set('alice');
  render(<App tokens={tokens} api={new ApiClient(tokens, undefined, BASE)} initialPath={path} />);
}

const problem = (status: number, slug: string, title: string, detail: string, code: string) => HttpResponse.json(
  { type: `https://keelson.dev/problems/${slug}`, title, status, detail, code, instance: '/x' },
  { status, headers: { 'Content-Type': 'application/problem+json', ...(status === 502 && { 'Retry-After': '10' }) } },
);

describe('RunConfigPage', () => {
  it('is the run page\'s config path, linked from the run header', async () => {
    expect(paths.runConfig('demo', 'web', 'web-3')).toBe('/p/demo/pipelines/web/runs/web-3/config');
    given(() => HttpResponse.json({ path: '.devops.yml', commit: COMMIT, text: 'stages: []\n', warnings: [], errors: [] }), run({}, { phase: 'Succeeded' }));
    server.use(http.get(`${BASE}/api/v1/namespaces/demo/pipelineexecutions/web-3/logs/index`, () => HttpResponse.json({ every: 1000, lines: 0, size: 0, complete: true, offsets: [] })));
    renderAt('/p/demo/pipelines/web/runs/web-3');
    const link = await screen.findByRole('link', { name: 'Config' });
    expect(link.getAttribute('href')).toBe('/p/demo/pipelines/web/runs/web-3/config');
    await userEvent.setup().click(link);
    expect(await screen.findByText('No errors or warnings: the file compiles as it is.')).toBeTruthy();
  });

  it('numbers the lines as #L links and lists errors and warnings above the text, each linking to its tinted, marked line', async () => {
    given(() => HttpResponse.json({
      path: '.devops.yml', commit: COMMIT, text: TEXT,
      errors: [{ line: 4, column: 5, message: 'stages[0].steps[0].runScriptConfig is missing the required key "image"' }],
      warnings: [{ line: 5, column: 3, message: 'key "timeout" is ignored' }],
    }));
    renderAt('/p/demo/pipelines/web/runs/web-3/config');
    const problems = await screen.findByRole('region', { name: 'Problems' });
    expect(within(problems).getByRole('heading').textContent).toBe('1 error, 1 warning');
    const items = within(problems).getAllByRole('listitem');
    expect(items.map((li) => li.textContent)).toEqual([
      'Error line 4, column 5: stages[0].steps[0].runScriptConfig is missing the required key "image"',
      'Warning line 5, column 3: key "timeout" is ignored',
    ]);
    expect(within(items[0]).getByRole('link').getAttribute('href')).toBe('/p/demo/pipelines/web/runs/web-3/config#L4');
    // The run failed on its configuration: the page says so.
    expect(screen.getByText(/The run failed on its configuration/).textContent).toContain('missing the required key');
    const file = screen.getByRole('region', { name: '.devops.yml at ab12cd34' });
    expect(within(file).getAllByRole('link').map((a) => a.getAttribute('aria-label'))).toEqual(['Line 1', 'Line 2', 'Line 3', 'Line 4', 'Line 5']);
    expect(document.getElementById('L4')!.textContent).toContain('Error');
    expect(document.getElementById('L5')!.textContent).toContain('Warning');
    expect(document.getElementById('L3')!.textContent).toBe('3  steps:');
    // Following a problem's link selects its line.
    await userEvent.setup().click(within(items[1]).getByRole('link'));
    expect(document.getElementById('L5')!.getAttribute('aria-current')).toBe('location');
    expect(document.getElementById('L4')!.getAttribute('aria-current')).toBeNull();
  });

  it('opens with the line of #L12 selected', async () => {
    given(() => HttpResponse.json({ path: '.rancher-pipeline.yml', commit: COMMIT, text: 'a: 1\nb: 2\nc: 3\n', errors: [], warnings: [] }), run({ configPath: '.rancher-pipeline.yml' }, { phase: 'Succeeded' }));
    renderAt('/p/demo/pipelines/web/runs/web-3/config#L2');
    expect(await screen.findByRole('heading', { name: '.rancher-pipeline.yml' })).toBeTruthy();
    expect(document.getElementById('L2')!.getAttribute('aria-current')).toBe('location');
  });

  it('says the repository is unreachable (502)', async () => {
    given(() => problem(502, 'repository-unreachable', 'Repository unreachable', 'http://git.example/acme/web.git: could not connect', 'RepositoryUnreachable'));
    renderAt('/p/demo/pipelines/web/runs/web-3/config');
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Could not load the pipeline file: Repository unreachable');
    expect(alert.textContent).toContain('could not connect');
  });

  it('says the file is gone from the commit (404)', async () => {
    given(() => problem(404, 'not-found', 'Not found', '.devops.yml: not found at commit ab12 (the repository no longer has it)', 'ConfigNotFound'));
    renderAt('/p/demo/pipelines/web/runs/web-3/config');
    expect((await screen.findByRole('alert')).textContent).toContain('the repository no longer has it');
  });
});
