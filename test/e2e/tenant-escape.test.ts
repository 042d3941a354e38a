// A tenant of project `demo` tries, one test per attempt, every way out of the project that issue 10 found:
// data-plane Secrets and other projects' Secrets through envFrom, privileged steps, the cache root, forged
// executions, credentials sent to other hosts, approvals by someone not listed, a retried run. Each attempt must
// end in a clear refusal or failure reason, and nothing may have leaked: no build, no pod, no copied Secret, no
// request carrying a credential. ADR 0004 is the model these tests hold the code to.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Core, Keelson, KubeClient, type KubeObject } from '@keelson/kube';
import { GitHttpServer, GitRepository, waitFor } from '@keelson/servers';
import { KeelsonStack } from '../support/keelson-stack';

let stack: KeelsonStack;
let alice: KubeClient;
let aliceToken: string;

const PROJECT = 'demo';
const BUILDS = 'demo-builds';
const DATA_PLANE_SECRETS = ['jenkins-admin', 'minio-root', 'registry-auth', 'registry-tls', 'registry-push', 'registry-ca'];

beforeAll(async () => {
  // The harness' git servers listen on 127.0.0.1; every other loopback address stays refused, as on a real install.
  stack = await KeelsonStack.start({ managerEnv: { OUTBOUND_ALLOW_CIDRS: '127.0.0.1/32' } });
  await stack.createPipeline('sample');
  const user = stack.cluster.controlPlane.user;
  aliceToken = user.token;
  alice = new KubeClient({ kubeconfigPath: stack.cluster.controlPlane.userKubeconfig });
  // alice is a tenant of demo: everything of Keelson's and the Secrets there, nothing elsewhere.
  await stack.cluster.kubectl(['apply', '-f', '-'], JSON.stringify({
    apiVersion: 'v1', kind: 'List', items: [
      {
        apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'tenant', namespace: PROJECT },
        rules: [
          { apiGroups: ['devops.keelson.dev'], resources: ['*'], verbs: ['*'] },
          { apiGroups: [''], resources: ['secrets', 'configmaps'], verbs: ['*'] },
        ],
      },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'tenant', namespace: PROJECT },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'tenant' },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: user.name }],
      },
    ],
  }));
  await stack.kube.resource(Core.Namespace).create({ metadata: { name: 'other' } });
  await stack.kube.resource(Core.Secret).create({
    metadata: { name: 'other-token', namespace: 'other', labels: { 'keelson.dev/build-secret': 'true' } }, stringData: { token: 'other-project-value-77c1' },
  });
  await stack.kube.resource(Core.Secret).create({
    metadata: { name: 'deploy-key', namespace: PROJECT, labels: { 'keelson.dev/build-secret': 'true' } }, stringData: { token: 'opted-in-value-5b2e', unused: 'not-copied-value-0d9f' },
  });
  // A first run provisions the data plane, so its Secrets exist when a build tries to name them.
  const first = await run('main');
  expect((await stack.waitForPhase(first, ['Succeeded', 'Failed', 'Aborted'])).status?.phase).toBe('Succeeded');
}, 300_000);
afterAll(async () => {
  await stack?.stop();
});

/** Commits `.devops.yml` on a new branch and runs it through the API as the admin; returns the execution name. */
async function runConfig(branch: string, devopsYml: string): Promise<string> {
  await stack.repo.branch(branch, 'main');
  await stack.repo.checkout(branch);
  await stack.repo.commit({ '.devops.yml': devopsYml }, branch);
  await stack.repo.checkout('main');
  return run(branch);
}

async function run(branch: string, pipeline = 'sample'): Promise<string> {
  const res = await stack.api(`/api/v1/namespaces/${PROJECT}/pipelines/${pipeline}/run`, { branch });
  expect(res.status).toBe(201);
  return res.body.metadata.name;
}

async function failureOf(name: string): Promise<string> {
  const done = await stack.waitForPhase(name, ['Succeeded', 'Failed', 'Aborted']);
  expect(done.status?.phase).toBe('Failed');
  return done.status?.reason ?? '';
}

/** Nothing ran for this execution: no Jenkins build, no build pod, no copied Secret. */
async function expectNothingRan(name: string): Promise<void> {
  expect(stack.jenkins.builds('demo-pipeline').filter((b) => b.params.EXECUTION_ID === name)).toEqual([]);
  const pods = await stack.kube.resource(Core.Pod).list(BUILDS, { labelSelector: `keelson.dev/execution=${name}` });
  expect(pods.items).toEqual([]);
  expect(await stack.kube.resource(Core.Secret).find(BUILDS, `${name}-env`)).toBeUndefined();
}

