// The preparer against a real apiserver: a pipeline whose credentials are missing is refused with a message that
// names what is missing (the run API answers 422 with it), before git is ever asked. A credential goes only to
// its SourceCodeProvider's server (ADR 0004), proven with real git servers that record what reached them.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Core, Keelson, KubeClient } from '@keelson/kube';
import { GitCliConfigSource, type ConfigSource } from '@keelson/git-source';
import type { OutboundPolicy } from '@keelson/outbound';
import { ControlPlane, createGitRepository, GitHttpServer } from '@keelson/servers';
import { ExecutionPreparer } from '../../apps/manager/src/executions/execution-preparer';
import { ExecutionError } from '../../apps/manager/src/executions/execution.errors';

const TOKEN = 'tok-preparer-7c1e';
const CONFIG = 'stages:\n- name: a\n  steps:\n  - runScriptConfig: {image: alpine:3.20, shellScript: echo hi}\n';
// The test servers listen on 127.0.0.1 over http: what OUTBOUND_ALLOW_HTTP=true and OUTBOUND_ALLOW_CIDRS=127.0.0.0/8 allow.
const LOCAL: OutboundPolicy = { allowHttp: true, allowCidrs: ['127.0.0.0/8'] };

let cp: ControlPlane;
let kube: KubeClient;
const asked: string[] = [];
const source: ConfigSource = {
  resolveCommit: async (url) => {
    asked.push(url);
    return 'a'.repeat(40);
  },
  readFile: async () => 'stages: []\n',
  readFirstFile: async (_url, _commit, paths) => ({ path: paths[0], text: 'stages: []\n' }),
};

beforeAll(async () => {
  cp = await ControlPlane.start();
  kube = new KubeClient({ kubeconfigPath: cp.adminKubeconfig });
  await kube.resource(Core.Namespace).create({ metadata: { name: 'demo' } });
}, 120_000);
afterAll(() => cp?.stop());
beforeEach(() => void asked.splice(0));

async function pipelineWith(name: string, credential: string | undefined, repositoryUrl = `https://git.example.com/demo/${name}.git`) {
  return kube.resource(Keelson.Pipeline).create({
    apiVersion: 'devops.keelson.dev/v1alpha1', kind: 'Pipeline', metadata: { namespace: 'demo', name },
    spec: { repositoryUrl, ...(credential && { credentialRef: { name: credential } }) } as never,
  });
}

async function provider(name: string, spec: { type: 'github' | 'gitlab' | 'gitea' | 'bitbucket'; serverUrl?: string; enabled?: boolean }) {
  await kube.resource(Keelson.SourceCodeProvider).create({
    apiVersion: 'devops.keelson.dev/v1alpha1', kind: 'SourceCodeProvider', metadata: { namespace: 'demo', name }, spec: { enabled: true, ...spec },
  });
}

/** A SourceCodeCredential of `providerName` with its token Secret. */
async function credential(name: string, providerName: string, withSecret = true) {
  await kube.resource(Keelson.SourceCodeCredential).create({
    apiVersion: 'devops.keelson.dev/v1alpha1', kind: 'SourceCodeCredential', metadata: { namespace: 'demo', name },
    spec: { providerRef: { name: providerName }, userName: 'alice', loginName: 'alice', tokenSecretRef: { name: `${name}-token` } } as never,
  });
  if (withSecret) await kube.resource(Core.Secret).create({ metadata: { namespace: 'demo', name: `${name}-token` }, stringData: { accessToken: TOKEN } } as never);
}

async function refusal(pipeline: Awaited<ReturnType<typeof pipelineWith>>, preparer = new ExecutionPreparer(kube, source)): Promise<ExecutionError> {
  const err = await preparer.prepare(pipeline, { branch: 'main' }).then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ExecutionError);
  return err as ExecutionError;
}

it('refuses a pipeline whose SourceCodeCredential is missing, naming it', async () => {
  const err = await refusal(await pipelineWith('no-credential', 'gone'));
  expect(err).toMatchObject({ code: 'RepositoryAccessDenied', message: 'pipeline demo/no-credential: SourceCodeCredential gone (spec.credentialRef) not found' });
  expect(asked).toEqual([]);
});

it('refuses a pipeline whose credential points at a missing Secret or key, naming it', async () => {
  await provider('example', { type: 'gitea', serverUrl: 'https://git.example.com' });
  await credential('alice', 'example', false);
  const pipeline = await pipelineWith('no-secret', 'alice');
  expect((await refusal(pipeline)).message).toBe('pipeline demo/no-secret: Secret alice-token of SourceCodeCredential alice not found');
  await kube.resource(Core.Secret).create({ metadata: { namespace: 'demo', name: 'alice-token' }, stringData: { other: 'x' } } as never);
  expect((await refusal(pipeline)).message).toBe('pipeline demo/no-secret: Secret alice-token has no key accessToken');
  expect(asked).toEqual([]);
});

