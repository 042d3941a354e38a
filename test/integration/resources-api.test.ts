// The resource API (issue 12 §1) on a real kube-apiserver: every route with a user who may (alice, by RoleBinding)
// and one who may not (bob, a ServiceAccount with no rights: 403 problem+json); paging across pages; filters; the
// ETag contract (a stale PUT is 409); no secret in any answer; a list across namespaces that names what it left out;
// and the write rules that keep the manager's identity from doing what the caller could not.
import { Core, Keelson } from '@keelson/kube';
import { ALL_RESOURCES, API_VERSION, ResourceApiStack } from '../support/resource-api-stack';

let stack: ResourceApiStack;
const ALL_VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];
const PROBLEM = /^application\/problem\+json/;

beforeAll(async () => {
  stack = await ResourceApiStack.start(['demo', 'other', 'third']);
  await stack.grantAlice('demo', 'everything', ALL_RESOURCES, ALL_VERBS);
  await stack.grantAlice('third', 'pipelines-reader', ['pipelines'], ['get', 'list']);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

const demo = (path: string) => `/namespaces/demo${path}`;

describe('each route, for a user who may and one who may not', () => {
  it.each(ALL_RESOURCES)('lists %s for alice (200) and refuses bob (403 problem+json naming the verb)', async (resource) => {
    const ok = await stack.call('GET', demo(`/${resource}`), { token: stack.alice });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ apiVersion: API_VERSION, kind: expect.stringMatching(/List$/), items: expect.any(Array) });
    const no = await stack.call('GET', demo(`/${resource}`), { token: stack.bobToken });
    expect(no.status).toBe(403);
    expect(no.headers.get('content-type')).toMatch(PROBLEM);
    expect(no.body).toMatchObject({ type: 'https://keelson.dev/problems/forbidden', status: 403, verb: 'list', resource, namespace: 'demo' });
  });

  it('creates, reads, replaces, patches and deletes a Pipeline for alice, and refuses bob each of them', async () => {
    const body = stack.pipelineObject('demo', 'crud');
    expect((await stack.call('POST', demo('/pipelines'), { token: stack.bobToken, body })).status).toBe(403);
    const made = await stack.call('POST', demo('/pipelines'), { token: stack.alice, body });
    expect(made.status).toBe(201);
    expect(made.headers.get('location')).toBe('/api/v1/namespaces/demo/pipelines/crud');
    expect(made.headers.get('etag')).toBe(`"${made.body.metadata.resourceVersion}"`);

    expect((await stack.call('GET', demo('/pipelines/crud'), { token: stack.bobToken })).status).toBe(403);
    const read = await stack.call('GET', demo('/pipelines/crud'), { token: stack.alice });
    expect(read.status).toBe(200);
    expect(read.body.spec.repositoryUrl).toBe('https://git.example.com/acme/crud.git');
    const same = await stack.call('GET', demo('/pipelines/crud'), { token: stack.alice, headers: { 'if-none-match': read.headers.get('etag')! } });
    expect(same.status).toBe(304);

    const edited = { ...read.body, spec: { ...read.body.spec, displayName: 'acme/crud' } };
    expect((await stack.call('PUT', demo('/pipelines/crud'), { token: stack.bobToken, body: edited })).status).toBe(403);
    const replaced = await stack.call('PUT', demo('/pipelines/crud'), { token: stack.alice, body: edited });
    expect(replaced.status).toBe(200);
    expect(replaced.body.spec.displayName).toBe('acme/crud');

    const merge = { spec: { suspend: true } };
    expect((await stack.call('PATCH', demo('/pipelines/crud'), { token: stack.bobToken, body: merge, contentType: 'application/merge-patch+json' })).status).toBe(403);
    const merged = await stack.call('PATCH', demo('/pipelines/crud'), { token: stack.alice, body: merge, contentType: 'application/merge-patch+json' });
    expect([merged.status, merged.body.spec.suspend]).toEqual([200, true]);
    const ops = [{ op: 'test', path: '/spec/suspend', value: true }, { op: 'replace', path: '/spec/configPath', value: 'ci/pipeline.yml' }];
    const patched = await stack.call('PATCH', demo('/pipelines/crud'), { token: stack.alice, body: ops, contentType: 'application/json-patch+json' });
    expect([patched.status, patched.body.spec.configPath]).toEqual([200, 'ci/pipeline.yml']);

    expect((await stack.call('DELETE', demo('/pipelines/crud'), { token: stack.bobToken })).status).toBe(403);
    expect((await stack.call('DELETE', demo('/pipelines/crud'), { token: stack.alice })).status).toBe(200);
    expect((await stack.call('GET', demo('/pipelines/crud'), { token: stack.alice })).status).toBe(404);
  });

  it('answers 404 for a kind it does not serve, whoever asks, before any authorisation', async () => {
    for (const token of [stack.alice, stack.bobToken]) {
      const res = await stack.call('GET', demo('/widgets'), { token });
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toMatch(PROBLEM);
    }
    expect((await stack.call('GET', '/widgets', { token: stack.bobToken })).status).toBe(404);
  });

  it('answers 401 without a token', async () => {
    const res = await fetch(`${stack.manager.url}/api/v1/namespaces/demo/pipelines`);
    expect(res.status).toBe(401);
  });

  it('refuses a name or namespace that is not one (400), never passing it to the apiserver\'s URL', async () => {
    expect((await stack.call('GET', demo('/pipelines/a%2F..%2Fb'))).status).toBe(400);
    expect((await stack.call('GET', '/namespaces/..%2Fpipelines/pipelines')).status).toBe(400);
  });
});

