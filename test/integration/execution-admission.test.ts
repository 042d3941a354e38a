// The admission policy of crds/ on a real kube-apiserver (ADR 0004): a tenant with every RBAC right on executions,
// and even a cluster admin, may name a pipeline and a branch or commit and stop a run, nothing more; only the
// manager's identity writes a full spec or a status. Then the manager completing a hand-made execution takes
// the repository and the config from the Pipeline and git, whatever the object says.
import { Core, Keelson, KubeClient, KubeError, type ObjectOf } from '@keelson/kube';
import { GitCliConfigSource } from '@keelson/git-source';
import { silentLogger } from '@keelson/observability';
import { ControlPlane, GitRepository, waitFor } from '@keelson/servers';
import { ExecutionCreator } from '../../apps/manager/src/executions/execution-creator.service';
import { ExecutionPreparer } from '../../apps/manager/src/executions/execution-preparer';
import { RunNumberAllocator } from '../../apps/manager/src/executions/run-number.allocator';

type Execution = ObjectOf<typeof Keelson.PipelineExecution>;

const ns = 'tenant-a';
const SHA = 'b'.repeat(40);
const DEVOPS_YML = 'stages:\n- name: build\n  steps:\n  - runScriptConfig: {image: alpine:3.20, shellScript: echo from git}\n';

let cp: ControlPlane;
let admin: KubeClient;
let manager: KubeClient;
let alice: KubeClient;
let repo: GitRepository;

beforeAll(async () => {
  cp = await ControlPlane.start();
  admin = new KubeClient({ kubeconfigPath: cp.adminKubeconfig });
  manager = new KubeClient({ kubeconfigPath: cp.managerKubeconfig });
  alice = new KubeClient({ kubeconfigPath: cp.userKubeconfig });
  repo = await GitRepository.create({ '.devops.yml': DEVOPS_YML });
  await admin.resource(Core.Namespace).create({ metadata: { name: ns } });
  // Every right on executions, their status included: what is refused below is refused by the policy, not by RBAC.
  await cp.kubectl(['create', 'role', 'executions-edit', '-n', ns, '--verb', '*',
    '--resource', 'pipelineexecutions.devops.keelson.dev,pipelineexecutions.devops.keelson.dev/status,pipelines.devops.keelson.dev']);
  await cp.kubectl(['create', 'rolebinding', 'alice-executions', '-n', ns, '--role', 'executions-edit', '--user', cp.user.name]);
  for (const [name, configPath] of [['web', '.devops.yml'], ['missing-file', 'nope.yml']]) {
    await admin.resource(Keelson.Pipeline).create({
      apiVersion: 'devops.keelson.dev/v1alpha1', kind: 'Pipeline', metadata: { namespace: ns, name },
      spec: { repositoryUrl: repo.fileUrl, configPath, suspend: false },
    });
  }
  // The apiserver loads a new policy a moment after it is created.
  await waitFor('the admission policy to be enforced', () => alice.resource(Keelson.PipelineExecution)
    .create(execution('probe', { repositoryUrl: 'https://example.com/x.git' }), { dryRun: true })
    .then(() => false, (err) => err instanceof KubeError && err.status === 403), { timeoutMs: 30_000 });
}, 120_000);
afterAll(async () => {
  await repo?.remove();
  await cp?.stop();
});

function execution(name: string, spec: Record<string, unknown> = {}): Execution {
  return {
    apiVersion: 'devops.keelson.dev/v1alpha1', kind: 'PipelineExecution', metadata: { namespace: ns, name },
    spec: { pipelineRef: { name: 'web' }, branch: 'main', ...spec },
  } as Execution;
}

async function refusal(promise: Promise<unknown>): Promise<KubeError> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  if (err instanceof KubeError) return err;
  throw err ?? new Error('the apiserver admitted the request');
}

let seq = 0;
const fresh = (what: string) => `${what}-${++seq}`;

