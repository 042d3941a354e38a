import { ControlPlane, waitFor } from '@keelson/servers';
import { KubeClient, Keelson, KubeError, KubeObject, ResourceType } from '@keelson/kube';
import { customResourceDefinition, ALL_KINDS } from '@keelson/crds';

/** Any of our kinds, loosely typed: these tests send invalid bodies on purpose. */
const anyKind = (kind: string) => Keelson[kind as keyof typeof Keelson] as unknown as ResourceType<KubeObject>;

let cp: ControlPlane;
let kube: KubeClient;
/** The manager's identity: the only one the admission policy lets write an execution's full spec and status. */
let asManager: KubeClient;
const ns = 'crd-tests';

const SHA = 'a'.repeat(40);

beforeAll(async () => {
  cp = await ControlPlane.start();
  kube = new KubeClient({ kubeconfigPath: cp.adminKubeconfig });
  asManager = new KubeClient({ kubeconfigPath: cp.managerKubeconfig });
  await cp.kubectl(['create', 'namespace', ns]);
});
afterAll(() => cp?.stop());

async function refusal(promise: Promise<unknown>): Promise<KubeError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof KubeError) return err;
    throw err;
  }
  throw new Error('the apiserver accepted an invalid object');
}

describe('CRDs on a real kube-apiserver', () => {
  it('accepts a valid Pipeline and fills in schema defaults', async () => {
    const created = await kube.resource(Keelson.Pipeline).create({
      apiVersion: 'devops.keelson.dev/v1alpha1', kind: 'Pipeline',
      metadata: { namespace: ns, name: 'web' },
      spec: { repositoryUrl: 'https://github.com/acme/web.git', triggers: { push: { filter: { include: ['main', 'release/**'] } } } } as never,
    });
    expect(created.spec.configPath).toBe('.devops.yml');
    expect(created.spec.suspend).toBe(false);
    expect(created.spec.triggers?.push?.enabled).toBe(true);
  });

  it('accepts every kind with a minimal valid spec', async () => {
    const objects: Array<[keyof typeof Keelson, Record<string, unknown>]> = [
      ['SourceCodeProvider', { type: 'gitea', serverUrl: 'https://git.example.com' }],
      ['SourceCodeCredential', { providerRef: { name: 'gitea' }, userName: 'alice', loginName: 'alice', tokenSecretRef: { name: 'alice-gitea' } }],
      ['SourceCodeRepository', { credentialRef: { name: 'alice-gitea' }, url: 'git@git.example.com:acme/web.git' }],
      ['PipelineSetting', {}],
      ['PipelineExecution', { pipelineRef: { name: 'web' }, run: 1, branch: 'main', commit: SHA, trigger: { event: 'manual', user: 'alice' } }],
    ];
    for (const [kind, spec] of objects) {
      const client = kind === 'PipelineExecution' ? asManager : kube;
      const created = await client.resource(anyKind(kind)).create({ metadata: { namespace: ns, name: `valid-${kind.toLowerCase()}` }, spec } as never);
      expect(created.metadata.uid).toBeTruthy();
    }
    const setting = await kube.resource(Keelson.PipelineSetting).get(ns, 'valid-pipelinesetting');
    expect(setting.spec).toEqual({ maxConcurrentExecutions: 3, historyLimit: 100, projectHistoryLimit: 1000, logRetentionDays: 30 });
  });

  it.each([
    ['an enum value', 'SourceCodeProvider', { type: 'svn' }, 'spec.type'],
    ['a URL pattern', 'Pipeline', { repositoryUrl: 'not a url' }, 'spec.repositoryUrl'],
    ['a missing required field', 'SourceCodeCredential', { providerRef: { name: 'x' }, userName: 'a', tokenSecretRef: { name: 's' } }, 'spec.loginName'],
    ['a lower bound', 'PipelineSetting', { maxConcurrentExecutions: 0 }, 'spec.maxConcurrentExecutions'],
    ['a commit SHA pattern', 'PipelineExecution', { pipelineRef: { name: 'web' }, commit: 'HEAD' }, 'spec.commit'],
    ['a branch name like git check-ref-format', 'PipelineExecution', { pipelineRef: { name: 'web' }, branch: '-delete-me' }, 'spec.branch'],
    ['a reference name', 'Pipeline', { repositoryUrl: 'https://x.org/a.git', credentialRef: { name: 'Bad_Name' } }, 'spec.credentialRef.name'],
  ])('refuses %s and names the field', async (_what, kind, spec, field) => {
    const err = await refusal(kube.resource(anyKind(kind)).create({ metadata: { namespace: ns, name: 'invalid' }, spec } as never));
    expect(err.status).toBe(422);
    expect(err.fields).toContain(field);
    expect(err.message).toContain(field);
  });

  it('refuses an unknown field instead of dropping it silently', async () => {
    const err = await refusal(kube.resource(Keelson.Pipeline).create({
      metadata: { namespace: ns, name: 'unknown-field' }, spec: { repositoryUrl: 'https://x.org/a.git', triger: {} },
    } as never));
    expect(err.message).toContain('triger');
  });

  it('writes status only through the status subresource', async () => {
    const pipelines = kube.resource(Keelson.Pipeline);
    const current = await pipelines.get(ns, 'web');
    const viaMain = await pipelines.replace({ ...current, status: { nextRun: 7 } });
    expect(viaMain.status?.nextRun).toBeUndefined();

    const viaStatus = await pipelines.patchStatus(ns, 'web', { nextRun: 7 }, viaMain.metadata.resourceVersion);
    expect(viaStatus.status?.nextRun).toBe(7);
    expect(viaStatus.metadata.generation).toBe(viaMain.metadata.generation);

    const stale = await refusal(pipelines.patchStatus(ns, 'web', { nextRun: 8 }, viaMain.metadata.resourceVersion));
    expect(stale.status).toBe(409);
    expect((await pipelines.get(ns, 'web')).status?.nextRun).toBe(7);
  });

  it('validates status too: an unknown phase is refused', async () => {
    const err = await refusal(asManager.resource(Keelson.PipelineExecution).patchStatus(ns, 'valid-pipelineexecution', { phase: 'Exploded' }));
    expect(err.fields).toContain('status.phase');
  });

  it('shows pipeline, run, phase, branch, commit and age in kubectl get, and answers to the short name', async () => {
    await asManager.resource(Keelson.PipelineExecution).patchStatus(ns, 'valid-pipelineexecution', { phase: 'Running', reason: 'waiting for Jenkins' });
    const table = await cp.kubectl(['get', 'pe', '-n', ns]);
    const [header, row] = table.trim().split('\n');
    expect(header.split(/\s{2,}/)).toEqual(['NAME', 'PIPELINE', 'RUN', 'PHASE', 'BRANCH', 'COMMIT', 'REASON', 'AGE']);
    expect(row).toMatch(new RegExp(`^valid-pipelineexecution\\s+web\\s+1\\s+Running\\s+main\\s+${SHA}\\s+waiting for Jenkins\\s+\\d+s`));
  });

  it('lets the non-admin user do nothing until RBAC grants it', async () => {
    const asUser = new KubeClient({ kubeconfigPath: cp.userKubeconfig });
    const err = await refusal(asUser.resource(Keelson.Pipeline).list(ns));
    expect(err.status).toBe(403);
    await cp.kubectl(['create', 'rolebinding', 'alice-view', '-n', ns, '--clusterrole', 'view', '--user', 'alice']);
    await cp.kubectl(['create', 'clusterrole', 'keelson-view', '--verb', 'get,list,watch', '--resource', 'pipelines.devops.keelson.dev']);
    await cp.kubectl(['create', 'rolebinding', 'alice-pipelines', '-n', ns, '--clusterrole', 'keelson-view', '--user', 'alice']);
    const list = await asUser.resource(Keelson.Pipeline).list(ns);
    expect(list.items.map((p) => p.metadata.name)).toContain('web');
  });
});