describe('paging', () => {
  beforeAll(async () => {
    for (let i = 1; i <= 7; i++) await stack.createPipeline('other', `page-${i}`, { tier: i % 2 ? 'odd' : 'even' });
  });

  it('walks 7 Pipelines in 3 pages of at most 3 through the apiserver\'s limit and continue', async () => {
    const names: string[] = [];
    const sizes: number[] = [];
    let cont: string | undefined;
    do {
      const res = await stack.call('GET', `/namespaces/other/pipelines?limit=3${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`);
      expect(res.status).toBe(200);
      sizes.push(res.body.items.length);
      names.push(...res.body.items.map((p: any) => p.metadata.name));
      cont = res.body.metadata.continue;
    } while (cont);
    expect(sizes).toEqual([3, 3, 1]);
    expect(names.sort()).toEqual(['page-1', 'page-2', 'page-3', 'page-4', 'page-5', 'page-6', 'page-7']);
  });

  it('filters by label selector', async () => {
    const res = await stack.call('GET', '/namespaces/other/pipelines?labelSelector=tier%3Deven');
    expect(res.body.items.map((p: any) => p.metadata.name).sort()).toEqual(['page-2', 'page-4', 'page-6']);
    const bad = await stack.call('GET', '/namespaces/other/pipelines?labelSelector=tier%20in%20(a&limit=0&phase=Running');
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: any) => e.pointer).sort()).toEqual(['/query/labelSelector', '/query/limit', '/query/phase']);
  });

  it('refuses a continue token it did not make', async () => {
    const res = await stack.call('GET', '/namespaces/other/pipelines?continue=bm90LWEtdG9rZW4');
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ pointer: '/query/continue', detail: expect.any(String) }]);
  });
});

