// The sync processor against a real apiserver and the Jenkins double, its clock injected: a build that overruns
// the pipeline timeout is stopped and failed, and so is one Jenkins lost; nothing stays Running forever.
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
  kube = new KubeClient({ kubeconfigPath: cp.adminKubeconfig });
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

async function admittedExecution(name: string): Promise<ObjectOf<typeof Keelson.PipelineExecution>> {
  const parsed = parsePipelineConfig(CONFIG);
  if (!parsed.ok) throw new Error('bad test config');
  const created = await kube.resource(Keelson.PipelineExecution).create({
    apiVersion: 'devops.keelson.dev/v1alpha1', kind: 'PipelineExecution', metadata: { name, namespace: 'demo' },
    spec: {
      pipelineRef: { name: 'web' }, run: 1, commit: '0123456789abcdef0123456789abcdef01234567', branch: 'main', ref: 'refs/heads/main',
      repositoryUrl: 'https://git.example.com/demo/web.git', config: parsed.config as unknown as Record<string, unknown>,
      trigger: { event: 'manual', user: 'admin' }, fork: false, stop: false,
    },
  });
  return kube.resource(Keelson.PipelineExecution).patchStatus('demo', name, { phase: 'Provisioning' }, created.metadata.resourceVersion);
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
    writeFileSync(path, kubeconfigYaml({ ...cp.access(), server: `https://127.0.0.1:${proxy.port}` }));
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