function envFromConfig(secret: string, key: string): string {
  return `stages:
- name: steal
  steps:
  - runScriptConfig: {image: alpine:3.20, shellScript: env}
    envFrom:
    - {sourceName: ${secret}, sourceKey: ${key}, targetKey: STOLEN}
`;
}

async function kubectlAs(token: string, args: string[], input?: string): Promise<{ ok: boolean; output: string }> {
  try {
    return { ok: true, output: await stack.cluster.kubectl([`--token=${token}`, ...args], input) };
  } catch (err) {
    return { ok: false, output: (err as Error).message };
  }
}

describe('envFrom', () => {
  it.each(DATA_PLANE_SECRETS)('cannot name the data plane\'s Secret %s: the run fails before any pod, naming it', async (secret) => {
    const name = await runConfig(`steal-${secret}`, envFromConfig(secret, 'password'));
    const reason = await failureOf(name);
    expect(reason).toContain(`Secret "${secret}" not found in project demo`);
    await expectNothingRan(name);
  });

  it('cannot name another project\'s Secret, even one that project opted in', async () => {
    const name = await runConfig('steal-other', envFromConfig('other-token', 'token'));
    expect(await failureOf(name)).toContain('Secret "other-token" not found in project demo');
    await expectNothingRan(name);
  });

  it('cannot name a Secret of its own project that was not opted in', async () => {
    await stack.kube.resource(Core.Secret).create({ metadata: { name: 'not-for-builds', namespace: PROJECT }, stringData: { token: 'kept-value-3a9c' } });
    const name = await runConfig('steal-unlabelled', envFromConfig('not-for-builds', 'token'));
    expect(await failureOf(name)).toContain('Secret "not-for-builds" of project demo is not marked for builds; label it keelson.dev/build-secret=true');
    await expectNothingRan(name);
  });

  it('gives a build the opted-in key it names, through a Secret of its own that goes when the run ends', async () => {
    const name = await runConfig('use-opted-in', envFromConfig('deploy-key', 'token'));
    const done = await stack.waitForPhase(name, ['Succeeded', 'Failed', 'Aborted']);
    expect(done.status?.phase).toBe('Succeeded');
    const job = stack.jenkins.jobConfig('demo-pipeline', done.status!.build!.job)!;
    expect(job).toContain(`${name}-env`);
    expect(job).toContain('deploy-key__token');
    expect(job).not.toContain('opted-in-value-5b2e');
    await waitFor('the copied Secret deleted', async () => !(await stack.kube.resource(Core.Secret).find(BUILDS, `${name}-env`)), { timeoutMs: 20_000 });
  });
});