describe('a tenant creating an execution', () => {
  it('is refused repositoryUrl with a message that says Keelson sets it and how to run instead', async () => {
    const name = fresh('foreign-repo');
    const err = await refusal(alice.resource(Keelson.PipelineExecution).create(execution(name, { repositoryUrl: 'https://evil.example.com/steal.git' })));
    expect(err.status).toBe(403);
    expect(err.message).toContain('spec.repositoryUrl is set by Keelson from the Pipeline; create an execution with pipelineRef and a branch or commit');
    expect(await admin.resource(Keelson.PipelineExecution).find(ns, name)).toBeUndefined();
  });

  it.each([
    ['config', { config: { stages: [] } }, 'spec.config is set by Keelson from the pipeline file at the commit'],
    ['configPath', { configPath: 'other.yml' }, 'spec.configPath is set by Keelson from the Pipeline'],
    ['run', { run: 999 }, 'spec.run is set by Keelson from the run counter of the Pipeline'],
    ['tag', { tag: 'v1.0.0' }, 'spec.tag is set by Keelson'],
    ['ref', { ref: 'refs/heads/main' }, 'spec.ref is set by Keelson'],
    ['author', { author: { name: 'Someone Else' } }, 'spec.author is set by Keelson'],
    ['title', { title: 'Release' }, 'spec.title is set by Keelson'],
    ['message', { message: 'Release' }, 'spec.message is set by Keelson'],
    ['htmlUrl', { htmlUrl: 'https://example.com/pr/1' }, 'spec.htmlUrl is set by Keelson'],
    ['fork: true', { fork: true }, 'spec.fork is set by Keelson'],
    ['a webhook event', { trigger: { event: 'push' } }, 'spec.trigger.event is set by Keelson'],
    ['a delivery id', { trigger: { event: 'manual', deliveryId: 'forged-1' } }, 'spec.trigger.deliveryId is set by Keelson'],
    ['a rerun', { trigger: { event: 'manual', rerunOf: 'web-1' } }, 'spec.trigger.rerunOf is set by Keelson'],
    ['someone else as the user', { trigger: { event: 'manual', user: 'bob' } }, `spec.trigger.user records who ran the execution: leave it out or set it to your own name, alice`],
  ])('is refused %s, naming the field', async (_what, spec, message) => {
    const name = fresh('forged');
    const err = await refusal(alice.resource(Keelson.PipelineExecution).create(execution(name, spec)));
    expect(err.status).toBe(403);
    expect(err.message).toContain(message);
    expect(await admin.resource(Keelson.PipelineExecution).find(ns, name)).toBeUndefined();
  });

  it('may name the pipeline and a branch, or a commit, with fork false, stop, and a manual trigger naming herself', async () => {
    const plain = await alice.resource(Keelson.PipelineExecution).create(execution(fresh('plain')));
    expect(plain.spec).toEqual({ pipelineRef: { name: 'web' }, branch: 'main', fork: false, stop: false });
    const full = await alice.resource(Keelson.PipelineExecution).create(execution(fresh('all-allowed'), {
      commit: SHA, fork: false, stop: true, trigger: { event: 'manual', user: 'alice' },
    }));
    expect(full.spec.trigger).toEqual({ event: 'manual', user: 'alice' });
  });

  it('is refused even as a cluster admin: only the manager identity decides what runs', async () => {
    const name = fresh('admin-repo');
    const err = await refusal(admin.resource(Keelson.PipelineExecution).create(execution(name, { repositoryUrl: 'https://evil.example.com/steal.git' })));
    expect(err.status).toBe(403);
    expect(err.message).toContain('spec.repositoryUrl is set by Keelson');
    const status = await refusal(admin.resource(Keelson.PipelineExecution).patchStatus(ns, (await alice.resource(Keelson.PipelineExecution).create(execution(fresh('admin-status')))).metadata.name!, { phase: 'Succeeded' }));
    expect(status.message).toContain('status is written by Keelson only');
  });
});

describe('the manager identity', () => {
  it('creates an execution with a full spec and writes its status', async () => {
    const created = await manager.resource(Keelson.PipelineExecution).create(execution(fresh('webhook'), {
      run: 7, commit: SHA, ref: 'refs/heads/main', repositoryUrl: 'https://github.com/stranger/fork.git', fork: true, configPath: '.devops.yml',
      config: { stages: [{ name: 'build', steps: [] }] }, title: 'Fix', author: { name: 'Stranger' }, htmlUrl: 'https://github.com/acme/web/pull/3',
      trigger: { event: 'pull_request', deliveryId: 'd-1' },
    }));
    expect(created.spec).toMatchObject({ run: 7, fork: true, repositoryUrl: 'https://github.com/stranger/fork.git', trigger: { event: 'pull_request', deliveryId: 'd-1' } });
    const written = await manager.resource(Keelson.PipelineExecution).patchStatus(ns, created.metadata.name!, { phase: 'Queued', reason: 'waiting' });
    expect(written.status?.phase).toBe('Queued');
  });
});