describe('executions, newest first, with filters', () => {
  beforeAll(async () => {
    // web-1 … web-6 on main and release, api-1 … api-3; phases spread over Succeeded, Failed and Running.
    const phases = ['Succeeded', 'Failed', 'Running'];
    for (let run = 1; run <= 6; run++) {
      await stack.createExecution('demo', 'web', run, { branch: run % 2 ? 'main' : 'release', phase: phases[run % 3], event: run === 6 ? 'manual' : 'push' });
    }
    for (let run = 1; run <= 3; run++) await stack.createExecution('demo', 'api', run, { phase: 'Queued' });
  });

  async function walk(query: string): Promise<{ names: string[]; pages: number }> {
    const names: string[] = [];
    let pages = 0;
    let cont: string | undefined;
    do {
      const res = await stack.call('GET', demo(`/pipelineexecutions?${query}${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`), { token: stack.alice });
      expect(res.status).toBe(200);
      pages++;
      names.push(...res.body.items.map((e: any) => e.metadata.name));
      cont = res.body.metadata.continue;
    } while (cont);
    return { names, pages };
  }

  it('lists a pipeline\'s runs newest first across 3 pages', async () => {
    expect(await walk('pipeline=web&limit=2')).toEqual({ names: ['web-6', 'web-5', 'web-4', 'web-3', 'web-2', 'web-1'], pages: 3 });
  });

  it('filters by phase, branch, trigger event and time', async () => {
    expect((await walk('pipeline=web&phase=Failed,Running')).names).toEqual(['web-5', 'web-4', 'web-2', 'web-1']);
    expect((await walk('pipeline=web&branch=release')).names).toEqual(['web-6', 'web-4', 'web-2']);
    expect((await walk('event=manual')).names).toEqual(['web-6']);
    expect((await walk('phase=Queued&limit=1')).names).toEqual(['api-3', 'api-2', 'api-1']);
    expect((await walk('until=2000-01-01T00:00:00Z')).names).toEqual([]);
    expect((await walk('since=2000-01-01T00:00:00Z&pipeline=api')).names).toEqual(['api-3', 'api-2', 'api-1']);
  });

  it('gives each Pipeline in a list its last execution', async () => {
    await stack.createPipeline('demo', 'web');
    const res = await stack.call('GET', demo('/pipelines?limit=50'), { token: stack.alice });
    const web = res.body.items.find((p: any) => p.metadata.name === 'web');
    expect(web.summary.lastExecution).toMatchObject({ name: 'web-6', run: 6, phase: 'Succeeded', branch: 'release', title: 'commit 6' });
  });

  it('serves the same filters through the apiserver when its cache does not cover the namespace, page by page', async () => {
    // A manager that watches another namespace has no cache of demo: it pages through the apiserver and filters each page.
    const elsewhere = await stack.startManager({ WATCH_NAMESPACE: 'third' });
    const names: string[] = [];
    let cont: string | undefined;
    let pages = 0;
    do {
      const res = await stack.call('GET', demo(`/pipelineexecutions?phase=Queued&limit=2${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`), {}, elsewhere);
      expect(res.status).toBe(200);
      names.push(...res.body.items.map((e: any) => e.metadata.name));
      cont = res.body.metadata.continue;
      pages++;
    } while (cont);
    expect(names.sort()).toEqual(['api-1', 'api-2', 'api-3']);
    expect(pages).toBeGreaterThanOrEqual(2);
    await elsewhere.close();
    stack.managers.splice(stack.managers.indexOf(elsewhere), 1);
  });
});

describe('resourceVersion as ETag', () => {
  it('answers a PUT with a stale resourceVersion 409 stale-version, with the current version', async () => {
    await stack.createPipeline('demo', 'etag');
    const first = await stack.call('GET', demo('/pipelines/etag'), { token: stack.alice });
    const moved = await stack.call('PATCH', demo('/pipelines/etag'), { token: stack.alice, body: { spec: { suspend: true } }, contentType: 'application/merge-patch+json' });
    const res = await stack.call('PUT', demo('/pipelines/etag'), { token: stack.alice, body: { ...first.body, spec: { ...first.body.spec, displayName: 'late' } } });
    expect(res.status).toBe(409);
    expect(res.headers.get('content-type')).toMatch(PROBLEM);
    expect(res.body).toMatchObject({ type: 'https://keelson.dev/problems/stale-version', currentResourceVersion: moved.body.metadata.resourceVersion });
    expect(res.headers.get('etag')).toBe(`"${moved.body.metadata.resourceVersion}"`);
    expect((await stack.admin.resource(Keelson.Pipeline).get('demo', 'etag')).spec.displayName).toBeUndefined();
  });

  it('honours If-Match on PATCH and DELETE', async () => {
    const current = await stack.call('GET', demo('/pipelines/etag'), { token: stack.alice });
    const stale = await stack.call('PATCH', demo('/pipelines/etag'), {
      token: stack.alice, body: { spec: { suspend: false } }, contentType: 'application/merge-patch+json', headers: { 'if-match': '"1"' },
    });
    expect(stale.status).toBe(409);
    expect((await stack.call('DELETE', demo('/pipelines/etag'), { token: stack.alice, headers: { 'if-match': '"1"' } })).status).toBe(409);
    const ok = await stack.call('PATCH', demo('/pipelines/etag'), {
      token: stack.alice, body: { spec: { suspend: false } }, contentType: 'application/merge-patch+json', headers: { 'if-match': current.headers.get('etag')! },
    });
    expect(ok.status).toBe(200);
  });

  it('wants a version on PUT (428) and PATCH content types it knows (415)', async () => {
    const current = await stack.call('GET', demo('/pipelines/etag'), { token: stack.alice });
    const { resourceVersion: _rv, ...metadata } = current.body.metadata;
    expect((await stack.call('PUT', demo('/pipelines/etag'), { token: stack.alice, body: { ...current.body, metadata } })).status).toBe(428);
    expect((await stack.call('PATCH', demo('/pipelines/etag'), { token: stack.alice, body: { spec: {} } })).status).toBe(415);
  });
});