describe('a credential is bound to its provider', () => {
  it('refuses a credential whose provider is missing or disabled, and a gitea provider without a server URL', async () => {
    await credential('orphan', 'nobody');
    expect((await refusal(await pipelineWith('orphan', 'orphan'))).message).toBe('pipeline demo/orphan: SourceCodeProvider nobody of SourceCodeCredential orphan not found');
    await provider('off', { type: 'gitea', serverUrl: 'https://git.example.com', enabled: false });
    await credential('off-login', 'off');
    expect((await refusal(await pipelineWith('off', 'off-login'))).message).toBe('pipeline demo/off: SourceCodeProvider off of SourceCodeCredential off-login is disabled');
    await provider('bare-gitea', { type: 'gitea' });
    await credential('bare-login', 'bare-gitea');
    expect((await refusal(await pipelineWith('bare', 'bare-login'))).message).toContain('SourceCodeProvider bare-gitea (gitea) has no spec.serverUrl');
    expect(asked).toEqual([]);
  });

  it('defaults the server by provider type, and refuses a repository on another host, naming it and the provider', async () => {
    await provider('github', { type: 'github' });
    await credential('octo', 'github');
    const ok = await new ExecutionPreparer(kube, source).prepare(await pipelineWith('on-github', 'octo', 'https://github.com/acme/app.git'), { branch: 'main' });
    expect(ok.spec.commit).toBe('a'.repeat(40));
    expect(asked).toEqual(['https://github.com/acme/app.git']);
    for (const [name, url] of [['on-gitlab', 'https://gitlab.com/acme/app.git'], ['github-http', 'http://github.com/acme/app.git'], ['github-port', 'https://github.com:8443/acme/app.git']]) {
      const err = await refusal(await pipelineWith(name, 'octo', url));
      expect(err.code).toBe('RepositoryAccessDenied');
      expect(err.message).toBe(`pipeline demo/${name}: the token of SourceCodeCredential octo is only sent to its SourceCodeProvider github (https://github.com), not to ${new URL(url).origin}; point spec.repositoryUrl at https://github.com or use a credential of that server's provider`);
    }
    expect(asked).toEqual(['https://github.com/acme/app.git']);
  });
});

describe('with real git servers', () => {
  let root: string;
  let serverA: GitHttpServer; // the provider's server, which knows the token
  let serverB: GitHttpServer; // another server, which would take the token if it were sent
  let movedA: GitHttpServer; // the provider's server, redirecting everything to server B

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'keelson-preparer-'));
    await createGitRepository({ '.devops.yml': CONFIG }, { dir: join(root, 'app') });
    serverA = await GitHttpServer.start({ root, username: 'alice', password: TOKEN });
    serverB = await GitHttpServer.start({ root, username: 'alice', password: TOKEN });
    movedA = await GitHttpServer.start({ root, redirectTo: serverB.baseUrl });
    await provider('server-a', { type: 'gitea', serverUrl: serverA.baseUrl });
    await credential('alice-a', 'server-a');
    await provider('moved-a', { type: 'gitea', serverUrl: movedA.baseUrl });
    await credential('alice-moved', 'moved-a');
  });
  afterAll(async () => {
    await Promise.all([serverA, serverB, movedA].map((s) => s?.stop()));
    await rm(root, { recursive: true, force: true });
  });

  const git = (policy: OutboundPolicy = LOCAL) => new ExecutionPreparer(kube, new GitCliConfigSource({ outbound: policy }), policy);

  it('reads the config with the token from the provider\'s own server', async () => {
    const prepared = await git().prepare(await pipelineWith('at-a', 'alice-a', serverA.url('app')), { branch: 'main' });
    expect(prepared.configError).toBeUndefined();
    expect(prepared.spec.config).toMatchObject({ stages: [{ name: 'a' }] });
    expect(serverA.requests.some((r) => r.user === 'alice' && r.status === 200)).toBe(true);
  });

  it('refuses a repository on server B with server A\'s credential, and B receives no request at all', async () => {
    const err = await refusal(await pipelineWith('at-b', 'alice-a', serverB.url('app')), git());
    expect(err.code).toBe('RepositoryAccessDenied');
    expect(err.message).toContain(`SourceCodeProvider server-a (${serverA.baseUrl}), not to ${serverB.baseUrl}`);
    expect(err.message).not.toContain(TOKEN);
    expect(serverB.requests).toEqual([]);
  });

  it('does not follow a redirect from the provider\'s server to another origin', async () => {
    const err = await refusal(await pipelineWith('redirected', 'alice-moved', movedA.url('app')), git());
    expect(err.code).toBe('RepositoryAccessDenied');
    expect(err.message).toContain('redirects are never followed');
    expect(movedA.requests.some((r) => r.status === 302)).toBe(true);
    expect(serverB.requests).toEqual([]);
  });

  it('refuses the provider\'s own server over plain http unless the operator allows http', async () => {
    const before = serverA.requests.length;
    const err = await refusal(await pipelineWith('https-only', 'alice-a', serverA.url('app')), git({ allowHttp: false, allowCidrs: ['127.0.0.0/8'] }));
    expect(err.code).toBe('RepositoryAccessDenied');
    expect(err.message).toContain('plain http is refused by the outbound policy');
    expect(serverA.requests.length).toBe(before);
  });

  it('refuses loopback and the metadata address for public pipelines too, and reaches loopback once 127.0.0.0/8 is allowed', async () => {
    const strict = git({ allowHttp: true, allowCidrs: [] });
    const before = serverB.requests.length;
    const loopback = await refusal(await pipelineWith('public-loopback', undefined, serverB.url('app')), strict);
    expect(loopback).toMatchObject({ code: 'RepositoryAccessDenied', message: expect.stringContaining('127.0.0.1, a loopback address (127.0.0.0/8)') });
    const metadata = await refusal(await pipelineWith('public-metadata', undefined, 'http://169.254.169.254/latest/meta-data.git'), strict);
    expect(metadata).toMatchObject({ code: 'RepositoryAccessDenied', message: expect.stringContaining('169.254.169.254, a link-local address (169.254.0.0/16, the cloud metadata address)') });
    expect(serverB.requests.length).toBe(before);
    // Server B asks every client for the token, so a public pipeline reaches it and is turned away by git itself.
    const asPublic = await refusal(await kube.resource(Keelson.Pipeline).get('demo', 'public-loopback'), git());
    expect(asPublic.code).toBe('RepositoryAccessDenied');
    expect(serverB.requests.slice(before).map((r) => [r.status, r.authorization])).toEqual([[401, undefined]]);
  });
});
