// The sync processor against a real apiserver and the Jenkins double, its clock injected: a build that overruns
// the pipeline timeout is stopped and failed, and so is one Jenkins lost; nothing stays Running forever. Status
// writes follow the write budget (ADR 0003): progress at most once per interval, phase changes and approvals at once.
import { Core, Keelson, KubeClient, type ObjectOf } from '@keelson/kube';
import { silentLogger } from '@keelson/observability';
import { JenkinsEngineClient } from '@keelson/engine-jenkins';
import { parsePipelineConfig } from '@keelson/pipeline-config';
import type { QueuedJob } from '@keelson/queue';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ControlPlane, TcpProxy, kubeconfigYaml, waitFor } from '@keelson/servers';
import { ExecutionSyncProcessor } from '../../apps/manager/src/sync/execution-sync.processor';
import type { SyncJobData } from '../../apps/manager/src/sync/execution-sync.types';
import { JenkinsDouble, startJenkinsDouble } from '../doubles/jenkins/jenkins-double';

const USER = { username: 'keelson', password: 'not-a-real-password' };
const CONFIG = 'timeout: 1\nstages:\n- name: wait\n  steps:\n  - runScriptConfig: {image: alpine:3.20, shellScript: sleep 600}\n';

let cp: ControlPlane;
let kube: KubeClient;
let jenkins: JenkinsDouble;
let now = Date.now();
let processor: ExecutionSyncProcessor;

beforeAll(async () => {
  cp = await ControlPlane.start();
  // The sync loop is the manager's, and only the manager may write an execution's full spec and its status.
  kube = new KubeClient({ kubeconfigPath: cp.managerKubeconfig });
  jenkins = await startJenkinsDouble({ credentials: async () => USER, quietPeriodSeconds: 0 });
  await kube.resource(Core.Namespace).create({ metadata: { name: 'demo' } });
  processor = new ExecutionSyncProcessor({
    kube, engine: new JenkinsEngineClient(), logger: silentLogger, now: () => now,
    endpoints: { jenkins: async () => ({ url: jenkins.url('demo-pipeline'), ...USER }), kube: async () => kube },
    options: { basePollMs: 10, maxPollMs: 50, progressIntervalMs: 0 },
  });
}, 120_000);
afterAll(async () => {
  await jenkins?.stop();
  await cp?.stop();
});

async function admittedExecution(
  name: string, config = CONFIG, phase: 'Provisioning' | 'Running' = 'Provisioning', pipeline = 'web', spec: Record<string, unknown> = {},
): Promise<ObjectOf<typeof Keelson.PipelineExecution>> {
  const parsed = parsePipelineConfig(config);
  if (!parsed.ok) throw new Error('bad test config');
  const created = await kube.resource(Keelson.PipelineExecution).create({
    apiVersion: 'devops.keelson.dev/v1alpha1', kind: 'PipelineExecution', metadata: { name, namespace: 'demo' },
    spec: {
      pipelineRef: { name: pipeline }, run: 1, commit: '0123456789abcdef0123456789abcdef01234567', branch: 'main', ref: 'refs/heads/main',
      repositoryUrl: 'https://git.example.com/demo/web.git', config: parsed.config as unknown as Record<string, unknown>,
      trigger: { event: 'manual', user: 'admin' }, fork: false, stop: false, ...spec,
    },
  });
  return kube.resource(Keelson.PipelineExecution).patchStatus('demo', name, { phase }, created.metadata.resourceVersion);
}

function jobFor(exe: ObjectOf<typeof Keelson.PipelineExecution>): QueuedJob<SyncJobData> {
  const job: QueuedJob<SyncJobData> = {
    id: exe.metadata.uid!, data: { namespace: 'demo', name: exe.metadata.name!, uid: exe.metadata.uid! },
    updateData: async (data) => void (job.data = data),
  };
  return job;
}

async function syncUntil(job: QueuedJob<SyncJobData>, done: (e: ObjectOf<typeof Keelson.PipelineExecution>) => boolean): Promise<ObjectOf<typeof Keelson.PipelineExecution>> {
  let exe = await kube.resource(Keelson.PipelineExecution).get('demo', job.data.name);
  await waitFor(`${job.data.name} to reach the state`, async () => {
    await processor.process(job);
    exe = await kube.resource(Keelson.PipelineExecution).get('demo', job.data.name);
    return done(exe);
  }, { timeoutMs: 30_000, intervalMs: 100 });
  return exe;
}

