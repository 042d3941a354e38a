import { ControlPlane } from '@keelson/servers';
import { KubeClient, Keelson, KubeError, KubeObject, ResourceType } from '@keelson/kube';

/** Any of our kinds, loosely typed: these tests send invalid bodies on purpose. */
const anyKind = (kind: string) => Keelson[kind as keyof typeof Keelson] as unknown as ResourceType<KubeObject>;

let cp: ControlPlane;
let kube: KubeClient;
const ns = 'crd-tests';

const SHA = 'a'.repeat(40);

beforeAll(async () => {
  cp = await ControlPlane.start();
  kube = new KubeClient({ kubeconfigPath: cp.adminKubeconfig });
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
      const created = await kube.resource(anyKind(kind)).create({ metadata: { namespace: ns, name: `valid-${kind.toLowerCase()}` }, spec } as never);
      expect(created.metadata.uid).toBeTruthy();
    }
    const setting = await kube.resource(Keelson.PipelineSetting).get(ns, 'valid-pipelinesetting');
    expect(setting.spec).toMatchObject({ maxConcurrentExecutions: 3, historyLimit: 100, logRetentionDays: 30, allowPrivileged: false });
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
    const err = await refusal(kube.resource(Keelson.PipelineExecution).patchStatus(ns, 'valid-pipelineexecution', { phase: 'Exploded' }));
    expect(err.fields).toContain('status.phase');
  });

  it('shows pipeline, run, phase, branch, commit and age in kubectl get, and answers to the short name', async () => {
    await kube.resource(Keelson.PipelineExecution).patchStatus(ns, 'valid-pipelineexecution', { phase: 'Running', reason: 'waiting for Jenkins' });
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