describe('a tenant changing an execution', () => {
  let name: string;

  beforeAll(async () => {
    // Made by the tenant and completed by the manager, as the controller does.
    name = (await alice.resource(Keelson.PipelineExecution).create(execution(fresh('mine')))).metadata.name!;
    await manager.resource(Keelson.PipelineExecution).patch(ns, name, { spec: { run: 1, commit: SHA, config: { stages: [] }, repositoryUrl: repo.fileUrl } });
  });

  it.each([
    ['the config', { config: { stages: [{ name: 'evil', steps: [] }] } }, 'spec.config'],
    ['the branch', { branch: 'release' }, 'spec.branch'],
    ['the repository', { repositoryUrl: 'https://evil.example.com/steal.git' }, 'spec.repositoryUrl'],
    ['the run number, removed', { run: null }, 'spec.run'],
    ['the fork flag', { fork: true }, 'spec.fork'],
  ])('is refused a change of %s after creation, naming the field', async (_what, spec, field) => {
    const err = await refusal(alice.resource(Keelson.PipelineExecution).patch(ns, name, { spec }));
    expect(err.status).toBe(403);
    expect(err.message).toContain(`${field} cannot change after the execution was created; only spec.stop may, from false to true`);
    expect((await admin.resource(Keelson.PipelineExecution).get(ns, name)).spec).toMatchObject({ branch: 'main', run: 1, fork: false, config: { stages: [] } });
  });

  it('may label it, which changes no spec', async () => {
    const labelled = await alice.resource(Keelson.PipelineExecution).patch(ns, name, { metadata: { labels: { team: 'a' } } });
    expect(labelled.metadata.labels).toEqual({ team: 'a' });
  });

  it('may stop it, and not take the stop back', async () => {
    const stopped = await alice.resource(Keelson.PipelineExecution).patch(ns, name, { spec: { stop: true } });
    expect(stopped.spec.stop).toBe(true);
    const undo = await refusal(alice.resource(Keelson.PipelineExecution).patch(ns, name, { spec: { stop: false } }));
    expect(undo.message).toContain('spec.stop cannot go back to false');
  });

  it('may not write its status, though RBAC lets her', async () => {
    const err = await refusal(alice.resource(Keelson.PipelineExecution).patchStatus(ns, name, { phase: 'Succeeded' }));
    expect(err.status).toBe(403);
    expect(err.message).toContain('status is written by Keelson only');
    expect((await admin.resource(Keelson.PipelineExecution).get(ns, name)).status?.phase).toBeUndefined();
  });
});

describe('the manager completing an execution someone else created', () => {
  let creator: ExecutionCreator;

  beforeAll(() => {
    const source = new GitCliConfigSource({ allowFileProtocol: true, logger: silentLogger });
    // With the manager's signing key: a delivery id without the intake's proof is still a forgery.
    creator = new ExecutionCreator(manager, new ExecutionPreparer(manager, source), new RunNumberAllocator(manager), undefined, async () => Buffer.alloc(32, 7));
  });

  it('takes the repository and the config from the Pipeline and git, and records the tenant as a manual trigger', async () => {
    const made = await alice.resource(Keelson.PipelineExecution).create(execution(fresh('hand-made'), { trigger: { event: 'manual', user: 'alice' } }));
    const done = await creator.complete(made);
    expect(done.spec).toMatchObject({
      repositoryUrl: repo.fileUrl, configPath: '.devops.yml', commit: repo.initialCommit, branch: 'main', ref: 'refs/heads/main',
      fork: false, trigger: { event: 'manual', user: 'alice' },
    });
    expect(done.spec.run).toBeGreaterThanOrEqual(1);
    expect(done.spec.config).toMatchObject({ stages: [{ name: 'build' }] });
  });

  // Defence in depth: as if the policy were missing, the manager's own identity makes a forged object.
  it('ignores every field a forged execution carries: repository, config, fork, trigger and event details', async () => {
    const forged = await manager.resource(Keelson.PipelineExecution).create(execution(fresh('forged'), {
      repositoryUrl: 'https://evil.example.com/steal.git', configPath: 'evil.yml', config: { stages: 'forged' }, fork: true,
      trigger: { event: 'push', user: 'mallory', deliveryId: 'forged-1', rerunOf: 'web-1' },
      tag: 'v6.6.6', ref: 'refs/tags/v6.6.6', title: 'forged', message: 'forged', htmlUrl: 'https://evil.example.com/', author: { name: 'Mallory' },
    }));
    const done = await creator.complete(forged);
    expect(done.spec).toEqual({
      pipelineRef: { name: 'web' }, run: done.spec.run, branch: 'main', ref: 'refs/heads/main', commit: repo.initialCommit,
      repositoryUrl: repo.fileUrl, configPath: '.devops.yml', config: expect.objectContaining({ stages: [expect.objectContaining({ name: 'build' })] }),
      fork: false, stop: false, trigger: { event: 'manual', user: 'mallory' },
    });
  });

  it('drops a forged config when the pipeline file cannot be read, and fails the execution with the reason', async () => {
    const forged = await manager.resource(Keelson.PipelineExecution).create(execution(fresh('no-file'), {
      pipelineRef: { name: 'missing-file' }, config: { stages: [{ name: 'evil', steps: [] }] },
    }));
    const done = await creator.complete(forged);
    expect(done.spec.config).toBeUndefined();
    expect(done.spec.configPath).toBe('nope.yml');
    expect(done.status).toMatchObject({ phase: 'Failed', reason: `nope.yml: not found at commit ${repo.initialCommit}` });
  });
});