describe('the manager\'s identity widens nothing', () => {
  const merge = (body: unknown) => ({ token: stack.alice, body, contentType: 'application/merge-patch+json' });

  it('refuses to create an execution and points to the run route', async () => {
    const res = await stack.call('POST', demo('/pipelineexecutions'), {
      token: stack.alice, body: { metadata: { name: 'mine' }, spec: { pipelineRef: { name: 'web' }, branch: 'main', config: { stages: [] } } },
    });
    expect(res.status).toBe(405);
    expect(res.body.detail).toContain('/pipelines/{pipeline}/run');
    expect(await stack.admin.resource(Keelson.PipelineExecution).find('demo', 'mine')).toBeUndefined();
  });

  it('lets an execution be stopped, and nothing else of its spec or status change', async () => {
    const name = 'web-3';
    const before = await stack.admin.resource(Keelson.PipelineExecution).get('demo', name);
    const refusals = await Promise.all([
      stack.call('PATCH', demo(`/pipelineexecutions/${name}`), merge({ spec: { branch: 'evil', config: { stages: [] } } })),
      stack.call('PATCH', demo(`/pipelineexecutions/${name}`), merge({ status: { phase: 'Failed' } })),
      stack.call('PATCH', demo(`/pipelineexecutions/${name}`), merge({ metadata: { finalizers: null } })),
      stack.call('PATCH', demo(`/pipelineexecutions/${name}`), merge({ metadata: { annotations: { 'keelson.dev/webhook-proof': 'forged' } } })),
      stack.call('PATCH', demo(`/pipelineexecutions/${name}`), {
        token: stack.alice, contentType: 'application/json-patch+json', body: [{ op: 'replace', path: '/spec/repositoryUrl', value: 'https://evil.example.com/x.git' }],
      }),
    ]);
    expect(refusals.map((r) => r.status)).toEqual([422, 422, 422, 422, 422]);
    expect(refusals.map((r) => r.body.errors.map((e: any) => e.pointer))).toEqual([
      ['/spec/branch', '/spec/config'], ['/status'], ['/metadata/finalizers'], ['/metadata/annotations/keelson.dev~1webhook-proof'], ['/spec/repositoryUrl'],
    ]);
    const after = await stack.admin.resource(Keelson.PipelineExecution).get('demo', name);
    expect(after.metadata.resourceVersion).toBe(before.metadata.resourceVersion);

    const stopped = await stack.call('PATCH', demo(`/pipelineexecutions/${name}`), merge({ spec: { stop: true }, metadata: { labels: { note: 'by-api' } } }));
    expect(stopped.status).toBe(200);
    expect(stopped.body).toMatchObject({ spec: { stop: true }, metadata: { labels: { note: 'by-api' } } });
    expect((await stack.call('PATCH', demo(`/pipelineexecutions/${name}`), merge({ spec: { stop: false } }))).status).toBe(422);
  });

  it('refuses a body whose apiVersion, kind, namespace or name disagree with the path (400)', async () => {
    const body = stack.pipelineObject('other', 'elsewhere');
    const res = await stack.call('POST', demo('/pipelines'), { token: stack.alice, body: { ...body, kind: 'PipelineSetting' } });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: any) => e.pointer)).toEqual(['/kind', '/metadata/namespace']);
    expect(await stack.admin.resource(Keelson.Pipeline).find('other', 'elsewhere')).toBeUndefined();
    await stack.createPipeline('demo', 'named');
    const current = await stack.call('GET', demo('/pipelines/named'));
    const renamed = await stack.call('PUT', demo('/pipelines/named'), { body: { ...current.body, metadata: { ...current.body.metadata, name: 'other-name' } } });
    expect(renamed.status).toBe(400);
  });

  it('refuses finalizers, owner references and status on create, and carries them over on a PUT that leaves them out', async () => {
    const body = stack.pipelineObject('demo', 'guarded', { finalizers: ['example.com/hold'] });
    const refused = await stack.call('POST', demo('/pipelines'), { token: stack.alice, body: { ...body, status: { nextRun: 9 } } });
    expect(refused.status).toBe(422);
    expect(refused.body.errors.map((e: any) => e.pointer)).toEqual(['/status', '/metadata/finalizers']);

    await stack.admin.resource(Keelson.Pipeline).create(body);
    const current = await stack.call('GET', demo('/pipelines/guarded'), { token: stack.alice });
    const { finalizers: _f, ...metadata } = current.body.metadata;
    const res = await stack.call('PUT', demo('/pipelines/guarded'), { token: stack.alice, body: { ...current.body, metadata, spec: { ...current.body.spec, suspend: true } } });
    expect(res.status).toBe(200);
    expect(res.body.metadata.finalizers).toEqual(['example.com/hold']);
    await stack.admin.resource(Keelson.Pipeline).patch('demo', 'guarded', { metadata: { finalizers: null } });
  });

  it('passes the apiserver\'s validation on as 422 with JSON pointers', async () => {
    const body = stack.pipelineObject('demo', 'invalid');
    const res = await stack.call('POST', demo('/pipelines'), { token: stack.alice, body: { ...body, spec: { ...body.spec, repositoryUrl: 'not a url' } } });
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ pointer: '/spec/repositoryUrl' })]));
  });
});