describe('operator knobs', () => {
  it('refuses a privileged step the operator did not allow, before any pod', async () => {
    const name = await runConfig('privileged', `stages:
- name: root
  steps:
  - runScriptConfig: {image: alpine:3.20, shellScript: id}
    privileged: true
`);
    expect(await failureOf(name)).toMatch(/privileged/);
    await expectNothingRan(name);
  });

  it.each([
    ['the cache at /etc', { cache: { root: '/etc', rememberedNodes: 3 } }, 'CACHE_ROOT'],
    ['the cache at another project\'s directory', { cache: { root: '/var/lib/keelson/cache/other', rememberedNodes: 3 } }, 'CACHE_ROOT'],
    ['privileged builds', { allowPrivileged: true }, 'PRIVILEGED_BUILD_PROJECTS'],
  ])('refuses a PipelineSetting that sets %s, naming the operator setting', async (_what, spec, setting) => {
    const res = await kubectlAs(aliceToken, ['create', '-f', '-'], JSON.stringify({
      apiVersion: 'devops.keelson.dev/v1alpha1', kind: 'PipelineSetting', metadata: { name: 'escape', namespace: PROJECT },
      spec: { maxConcurrentExecutions: 3, historyLimit: 100, logRetentionDays: 30, ...spec },
    }));
    expect(res.ok).toBe(false);
    expect(res.output).toContain(setting);
    expect(await stack.kube.resource(Keelson.PipelineSetting).find(PROJECT, 'escape')).toBeUndefined();
  });

  it('refuses a cache path with .. before any pod', async () => {
    const name = await runConfig('dotdot', `stages:
- name: poison
  steps:
  - runScriptConfig: {image: alpine:3.20, shellScript: ls}
    cache: {paths: [../../../etc]}
`);
    expect(await failureOf(name)).toMatch(/\.\./);
    await expectNothingRan(name);
  });

  it('keeps a cache key that tries to climb inside the pipeline\'s own directory, mounted through a claim', async () => {
    const name = await runConfig('climbing-key', `stages:
- name: build
  steps:
  - runScriptConfig: {image: alpine:3.20, shellScript: ls}
    cache: {key: ../../other/sample, paths: [.m2]}
`);
    expect((await stack.waitForPhase(name, ['Succeeded', 'Failed', 'Aborted'])).status?.phase).toBe('Succeeded');
    const volumes = (await stack.kube.resource(Core.PersistentVolume).list(undefined)).items as Array<KubeObject & { spec: { hostPath?: { path: string } } }>;
    expect(volumes.length).toBeGreaterThan(0);
    for (const v of volumes) expect(v.spec.hostPath?.path).toMatch(/^\/var\/lib\/keelson\/cache\/demo\/sample\/[^/]+$/);
    expect(volumes.flatMap((v) => v.spec.hostPath!.path.split('/')).filter((segment) => segment === '..' || segment === '.')).toEqual([]);
  });

  it('keeps node access out of the build namespace: Pod Security refuses a privileged hostPath pod there', async () => {
    const ns = await stack.kube.resource(Core.Namespace).get(undefined, BUILDS);
    expect(ns.metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('baseline');
    const pod = {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'node-root', namespace: BUILDS },
      spec: {
        containers: [{ name: 'c', image: 'alpine:3.20', securityContext: { privileged: true }, volumeMounts: [{ name: 'host', mountPath: '/host' }] }],
        volumes: [{ name: 'host', hostPath: { path: '/' } }],
      },
    };
    await expect(stack.kube.resource(Core.Pod).create(pod as never)).rejects.toThrow(/violates PodSecurity "baseline/);
  });
});

describe('executions made with kubectl', () => {
  const forge = (spec: Record<string, unknown>, name: string) => JSON.stringify({
    apiVersion: 'devops.keelson.dev/v1alpha1', kind: 'PipelineExecution', metadata: { name, namespace: PROJECT },
    spec: { pipelineRef: { name: 'sample' }, branch: 'main', ...spec },
  });

  it.each([
    ['a foreign repositoryUrl', { repositoryUrl: 'https://evil.example.com/steal.git' }, 'spec.repositoryUrl'],
    ['a hand-written config that fails the schema', { config: { stages: 'not a list', privileged: true } }, 'spec.config'],
    ['fork: false on a fork\'s pull request', { fork: false, trigger: { event: 'pull_request' } }, 'spec.trigger.event'],
    ['a fork flag', { fork: true }, 'spec.fork'],
    ['a trigger naming someone else', { trigger: { event: 'manual', user: 'somebody-else' } }, 'spec.trigger.user'],
    ['a webhook trigger with a delivery id', { trigger: { event: 'push', deliveryId: 'forged-1' } }, 'spec.trigger'],
    ['a run number', { run: 999 }, 'spec.run'],
  ])('refuses %s at admission, for the tenant and the cluster admin alike', async (_what, spec, field) => {
    for (const [who, token] of [['alice', aliceToken], ['admin', stack.adminToken]] as const) {
      const name = `forged-${who}-${Math.random().toString(36).slice(2, 8)}`;
      const res = await kubectlAs(token, ['create', '-f', '-'], forge(spec, name));
      expect(res.ok).toBe(false);
      expect(res.output).toContain(field);
      expect(await stack.kube.resource(Keelson.PipelineExecution).find(PROJECT, name)).toBeUndefined();
    }
  });

  it('lets the tenant stop an execution but not rewrite it afterwards', async () => {
    const name = 'by-alice';
    const created = await kubectlAs(aliceToken, ['create', '-f', '-'], forge({}, name));
    expect(created.output).toContain(name);
    await waitFor('the manager completed it', async () => Boolean((await stack.execution(name)).spec.config), { timeoutMs: 30_000 });
    const rewrite = await kubectlAs(aliceToken, ['patch', 'pe', name, '-n', PROJECT, '--type', 'merge', '-p', JSON.stringify({ spec: { config: { stages: [] } } })]);
    expect(rewrite.ok).toBe(false);
    expect(rewrite.output).toContain('spec.config');
    const status = await kubectlAs(aliceToken, ['patch', 'pe', name, '-n', PROJECT, '--subresource', 'status', '--type', 'merge', '-p', JSON.stringify({ status: { phase: 'Succeeded' } })]);
    expect(status.ok).toBe(false);
    const stop = await kubectlAs(aliceToken, ['patch', 'pe', name, '-n', PROJECT, '--type', 'merge', '-p', JSON.stringify({ spec: { stop: true } })]);
    expect(stop.ok).toBe(true);
  });
});

describe('credentials', () => {
  let provider: GitHttpServer;
  let foreign: GitHttpServer;
  let root: string;
  const TOKEN = 'tok-escape-provider-41d7';

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'keelson-escape-'));
    await GitRepository.create({ '.devops.yml': 'stages:\n- name: a\n  steps:\n  - runScriptConfig: {image: alpine:3.20, shellScript: echo hi}\n' }, { dir: join(root, 'app') });
    provider = await GitHttpServer.start({ root, username: 'alice', password: TOKEN });
    foreign = await GitHttpServer.start({ root });
    await stack.kube.resource(Keelson.SourceCodeProvider).create({
      apiVersion: 'devops.keelson.dev/v1alpha1', kind: 'SourceCodeProvider', metadata: { name: 'gitea', namespace: PROJECT },
      spec: { type: 'gitea', serverUrl: provider.baseUrl, enabled: true },
    });
    await stack.kube.resource(Core.Secret).create({ metadata: { name: 'alice-gitea', namespace: PROJECT }, stringData: { accessToken: TOKEN } });
    await stack.kube.resource(Keelson.SourceCodeCredential).create({
      apiVersion: 'devops.keelson.dev/v1alpha1', kind: 'SourceCodeCredential', metadata: { name: 'alice-gitea', namespace: PROJECT },
      spec: { providerRef: { name: 'gitea' }, userName: 'alice', loginName: 'alice', tokenSecretRef: { name: 'alice-gitea', key: 'accessToken' } },
    });
    await stack.createPipeline('private', PROJECT, { repositoryUrl: provider.url('app'), credentialRef: { name: 'alice-gitea' } });
  });
  afterAll(async () => {
    await provider?.stop();
    await foreign?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  async function credentialFor(name: string, serverUrl: string): Promise<void> {
    await stack.kube.resource(Keelson.SourceCodeProvider).create({
      apiVersion: 'devops.keelson.dev/v1alpha1', kind: 'SourceCodeProvider', metadata: { name, namespace: PROJECT },
      spec: { type: 'gitea', serverUrl, enabled: true },
    });
    await stack.kube.resource(Keelson.SourceCodeCredential).create({
      apiVersion: 'devops.keelson.dev/v1alpha1', kind: 'SourceCodeCredential', metadata: { name, namespace: PROJECT },
      spec: { providerRef: { name }, userName: 'alice', loginName: 'alice', tokenSecretRef: { name: 'alice-gitea', key: 'accessToken' } },
    });
  }

  it('refuses a kubectl-made execution that points the pipeline\'s checkout at another server, which hears nothing', async () => {
    const before = foreign.requests.length;
    const res = await kubectlAs(aliceToken, ['create', '-f', '-'], JSON.stringify({
      apiVersion: 'devops.keelson.dev/v1alpha1', kind: 'PipelineExecution', metadata: { name: 'forged-checkout', namespace: PROJECT },
      spec: { pipelineRef: { name: 'private' }, branch: 'main', repositoryUrl: foreign.url('app') },
    }));
    expect(res.ok).toBe(false);
    expect(res.output).toContain('spec.repositoryUrl is set by Keelson');
    await new Promise((r) => setTimeout(r, 2_000));
    expect(foreign.requests.slice(before)).toEqual([]);
    expect(await stack.kube.resource(Keelson.PipelineExecution).find(PROJECT, 'forged-checkout')).toBeUndefined();
  });

  it.each([
    ['the cloud metadata address', 'http://169.254.169.254', 'the cloud metadata address'],
    ['a loopback address the operator did not allow', '', 'a loopback address'],
  ])('refuses a provider at %s after resolving it, before any connection', async (_what, serverUrl, why) => {
    const name = serverUrl ? 'metadata' : 'loopback';
    const origin = serverUrl || `http://127.0.0.2:${provider.port}`;
    await credentialFor(name, origin);
    await stack.createPipeline(`via-${name}`, PROJECT, { repositoryUrl: `${origin}/app`, credentialRef: { name } });
    const before = provider.requests.length;
    const res = await stack.api(`/api/v1/namespaces/${PROJECT}/pipelines/via-${name}/run`, { branch: 'main' });
    expect(res.status).toBe(422);
    expect(res.body.detail).toContain(why);
    expect(JSON.stringify(res.body)).not.toContain(TOKEN);
    // The credential controller's own repository listing for an earlier test's credential (a token the provider
    // does not know: 401, no user) may land meanwhile, as CI saw once; it is not this run's. Nothing else may.
    const backgroundListing = (r: { path: string; user?: string }) => r.path === '/api/v1/user/repos' && r.user === undefined;
    expect(provider.requests.slice(before).filter((r) => !backgroundListing(r))).toEqual([]);
  });

  async function pointPipelineAt(url: string): Promise<void> {
    await alice.resource(Keelson.Pipeline).patch(PROJECT, 'private', { spec: { repositoryUrl: url } });
  }

  it('runs with the token at its provider', async () => {
    const name = await run('main', 'private');
    expect((await stack.waitForPhase(name, ['Succeeded', 'Failed', 'Aborted'])).status?.phase).toBe('Succeeded');
    expect(provider.requests.some((r) => r.user === 'alice' && r.status === 200)).toBe(true);
  });

  it.each([
    ['another server on the same host', () => foreign.url('app'), () => `127.0.0.1:${foreign.port}`],
    ['the cloud metadata address', () => 'http://169.254.169.254/latest/meta-data.git', () => '169.254.169.254'],
    ['loopback on another port', () => `http://localhost:${foreign.port}/app`, () => `localhost:${foreign.port}`],
  ])('never sends the token to %s: the run answers 422 naming the host', async (_what, url, host) => {
    const before = foreign.requests.length;
    await pointPipelineAt(url());
    const res = await stack.api(`/api/v1/namespaces/${PROJECT}/pipelines/private/run`, { branch: 'main' });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('RepositoryAccessDenied');
    expect(res.body.detail).toContain(host());
    expect(JSON.stringify(res.body)).not.toContain(TOKEN);
    expect(foreign.requests.slice(before)).toEqual([]);
  });

  afterEach(async () => {
    await pointPipelineAt(provider.url('app'));
  });
});