it('stops and fails a build that overruns the pipeline timeout', async () => {
  now = Date.now();
  const job = jobFor(await admittedExecution('slow-1'));
  await syncUntil(job, (e) => e.status?.stages?.[0]?.steps[0]?.phase === 'Running');
  now += 3 * 60_000; // past the one-minute timeout and its minute of grace
  const failed = await syncUntil(job, (e) => e.status?.phase !== 'Running');
  expect(failed.status).toMatchObject({ phase: 'Failed', reason: 'timed out after 1 minute' });
  await waitFor('Jenkins to abort the build', async () => jenkins.builds('demo-pipeline').find((b) => b.params.EXECUTION_ID === 'slow-1')?.result === 'ABORTED');
});

it('fails, with the reason, a build that Jenkins lost', async () => {
  now = Date.now();
  const job = jobFor(await admittedExecution('lost-1'));
  await syncUntil(job, (e) => e.status?.stages?.[0]?.steps[0]?.phase === 'Running');
  const build = jenkins.builds('demo-pipeline').find((b) => b.params.EXECUTION_ID === 'lost-1')!;
  expect(jenkins.loseBuild('demo-pipeline', build.job, build.number)).toBe(true);
  const failed = await syncUntil(job, (e) => e.status?.phase !== 'Running');
  expect(failed.status?.phase).toBe('Failed');
  expect(failed.status?.reason).toMatch(/^Jenkins lost build #1/);
  expect(failed.status?.stages?.[0]?.phase).toBe('Aborted');
});

it('keeps the job, and blames nobody, while the apiserver is unreachable', async () => {
  const proxy = await TcpProxy.start(Number(new URL(cp.server).port));
  try {
    const path = join(cp.dir, 'via-proxy.kubeconfig');
    writeFileSync(path, kubeconfigYaml({ ...cp.access(cp.manager), server: `https://127.0.0.1:${proxy.port}` }));
    const viaProxy = new KubeClient({ kubeconfigPath: path });
    const cut = new ExecutionSyncProcessor({
      kube: viaProxy, engine: new JenkinsEngineClient(), logger: silentLogger, now: () => now,
      endpoints: { jenkins: async () => ({ url: jenkins.url('demo-pipeline'), ...USER }), kube: async () => viaProxy },
      options: { basePollMs: 10, maxPollMs: 50, progressIntervalMs: 0 },
    });
    now = Date.now();
    const job = jobFor(await admittedExecution('cut-1'));
    proxy.sever();
    const outcome = await cut.process(job);
    expect(outcome.kind).toBe('again');
    proxy.restore();
    const running = await syncUntil(job, (e) => e.status?.phase === 'Running');
    expect(running.status?.reason).not.toMatch(/Jenkins: it does not answer/);
  } finally {
    await proxy.stop();
  }
});

describe('status writes (ADR 0003 write budget)', () => {
  const QUICK = 'stages:\n- name: one\n  steps:\n  - runScriptConfig: {image: alpine:3.20, shellScript: echo one}\n- name: two\n  steps:\n  - runScriptConfig: {image: alpine:3.20, shellScript: echo two}\n';
  const GATED = 'stages:\n- name: build\n  steps:\n  - runScriptConfig: {image: alpine:3.20, shellScript: sleep 2}\n- name: gate\n  steps:\n  - approval: {message: Ship it?}\n';

  function processorWithInterval(progressIntervalMs: number, engine = new JenkinsEngineClient()): ExecutionSyncProcessor {
    return new ExecutionSyncProcessor({
      kube, engine, logger: silentLogger, now: () => now,
      endpoints: { jenkins: async () => ({ url: jenkins.url('demo-pipeline'), ...USER }), kube: async () => kube },
      options: { basePollMs: 10, maxPollMs: 50, progressIntervalMs },
    });
  }

  /** Runs the job until `done`, recording every resourceVersion the execution had on the way. */
  async function runUntil(p: ExecutionSyncProcessor, job: QueuedJob<SyncJobData>, done: (e: ObjectOf<typeof Keelson.PipelineExecution>) => boolean) {
    const versions = new Set<string>();
    let exe = await kube.resource(Keelson.PipelineExecution).get('demo', job.data.name);
    versions.add(exe.metadata.resourceVersion!);
    await waitFor(`${job.data.name} to reach the state`, async () => {
      await p.process(job);
      exe = await kube.resource(Keelson.PipelineExecution).get('demo', job.data.name);
      versions.add(exe.metadata.resourceVersion!);
      return done(exe);
    }, { timeoutMs: 30_000, intervalMs: 50 });
    return { exe, writes: versions.size - 1 };
  }

  it('writes a short build once, at its end, with its build, start time and stages', async () => {
    now = Date.now();
    const job = jobFor(await admittedExecution('quick-1', QUICK, 'Running'));
    const { exe, writes } = await runUntil(processorWithInterval(60_000), job, (e) => e.status?.phase === 'Succeeded');
    expect(writes).toBe(1);
    const build = jenkins.builds('demo-pipeline').find((b) => b.params.EXECUTION_ID === 'quick-1')!;
    expect(exe.status).toMatchObject({ phase: 'Succeeded', build: { job: build.job, number: build.number }, startTime: expect.any(String), completionTime: expect.any(String) });
    expect(exe.status?.stages?.map((s) => s.phase)).toEqual(['Succeeded', 'Succeeded']);
  });

  it('holds progress back until the interval has passed, then writes it at once', async () => {
    now = Date.now();
    const job = jobFor(await admittedExecution('held-1', CONFIG, 'Running'));
    const p = processorWithInterval(30_000);
    // The build runs in Jenkins, but within the interval the status still says only what admission wrote.
    await waitFor('the build to run', async () => {
      await p.process(job);
      return jenkins.builds('demo-pipeline').some((b) => b.params.EXECUTION_ID === 'held-1' && b.number !== undefined);
    }, { timeoutMs: 30_000, intervalMs: 50 });
    for (let i = 0; i < 5; i++) await p.process(job);
    expect((await kube.resource(Keelson.PipelineExecution).get('demo', 'held-1')).status).toEqual({ phase: 'Running' });
    now += 30_000;
    const { exe, writes } = await runUntil(p, job, (e) => e.status?.stages?.[0]?.steps[0]?.phase === 'Running');
    expect(writes).toBe(1);
    expect(exe.status).toMatchObject({ phase: 'Running', reason: 'running', build: { number: expect.any(Number) }, startTime: expect.any(String) });
  });

  it('records a stage that started after the last progress write as Aborted, not Skipped, when the run is stopped', async () => {
    now = Date.now();
    const job = jobFor(await admittedExecution('stopped-1', CONFIG, 'Running'));
    const p = processorWithInterval(600_000);
    await waitFor('the step to run in Jenkins', async () => {
      await p.process(job);
      const build = jenkins.builds('demo-pipeline').find((b) => b.params.EXECUTION_ID === 'stopped-1');
      return !!build && (jenkins.consoleText('demo-pipeline', build.job, build.number) ?? '').includes('+ sleep 600');
    }, { timeoutMs: 30_000, intervalMs: 50 });
    // Within the interval the status has not said so yet.
    expect((await kube.resource(Keelson.PipelineExecution).get('demo', 'stopped-1')).status).toEqual({ phase: 'Running' });
    await kube.resource(Keelson.PipelineExecution).patch('demo', 'stopped-1', { spec: { stop: true } });
    const { exe } = await runUntil(p, job, (e) => e.status?.phase === 'Aborted');
    expect(exe.status?.stages?.map((s) => [s.phase, s.steps.map((st) => st.phase)])).toEqual([['Aborted', ['Aborted']]]);
  });

  it('writes a Provisioning execution as Running, and a waiting approval, without waiting for the interval', async () => {
    now = Date.now();
    const job = jobFor(await admittedExecution('gated-1', GATED, 'Provisioning'));
    const p = processorWithInterval(600_000);
    const running = await runUntil(p, job, (e) => e.status?.phase === 'Running');
    expect(running.writes).toBe(1);
    const waiting = await runUntil(p, job, (e) => e.status?.reason === 'waiting for approval');
    expect(waiting.writes).toBe(1);
    expect(waiting.exe.status?.stages?.[1]?.steps[0]?.phase).toBe('Waiting');
  });

  it('fails an execution whose pipeline names credentials that are gone, at once and without a build', async () => {
    now = Date.now();
    await kube.resource(Keelson.Pipeline).create({
      apiVersion: 'devops.keelson.dev/v1alpha1', kind: 'Pipeline', metadata: { namespace: 'demo', name: 'private' },
      spec: { repositoryUrl: 'https://git.example.com/demo/private.git', credentialRef: { name: 'gone' } } as never,
    });
    const job = jobFor(await admittedExecution('private-1', QUICK, 'Running', 'private'));
    const { exe } = await runUntil(processorWithInterval(0), job, (e) => e.status?.phase !== 'Running');
    expect(exe.status).toMatchObject({ phase: 'Failed', reason: 'pipeline demo/private: SourceCodeCredential gone (spec.credentialRef) not found' });
    expect(jenkins.builds('demo-pipeline').filter((b) => b.params.EXECUTION_ID === 'private-1')).toHaveLength(0);
  });

  it('registers the token in Jenkins under the execution\'s own id, and only that id in the job, for a checkout at the credential\'s provider', async () => {
    now = Date.now();
    await kube.resource(Keelson.SourceCodeProvider).create({
      apiVersion: 'devops.keelson.dev/v1alpha1', kind: 'SourceCodeProvider', metadata: { namespace: 'demo', name: 'example' },
      spec: { type: 'gitea', serverUrl: 'https://git.example.com', enabled: true },
    });
    await kube.resource(Core.Secret).create({ metadata: { namespace: 'demo', name: 'carol-token' }, stringData: { accessToken: 'tok-sync-at-home' } } as never);
    await kube.resource(Keelson.SourceCodeCredential).create({
      apiVersion: 'devops.keelson.dev/v1alpha1', kind: 'SourceCodeCredential', metadata: { namespace: 'demo', name: 'carol' },
      spec: { providerRef: { name: 'example' }, userName: 'carol', loginName: 'carol', tokenSecretRef: { name: 'carol-token' } } as never,
    });
    await kube.resource(Keelson.Pipeline).create({
      apiVersion: 'devops.keelson.dev/v1alpha1', kind: 'Pipeline', metadata: { namespace: 'demo', name: 'at-home' },
      spec: { repositoryUrl: 'https://git.example.com/demo/web.git', credentialRef: { name: 'carol' } } as never,
    });
    const job = jobFor(await admittedExecution('at-home-1', QUICK, 'Running', 'at-home'));
    const { exe } = await runUntil(processorWithInterval(0), job, (e) => e.status?.phase !== 'Running');
    expect(exe.status?.phase).toBe('Succeeded');
    const jobXml = jenkins.jobConfig('demo-pipeline', exe.status!.build!.job)!;
    expect(jobXml).toContain("credentialsId: &apos;at-home-1-git&apos;");
    expect(jobXml).not.toContain('tok-sync-at-home');
    const stored = await fetch(`${jenkins.url('demo-pipeline')}/credentials/store/system/domain/_/credential/at-home-1-git/config.xml`, {
      headers: { authorization: `Basic ${Buffer.from(`${USER.username}:${USER.password}`).toString('base64')}` },
    });
    expect(stored.status).toBe(200);
    expect(await stored.text()).toContain('<username>carol</username>');
  });

  it('gives Jenkins no token for a checkout outside the credential\'s provider, and fails the execution saying why', async () => {
    now = Date.now();
    await kube.resource(Keelson.SourceCodeProvider).create({
      apiVersion: 'devops.keelson.dev/v1alpha1', kind: 'SourceCodeProvider', metadata: { namespace: 'demo', name: 'elsewhere' },
      spec: { type: 'gitea', serverUrl: 'https://git.elsewhere.example', enabled: true },
    });
    await kube.resource(Core.Secret).create({ metadata: { namespace: 'demo', name: 'bob-token' }, stringData: { accessToken: 'tok-sync-never-sent' } } as never);
    await kube.resource(Keelson.SourceCodeCredential).create({
      apiVersion: 'devops.keelson.dev/v1alpha1', kind: 'SourceCodeCredential', metadata: { namespace: 'demo', name: 'bob' },
      spec: { providerRef: { name: 'elsewhere' }, userName: 'bob', loginName: 'bob', tokenSecretRef: { name: 'bob-token' } } as never,
    });
    // The pipeline moved to the other server with bob's credential after this execution was made: the execution
    // still checks out https://git.example.com, where bob's token must not go.
    await kube.resource(Keelson.Pipeline).create({
      apiVersion: 'devops.keelson.dev/v1alpha1', kind: 'Pipeline', metadata: { namespace: 'demo', name: 'moved' },
      spec: { repositoryUrl: 'https://git.elsewhere.example/demo/web.git', credentialRef: { name: 'bob' } } as never,
    });
    const job = jobFor(await admittedExecution('moved-1', QUICK, 'Running', 'moved'));
    const { exe } = await runUntil(processorWithInterval(0), job, (e) => e.status?.phase !== 'Running');
    expect(exe.status?.phase).toBe('Failed');
    expect(exe.status?.reason).toContain('pipeline demo/moved: the token of SourceCodeCredential bob is only sent to its SourceCodeProvider elsewhere (https://git.elsewhere.example), not to https://git.example.com');
    expect(jenkins.builds('demo-pipeline').filter((b) => b.params.EXECUTION_ID === 'moved-1')).toHaveLength(0);
    const stored = await fetch(`${jenkins.url('demo-pipeline')}/credentials/store/system/domain/_/credential/moved-1-git/config.xml`, {
      headers: { authorization: `Basic ${Buffer.from(`${USER.username}:${USER.password}`).toString('base64')}` },
    });
    expect(stored.status).toBe(404);
  });

  it('builds a fork pull request of a private pipeline without reading, registering or naming any credential', async () => {
    now = Date.now();
    // The credential does not exist: reading it would fail the execution, so success shows it was never read.
    await kube.resource(Keelson.Pipeline).create({
      apiVersion: 'devops.keelson.dev/v1alpha1', kind: 'Pipeline', metadata: { namespace: 'demo', name: 'forked' },
      spec: { repositoryUrl: 'https://git.example.com/demo/forked.git', credentialRef: { name: 'gone' } } as never,
    });
    const fork = { fork: true, ref: 'refs/pull/3/head', trigger: { event: 'pull_request' } };
    const job = jobFor(await admittedExecution('forked-1', QUICK, 'Running', 'forked', fork));
    const { exe } = await runUntil(processorWithInterval(0), job, (e) => e.status?.phase !== 'Running');
    expect(exe.status?.phase).toBe('Succeeded');
    const jobXml = jenkins.jobConfig('demo-pipeline', exe.status!.build!.job)!;
    expect(jobXml).toContain('refs/pull/3/head');
    expect(jobXml).not.toContain('credentialsId');
    const stored = await fetch(`${jenkins.url('demo-pipeline')}/credentials/store/system/domain/_/credential/forked-1-git/config.xml`, {
      headers: { authorization: `Basic ${Buffer.from(`${USER.username}:${USER.password}`).toString('base64')}` },
    });
    expect(stored.status).toBe(404);
  });

  it('fails an execution it cannot follow after failing unexpectedly too often in a row, and stops its build', async () => {
    now = Date.now();
    const real = new JenkinsEngineClient();
    const broken = Object.assign(Object.create(real) as JenkinsEngineClient, {
      describe: () => Promise.reject(new TypeError("Cannot read properties of undefined (reading 'stages')")),
    });
    const p = new ExecutionSyncProcessor({
      kube, engine: broken, logger: silentLogger, now: () => now,
      endpoints: { jenkins: async () => ({ url: jenkins.url('demo-pipeline'), ...USER }), kube: async () => kube },
      options: { basePollMs: 10, maxPollMs: 50, progressIntervalMs: 0, maxUnexpectedFailures: 3 },
    });
    const job = jobFor(await admittedExecution('broken-1', CONFIG, 'Running'));
    const outcomes = [await p.process(job), await p.process(job), await p.process(job)];
    expect(outcomes.map((o) => o.kind)).toEqual(['again', 'again', 'again']); // the start, then two failures
    expect((await p.process(job)).kind).toBe('done');
    const exe = await kube.resource(Keelson.PipelineExecution).get('demo', 'broken-1');
    expect(exe.status).toMatchObject({ phase: 'Failed', reason: "Keelson could not follow this execution: Cannot read properties of undefined (reading 'stages')" });
    await waitFor('Jenkins to abort the build', async () => jenkins.builds('demo-pipeline').find((b) => b.params.EXECUTION_ID === 'broken-1')?.result === 'ABORTED');
  });

  it('keeps the job, backing off, when a run fails unexpectedly, and goes on afterwards', async () => {
    now = Date.now();
    const real = new JenkinsEngineClient();
    let failures = 1;
    const flaky = Object.assign(Object.create(real) as JenkinsEngineClient, {
      describe: (...args: Parameters<JenkinsEngineClient['describe']>) => {
        if (failures-- > 0) throw new TypeError("Cannot read properties of undefined (reading 'stages')");
        return real.describe(...args);
      },
    });
    const p = processorWithInterval(0, flaky);
    const job = jobFor(await admittedExecution('flaky-1', QUICK, 'Running'));
    expect((await p.process(job)).kind).toBe('again'); // hands the build to Jenkins
    const failed = await p.process(job);
    expect(failed).toEqual({ kind: 'again', afterMs: 20 });
    const { exe } = await runUntil(p, job, (e) => e.status?.phase === 'Succeeded');
    expect(jenkins.builds('demo-pipeline').filter((b) => b.params.EXECUTION_ID === 'flaky-1')).toHaveLength(1);
    expect(exe.status?.stages?.map((s) => s.phase)).toEqual(['Succeeded', 'Succeeded']);
  });
});