describe('secrets never in an answer', () => {
  const TOKEN = 'gho_THIS-IS-A-SECRET-TOKEN-0123456789';

  beforeAll(async () => {
    await stack.admin.resource(Core.Secret).create({ metadata: { namespace: 'demo', name: 'alice-github-token' }, stringData: { accessToken: TOKEN } });
    const credential = {
      apiVersion: API_VERSION, kind: 'SourceCodeCredential',
      metadata: {
        namespace: 'demo', name: 'alice-github',
        // kubectl apply keeps a copy of what was applied: someone once applied the token in a note.
        annotations: { 'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify({ note: TOKEN }), 'example.com/owner': 'alice' },
      },
      spec: { providerRef: { name: 'github' }, userName: 'alice', loginName: 'alice-gh', tokenSecretRef: { name: 'alice-github-token', key: 'accessToken' } },
    };
    await stack.admin.resource(Keelson.SourceCodeCredential).create(credential as never);
  });

  it('shows credentials with the Secret\'s name only: no token, no last-applied copy, no managedFields', async () => {
    const answers = await Promise.all([
      stack.call('GET', demo('/sourcecodecredentials/alice-github'), { token: stack.alice }),
      stack.call('GET', demo('/sourcecodecredentials'), { token: stack.alice }),
      stack.call('GET', '/sourcecodecredentials'),
    ]);
    for (const res of answers) {
      expect(res.status).toBe(200);
      const text = JSON.stringify(res.body);
      expect(text).not.toContain(TOKEN);
      expect(text).not.toContain('last-applied-configuration');
      expect(text).not.toContain('managedFields');
    }
    expect(answers[0].body.spec.tokenSecretRef).toEqual({ name: 'alice-github-token', key: 'accessToken' });
    expect(answers[0].body.metadata.annotations).toEqual({ 'example.com/owner': 'alice' });
  });

  it('keeps the hidden annotation on a PUT from what the caller saw, and refuses to set it', async () => {
    const seen = await stack.call('GET', demo('/sourcecodecredentials/alice-github'), { token: stack.alice });
    const put = await stack.call('PUT', demo('/sourcecodecredentials/alice-github'), { token: stack.alice, body: { ...seen.body, spec: { ...seen.body.spec, displayName: 'Alice' } } });
    expect(put.status).toBe(200);
    const stored = await stack.admin.resource(Keelson.SourceCodeCredential).get('demo', 'alice-github');
    expect(stored.metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration']).toContain(TOKEN);
    const set = await stack.call('PATCH', demo('/sourcecodecredentials/alice-github'), {
      token: stack.alice, contentType: 'application/merge-patch+json', body: { metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' } } },
    });
    expect(set.status).toBe(422);
  });
});

describe('across namespaces', () => {
  it('lists everything for the admin (cluster-scope review) and leaves nothing out', async () => {
    const res = await stack.call('GET', '/pipelines?limit=500');
    expect(res.status).toBe(200);
    expect(new Set(res.body.items.map((p: any) => p.metadata.namespace))).toEqual(new Set(['demo', 'other']));
    expect(res.body.metadata.omittedNamespaces).toBeUndefined();
  });

  it('lists for alice only the namespaces she may list, and names the ones it left out', async () => {
    await stack.createPipeline('third', 'third-web');
    await waitFor(async () => (await stack.call('GET', '/pipelines?limit=1')).body.items.length > 0);
    let res = await stack.call('GET', '/pipelines?limit=500', { token: stack.alice });
    for (let i = 0; i < 50 && !res.body.items.some((p: any) => p.metadata.namespace === 'third'); i++) {
      await new Promise((r) => setTimeout(r, 100));
      res = await stack.call('GET', '/pipelines?limit=500', { token: stack.alice });
    }
    expect(res.status).toBe(200);
    expect(new Set(res.body.items.map((p: any) => p.metadata.namespace))).toEqual(new Set(['demo', 'third']));
    expect(res.body.metadata.omittedNamespaces).toEqual(['other']);
  });

  it('pages across the namespaces she may list', async () => {
    const names: string[] = [];
    let cont: string | undefined;
    let pages = 0;
    do {
      const res = await stack.call('GET', `/pipelines?limit=2${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`, { token: stack.alice });
      names.push(...res.body.items.map((p: any) => `${p.metadata.namespace}/${p.metadata.name}`));
      cont = res.body.metadata.continue;
      pages++;
    } while (cont);
    const expected = (await stack.admin.resource(Keelson.Pipeline).list()).items
      .filter((p) => p.metadata.namespace !== 'other').map((p) => `${p.metadata.namespace}/${p.metadata.name}`);
    expect(names.sort()).toEqual(expected.sort());
    expect(pages).toBeGreaterThanOrEqual(2);
  });

  it('lists executions newest first across namespaces for bob: nothing, naming what it left out', async () => {
    const res = await stack.call('GET', '/pipelineexecutions', { token: stack.bobToken });
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([]);
    expect(res.body.metadata.omittedNamespaces).toEqual(['demo']);
  });
});

describe('projects', () => {
  it('counts pipelines, running and queued executions of the projects the caller can see', async () => {
    const all = await stack.call('GET', '/projects');
    expect(all.status).toBe(200);
    const byName = Object.fromEntries(all.body.items.map((p: any) => [p.name, p]));
    const pipelines = (await stack.admin.resource(Keelson.Pipeline).list('demo')).items.length;
    expect(byName.demo).toEqual({ name: 'demo', pipelines, running: 2, queued: 3 });
    const forAlice = await stack.call('GET', '/projects', { token: stack.alice });
    expect(forAlice.body.items.map((p: any) => p.name)).toEqual(['demo', 'third']);
    expect(forAlice.body.items[1]).toMatchObject({ name: 'third', pipelines: 1, running: null, queued: null });
    expect((await stack.call('GET', '/projects', { token: stack.bobToken })).body.items).toEqual([]);
  });
});

describe('the listing of a credential\'s repositories and a Pipeline from one keep their routes', () => {
  it('filters repositories by credential', async () => {
    for (const [name, credential] of [['a', 'alice-github'], ['b', 'someone']]) {
      await stack.asManager.resource(Keelson.SourceCodeRepository).create({
        apiVersion: API_VERSION, kind: 'SourceCodeRepository', metadata: { namespace: 'demo', name, labels: { 'keelson.dev/credential': credential } },
        spec: { credentialRef: { name: credential }, fullName: `acme/${name}`, url: `https://git.example.com/acme/${name}.git` },
      } as never);
    }
    const res = await stack.call('GET', demo('/sourcecoderepositories?credential=alice-github'), { token: stack.alice });
    expect(res.body.items.map((r: any) => r.metadata.name)).toEqual(['a']);
    const made = await stack.call('POST', demo('/pipelines'), { token: stack.alice, body: { repository: 'a', name: 'from-repo' } });
    expect(made.status).toBe(201);
    expect(made.body.spec).toMatchObject({ repositoryUrl: 'https://git.example.com/acme/a.git', credentialRef: { name: 'alice-github' } });
  });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}