describe('approvals', () => {
  const GATED = `stages:
- name: gate
  steps:
  - approval: {message: Ship it?, users: [admin]}
- name: ship
  steps:
  - runScriptConfig: {image: alpine:3.20, shellScript: echo shipped}
`;

  it('refuses an approval by a user not listed, naming who may approve, and takes the listed one', async () => {
    const name = await runConfig('gated-admin', GATED);
    await waitFor('the approval waits', async () => (await stack.execution(name)).status?.stages?.[0]?.steps[0]?.phase === 'Waiting', { timeoutMs: 60_000 });
    const byAlice = await stack.api(`/api/v1/namespaces/${PROJECT}/pipelineexecutions/${name}/approve`, { stage: 'gate', step: 0 }, aliceToken);
    expect(byAlice.status).toBe(403);
    expect(JSON.stringify(byAlice.body)).toContain('admin');
    expect((await stack.execution(name)).status?.stages?.[0]?.steps[0]?.phase).toBe('Waiting');
    const byAdmin = await stack.api(`/api/v1/namespaces/${PROJECT}/pipelineexecutions/${name}/approve`, { stage: 'gate', step: 0 });
    expect(byAdmin.status).toBe(200);
    expect((await stack.waitForPhase(name, ['Succeeded', 'Failed', 'Aborted'])).status?.phase).toBe('Succeeded');
  });
});

describe('a retried run request', () => {
  it('makes one execution for one Idempotency-Key', async () => {
    const send = () => fetch(`${stack.manager.url}/api/v1/namespaces/${PROJECT}/pipelines/sample/run`, {
      method: 'POST', body: JSON.stringify({ branch: 'main' }),
      headers: { authorization: `Bearer ${stack.adminToken}`, 'content-type': 'application/json', 'idempotency-key': 'retry-after-timeout-1' },
    }).then(async (r) => ({ status: r.status, body: (await r.json()) as { metadata: { name: string } } }));
    const count = async () => (await stack.kube.resource(Keelson.PipelineExecution).list(PROJECT)).items.length;
    const before = await count();
    const first = await send();
    const second = await send();
    expect(first.status).toBe(201);
    expect([200, 201]).toContain(second.status);
    expect(second.body.metadata.name).toBe(first.body.metadata.name);
    expect(await count()).toBe(before + 1);
  });
});