describe('PipelineSetting: the cache root and privileged builds are the operator\'s', () => {
  const settings = () => kube.resource(Keelson.PipelineSetting);
  const setting = (name: string, spec: Record<string, unknown>) => ({ metadata: { namespace: ns, name }, spec } as never);

  it.each([
    ['allowPrivileged: true', { allowPrivileged: true }, 'spec.allowPrivileged', 'PRIVILEGED_BUILD_PROJECTS'],
    ['a cache root', { cache: { root: '/etc', rememberedNodes: 3 } }, 'spec.cache.root', 'CACHE_ROOT'],
    ['a cache root under the default one', { cache: { root: '/var/lib/keelson/cache/other' } }, 'spec.cache.root', 'CACHE_ROOT'],
  ])('refuses %s, naming the field and the manager setting that decides it', async (_what, spec, field, operatorSetting) => {
    const err = await refusal(settings().create(setting('knob', spec)));
    expect(err.status).toBe(422);
    expect(err.fields).toContain(field);
    expect(err.message).toContain(operatorSetting);
  });

  it('accepts allowPrivileged: false and a cache section without a root, and defaults neither', async () => {
    const created = await settings().create(setting('plain', { allowPrivileged: false, cache: { rememberedNodes: 5 } }));
    expect(created.spec.allowPrivileged).toBe(false);
    expect(created.spec.cache).toEqual({ rememberedNodes: 5 });
    const bare = await settings().create(setting('bare', { cache: {} }));
    expect(bare.spec.cache).toEqual({ rememberedNodes: 3 });
  });

  it('keeps an object stored under the old schema (the default cache root, privileged) readable and updatable', async () => {
    const current = customResourceDefinition(ALL_KINDS.find((k) => k.kind === 'PipelineSetting')!);
    // The schema before the operator took these knobs over: a default root, and no rules.
    const old = JSON.parse(JSON.stringify(current));
    const spec = old.spec.versions[0].schema.openAPIV3Schema.properties.spec;
    delete spec.properties.allowPrivileged['x-kubernetes-validations'];
    delete spec.properties.cache.properties.root['x-kubernetes-validations'];
    spec.properties.cache.properties.root.default = '/var/lib/keelson/cache';
    const apply = (crd: unknown) => cp.kubectl(['apply', '--server-side', '--field-manager', 'keelson-harness', '-f', '-'], JSON.stringify(crd));
    const dryRun = (spec: Record<string, unknown>) => settings().create(setting('probe', spec), { dryRun: true });

    await apply(old);
    try {
      await waitFor('the old schema to default the cache root', async () => (await dryRun({ cache: {} })).spec.cache?.root === '/var/lib/keelson/cache', { timeoutMs: 30_000 });
      const stored = await settings().create(setting('legacy', { cache: { rememberedNodes: 2 }, allowPrivileged: true }));
      expect(stored.spec).toMatchObject({ cache: { root: '/var/lib/keelson/cache', rememberedNodes: 2 }, allowPrivileged: true });
    } finally {
      await apply(current);
    }
    await waitFor('the new schema to refuse a cache root', () => dryRun({ cache: { root: '/tmp' } }).then(() => false, (err) => err instanceof KubeError && err.status === 422), { timeoutMs: 30_000 });

    const read = await settings().get(ns, 'legacy');
    expect(read.spec.cache?.root).toBe('/var/lib/keelson/cache');
    // Unchanged old values pass (validation ratcheting); new ones do not.
    const updated = await settings().patch(ns, 'legacy', { spec: { maxConcurrentExecutions: 5, cache: { rememberedNodes: 4 } } });
    expect(updated.spec).toMatchObject({ maxConcurrentExecutions: 5, cache: { root: '/var/lib/keelson/cache', rememberedNodes: 4 }, allowPrivileged: true });
    const moved = await refusal(settings().patch(ns, 'legacy', { spec: { cache: { root: '/etc' } } }));
    expect(moved.message).toContain('CACHE_ROOT');
    const cleared = await settings().patch(ns, 'legacy', { spec: { allowPrivileged: null, cache: { root: null } } });
    expect(cleared.spec.allowPrivileged).toBeUndefined();
    expect(cleared.spec.cache).toEqual({ rememberedNodes: 4 });
    const again = await refusal(settings().patch(ns, 'legacy', { spec: { allowPrivileged: true } }));
    expect(again.message).toContain('PRIVILEGED_BUILD_PROJECTS');
  });
});
