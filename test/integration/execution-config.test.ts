// The config route's reader against a real apiserver and a real git server: a run's pipeline file is read again at
// the run's commit, with the pipeline's token sent to its provider's server only (the preparer's own rule, shared);
// an unreachable server is RepositoryUnreachable (502 repository-unreachable), a file that is not at the commit
// ConfigNotFound (404).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Core, Keelson, KubeClient } from '@keelson/kube';
import { CachedConfigSource, GitCliConfigSource } from '@keelson/git-source';
import type { OutboundPolicy } from '@keelson/outbound';
import { ControlPlane, createGitRepository, freePort, GitHttpServer, type GitRepository } from '@keelson/servers';
import { toProblem } from '../../apps/manager/src/api/problem/problem-mapping';
import { ExecutionConfigReader } from '../../apps/manager/src/executions/execution-config.reader';
import { ExecutionError } from '../../apps/manager/src/executions/execution.errors';

const TOKEN = 'tok-config-route-51a9';
const FIRST = 'stages:\n- name: a\n  steps:\n  - runScriptConfig: {image: alpine:3.20, shellScript: echo first}\n';
const BROKEN = 'stages:\n- name: a\n  steps:\n  - runScriptConfig: {imag: alpine:3.20, shellScript: echo later}\n';
// The test servers listen on 127.0.0.1 over http: what OUTBOUND_ALLOW_HTTP=true and OUTBOUND_ALLOW_CIDRS=127.0.0.0/8 allow.
const LOCAL: OutboundPolicy = { allowHttp: true, allowCidrs: ['127.0.0.0/8'] };

let cp: ControlPlane;
let kube: KubeClient;
let root: string;
let repo: GitRepository;
let server: GitHttpServer;
let reader: ExecutionConfigReader;
let first: string;
let broken: string;

beforeAll(async () => {
  cp = await ControlPlane.start();
  // The manager's identity: the reader is the manager's, and only it may write what an execution runs (commit, configPath).
  kube = new KubeClient({ kubeconfigPath: cp.managerKubeconfig });
  await kube.resource(Core.Namespace).create({ metadata: { name: 'demo' } });
  root = await mkdtemp(join(tmpdir(), 'keelson-config-route-'));
  repo = await createGitRepository({ '.devops.yml': FIRST }, { dir: join(root, 'app') });
  first = repo.initialCommit;
  broken = await repo.commit({ '.devops.yml': BROKEN }, 'break it');
  server = await GitHttpServer.start({ root, username: 'alice', password: TOKEN });
  await kube.resource(Keelson.SourceCodeProvider).create({
    apiVersion: 'devops.keelson.dev/v1alpha1', kind: 'SourceCodeProvider', metadata: { namespace: 'demo', name: 'local' }, spec: { type: 'gitea', serverUrl: server.baseUrl, enabled: true },
  } as never);
  await kube.resource(Keelson.SourceCodeCredential).create({
    apiVersion: 'devops.keelson.dev/v1alpha1', kind: 'SourceCodeCredential', metadata: { namespace: 'demo', name: 'alice' },
    spec: { providerRef: { name: 'local' }, userName: 'alice', loginName: 'alice', tokenSecretRef: { name: 'alice-token' } },
  } as never);
  await kube.resource(Core.Secret).create({ metadata: { namespace: 'demo', name: 'alice-token' }, stringData: { accessToken: TOKEN } } as never);
  await kube.resource(Keelson.Pipeline).create({
    apiVersion: 'devops.keelson.dev/v1alpha1', kind: 'Pipeline', metadata: { namespace: 'demo', name: 'web' },
    spec: { repositoryUrl: server.url('app'), credentialRef: { name: 'alice' } } as never,
  });
  // The production wiring: the cached git source with the outbound policy, the same policy for the credential.
  reader = new ExecutionConfigReader(kube, new CachedConfigSource(new GitCliConfigSource({ outbound: LOCAL })), LOCAL);
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await cp?.stop();
  if (root) await rm(root, { recursive: true, force: true });
});

/** A run of `web` at `commit`, as the creator records it. */
async function runAt(name: string, commit: string, configPath = '.devops.yml'): Promise<void> {
  await kube.resource(Keelson.PipelineExecution).create({
    apiVersion: 'devops.keelson.dev/v1alpha1', kind: 'PipelineExecution', metadata: { namespace: 'demo', name },
    spec: { pipelineRef: { name: 'web' }, run: 1, commit, branch: 'main', repositoryUrl: server.url('app'), configPath, fork: false, stop: false },
  } as never);
}

async function refusal(name: string): Promise<ExecutionError> {
  const err = await reader.read('demo', name).then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ExecutionError);
  return err as ExecutionError;
}

it('reads the file at the run\'s commit, not the branch\'s tip, with the pipeline\'s token on its provider\'s server', async () => {
  await runAt('web-1', first);
  expect(await reader.read('demo', 'web-1')).toEqual({ path: '.devops.yml', commit: first, text: FIRST, warnings: [], errors: [] });
  expect(server.requests.some((r) => r.user === 'alice' && r.status === 200)).toBe(true);
});

it('locates the compile errors of a file that does not compile on their lines', async () => {
  await runAt('web-2', broken);
  const read = await reader.read('demo', 'web-2');
  expect(read.text).toBe(BROKEN);
  expect(read.errors).toEqual([
    { line: 4, column: 5, message: expect.stringContaining('missing the required key "image"') },
    { line: 4, column: 23, message: expect.stringContaining('unknown key "imag"') },
  ]);
});

it('answers ConfigNotFound (404) for a file that is not at the commit, and for a commit the repository does not have', async () => {
  await runAt('web-3', first, '.rancher-pipeline.yml');
  await runAt('web-4', 'f'.repeat(40));
  for (const name of ['web-3', 'web-4']) {
    const err = await refusal(name);
    expect(err.code).toBe('ConfigNotFound');
    expect(toProblem(err)?.status).toBe(404);
  }
});

it('answers RepositoryUnreachable (502 repository-unreachable, Retry-After) when nothing answers at the repository', async () => {
  const nowhere = `http://127.0.0.1:${await freePort()}/app`;
  await kube.resource(Keelson.Pipeline).create({
    apiVersion: 'devops.keelson.dev/v1alpha1', kind: 'Pipeline', metadata: { namespace: 'demo', name: 'down' }, spec: { repositoryUrl: nowhere } as never,
  });
  await kube.resource(Keelson.PipelineExecution).create({
    apiVersion: 'devops.keelson.dev/v1alpha1', kind: 'PipelineExecution', metadata: { namespace: 'demo', name: 'down-1' },
    spec: { pipelineRef: { name: 'down' }, run: 1, commit: first, branch: 'main', repositoryUrl: nowhere, configPath: '.devops.yml', fork: false, stop: false },
  } as never);
  const err = await refusal('down-1');
  expect(err.code).toBe('RepositoryUnreachable');
  expect(toProblem(err)).toMatchObject({ status: 502, type: 'https://keelson.dev/problems/repository-unreachable', headers: { 'Retry-After': '10' } });
});
