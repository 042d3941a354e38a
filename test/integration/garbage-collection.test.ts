// Garbage collection (issue 12 §4) by the whole manager against a real kube-apiserver, a real MinIO (the project's,
// reached through DATA_PLANE_MINIO_URL with the data plane's own root Secret) and the Jenkins double: history limits
// per pipeline and per project, the finalizer deleting an execution's logs and job, logRetentionDays expiring logs,
// and the sweep of orphan objects and jobs, each counted in /metrics. Each run's logs are archived by the manager's
// log writer; more objects are written here as it writes them (keys `<namespace>/<pipeline>/<run>/...`, user
// metadata `execution-uid`), and Jenkins jobs left behind are made here too (the writer deletes a run's job once its
// logs are sealed).
import { randomBytes } from 'node:crypto';
import { Client } from 'minio';
import { compileJenkinsJob, JenkinsEngineClient } from '@keelson/engine-jenkins';
import { Core, Keelson, KubeClient, type ObjectOf } from '@keelson/kube';
import { EXECUTION_UID_METADATA, LOGS_BUCKET } from '@keelson/logs';
import { silentLogger } from '@keelson/observability';
import { ControlPlane, GitRepository, MinioServer, RedisServer, freePort, waitFor } from '@keelson/servers';
import { Manager, startManager } from '../../apps/manager/src/manager';
import { aCompileInput } from '../../libs/engine-jenkins/src/compiler/testing/compile-input.builders';
import { credentialsFromSecret, JenkinsDouble, startJenkinsDouble } from '../doubles/jenkins/jenkins-double';

type Execution = ObjectOf<typeof Keelson.PipelineExecution>;

const DEVOPS_YML = 'stages:\n- name: build\n  steps:\n  - runScriptConfig: {image: alpine:3.20, shellScript: echo built}\n';
const DATA_PLANE = 'demo-pipeline';

let cp: ControlPlane;
let redis: RedisServer;
let repo: GitRepository;
let jenkins: JenkinsDouble;
let minio: MinioServer;
let s3: Client;
let manager: Manager;
let admin: KubeClient;
let asManager: KubeClient;
const engine = new JenkinsEngineClient();

beforeAll(async () => {
  cp = await ControlPlane.start();
  redis = await RedisServer.start();
  minio = await MinioServer.start();
  admin = new KubeClient({ kubeconfigPath: cp.adminKubeconfig });
  asManager = new KubeClient({ kubeconfigPath: cp.managerKubeconfig });
  repo = await GitRepository.create({ '.devops.yml': DEVOPS_YML });
  for (const ns of ['keelson-system', 'demo', DATA_PLANE]) await admin.resource(Core.Namespace).create({ metadata: { name: ns } });
  // The data plane's MinIO root Secret, made before provisioning (which keeps a generated Secret that exists) with the
  // test MinIO's credentials: the manager reaches "the project's MinIO" as it would in a cluster.
  await admin.resource(Core.Secret).create({
    metadata: { namespace: DATA_PLANE, name: 'minio-root' }, type: 'Opaque',
    stringData: { username: minio.accessKey, password: minio.secretKey },
  } as never);
  await admin.resource(Keelson.PipelineSetting).create({
    apiVersion: 'devops.keelson.dev/v1alpha1', kind: 'PipelineSetting', metadata: { name: 'settings', namespace: 'demo' },
    spec: { maxConcurrentExecutions: 5, historyLimit: 2, projectHistoryLimit: 3, logRetentionDays: 1 },
  });
  for (const [name, historyLimit] of [['web', undefined], ['api', 5]] as const) {
    await admin.resource(Keelson.Pipeline).create({
      apiVersion: 'devops.keelson.dev/v1alpha1', kind: 'Pipeline', metadata: { name, namespace: 'demo' },
      spec: { repositoryUrl: repo.fileUrl, configPath: '.devops.yml', suspend: false, ...(historyLimit && { historyLimit }) },
    });
  }
  jenkins = await startJenkinsDouble({ credentials: credentialsFromSecret(admin), quietPeriodSeconds: 0 });
  s3 = new Client({ endPoint: '127.0.0.1', port: minio.port, useSSL: false, accessKey: minio.accessKey, secretKey: minio.secretKey, region: 'us-east-1' });
  await s3.makeBucket(LOGS_BUCKET, 'us-east-1');
  manager = await startManager({
    KUBECONFIG: cp.managerKubeconfig, HOST: '127.0.0.1', PORT: String(await freePort()), REDIS_URL: redis.url,
    REDIS_PREFIX: `keelson-${randomBytes(4).toString('hex')}`, ALLOW_FILE_REPOSITORIES: 'true',
    DATA_PLANE_JENKINS_URL: `${jenkins.url()}/{namespace}`, DATA_PLANE_MINIO_URL: minio.endpoint,
    SYNC_BASE_POLL_MS: '100', SYNC_MAX_POLL_MS: '500', SYNC_PROGRESS_INTERVAL_MS: '0', RESYNC_SECONDS: '2', GC_INTERVAL_SECONDS: '1',
  }, silentLogger);
}, 180_000);

afterAll(async () => {
  await manager?.close();
  await jenkins?.stop();
  await minio?.stop();
  await repo?.remove();
  await redis?.stop();
  await cp?.stop();
});

async function run(pipeline: string): Promise<Execution> {
  const res = await fetch(`${manager.url}/api/v1/namespaces/demo/pipelines/${pipeline}/run`, {
    method: 'POST', headers: { authorization: `Bearer ${cp.admin.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ branch: 'main' }),
  });
  expect(res.status).toBe(201);
  const name = ((await res.json()) as Execution).metadata.name!;
  let done: Execution | undefined;
  // Succeeded, and its logs sealed by the writer: nothing of it changes any more.
  await waitFor(`${name} to succeed`, async () => {
    done = await asManager.resource(Keelson.PipelineExecution).find('demo', name);
    return done?.status?.phase === 'Succeeded' && done.status.log?.state === 'Complete';
  }, { timeoutMs: 60_000, intervalMs: 100, onTimeout: () => JSON.stringify(done?.status) });
  return done!;
}

const names = async () => (await admin.resource(Keelson.PipelineExecution).list('demo')).items.map((e) => e.metadata.name!).sort();
const existing = async (name: string) => asManager.resource(Keelson.PipelineExecution).find('demo', name);

/** Log objects as the writer stores them: a sealed log and its index for one step. */
async function putLogs(exe: Pick<Execution, 'spec'> & { metadata: { uid?: string } }, uid = exe.metadata.uid!, step = 0): Promise<string[]> {
  const prefix = `demo/${exe.spec.pipelineRef.name}/${exe.spec.run}/0/${step}/`;
  const keys = [`${prefix}log`, `${prefix}index`];
  for (const key of keys) await s3.putObject(LOGS_BUCKET, key, Buffer.from('a line\n'), 7, { [EXECUTION_UID_METADATA]: uid });
  return keys;
}

async function stored(prefix = 'demo/'): Promise<string[]> {
  const keys: string[] = [];
  for await (const item of s3.listObjectsV2(LOGS_BUCKET, prefix, true) as AsyncIterable<{ name?: string }>) if (item.name) keys.push(item.name);
  return keys.sort();
}

async function jobs(): Promise<string[]> {
  const endpoint = { url: jenkins.url(DATA_PLANE), ...(await credentialsFromSecret(admin)(DATA_PLANE)) };
  return (await engine.listJobs(endpoint)).map((j) => j.name).sort();
}

async function ensureJob(name: string): Promise<void> {
  const endpoint = { url: jenkins.url(DATA_PLANE), ...(await credentialsFromSecret(admin)(DATA_PLANE)) };
  const compiled = compileJenkinsJob(aCompileInput(DEVOPS_YML, { facts: { executionId: name } }));
  await engine.ensureJob(endpoint, { name, configXml: compiled.configXml });
}

/** A counter's value as the manager's /metrics shows it (0 when absent). */
async function metric(name: string, labels = ''): Promise<number> {
  const text = await (await fetch(`${manager.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels ? `{${labels}}` : ''} `));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

describe('history limits', () => {
  it('prune the oldest finished runs of a pipeline beyond its limit, then of the project beyond its own, with their logs and jobs', async () => {
    const web1 = await run('web');
    await putLogs(web1);
    expect(await stored('demo/web/1/')).not.toEqual([]);
    await ensureJob('web-1');
    await run('web');
    await run('web');
    // web keeps 2 (the setting's historyLimit): web-1 goes, its finalizer takes its job and its logs.
    await waitFor('web-1 to be pruned', async () => !(await existing('web-1')), { timeoutMs: 30_000 });
    expect(await jobs()).not.toContain('web-1');
    expect(await stored('demo/web/1/')).toEqual([]);
    expect(await metric('keelson_gc_executions_pruned_total', 'limit="pipeline"')).toBe(1);

    // api keeps 5 of its own, but the project keeps 3: web-2, the oldest finished, goes.
    await run('api');
    await run('api');
    await waitFor('web-2 to be pruned by the project limit', async () => !(await existing('web-2')), { timeoutMs: 30_000 });
    expect(await names()).toEqual(['api-1', 'api-2', 'web-3']);
    expect(await metric('keelson_gc_executions_pruned_total', 'limit="project"')).toBe(1);
  }, 120_000);
});

describe('the execution finalizer', () => {
  it('deletes the logs of a deleted execution and the Jenkins job it left', async () => {
    const exe = (await existing('api-1'))!;
    await ensureJob('api-1'); // as a job left behind (the log writer deletes it once the logs are sealed)
    await putLogs(exe, exe.metadata.uid, 1);
    const own = await stored('demo/api/1/'); // the writer's and ours
    const deletedBefore = await metric('keelson_gc_log_objects_deleted_total', 'cause="execution_deleted"');
    await admin.resource(Keelson.PipelineExecution).delete('demo', 'api-1');
    await waitFor('api-1 to be gone', async () => !(await existing('api-1')), { timeoutMs: 30_000 });
    expect(await jobs()).not.toContain('api-1');
    expect(await stored('demo/api/1/')).toEqual([]);
    expect(await metric('keelson_gc_log_objects_deleted_total', 'cause="execution_deleted"')).toBe(deletedBefore + own.length);
  }, 60_000);
});

describe('logRetentionDays', () => {
  it('deletes the logs of an execution finished longer ago and marks its log Expired, leaving younger ones', async () => {
    const old = (await existing('api-2'))!;
    await putLogs(old, old.metadata.uid, 1);
    const oldLogs = await stored('demo/api/2/');
    const youngLogs = await stored('demo/web/3/');
    expect(youngLogs).not.toEqual([]);
    // Finished two days ago (its logs sealed by the writer): the project keeps logs one day.
    expect(old.status?.log?.state).toBe('Complete');
    await asManager.resource(Keelson.PipelineExecution).patchStatus('demo', 'api-2', {
      completionTime: new Date(Date.now() - 2 * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    });
    let expired: Execution | undefined;
    await waitFor('api-2\'s log to expire', async () => (expired = await existing('api-2'))?.status?.log?.state === 'Expired', { timeoutMs: 20_000 });
    expect(expired!.status!.log).toEqual({ state: 'Expired', reason: expect.stringContaining('logRetentionDays'), time: expect.any(String) });
    const left = await stored();
    expect(left).toEqual(expect.not.arrayContaining(oldLogs));
    expect(left).toEqual(expect.arrayContaining(youngLogs));
    expect(await metric('keelson_gc_logs_expired_total')).toBe(1);
    expect(await metric('keelson_gc_log_objects_deleted_total', 'cause="retention"')).toBe(oldLogs.length);
  }, 60_000);
});

describe('the orphan sweep', () => {
  it('sweeps objects of executions that are gone or were another execution, and Keelson\'s jobs without an execution', async () => {
    const web3 = (await existing('web-3'))!;
    const kept = await putLogs(web3, web3.metadata.uid, 1);
    const gone = await putLogs({ spec: { pipelineRef: { name: 'web' }, run: 1 } as Execution['spec'], metadata: { uid: 'uid-of-web-1' } });
    const sameRunOtherUid = await putLogs(web3, 'uid-of-an-older-web-3', 2);
    await ensureJob('web-1'); // a job whose execution is gone
    const handMade = `<?xml version='1.1' encoding='UTF-8'?>\n<flow-definition plugin="workflow-job"><description>made by hand</description></flow-definition>`;
    const endpoint = { url: jenkins.url(DATA_PLANE), ...(await credentialsFromSecret(admin)(DATA_PLANE)) };
    await engine.ensureJob(endpoint, { name: 'hand-made', configXml: handMade });

    await waitFor('the orphans to be swept', async () => {
      const left = await stored();
      return [...gone, ...sameRunOtherUid].every((k) => !left.includes(k)) && !(await jobs()).includes('web-1');
    }, { timeoutMs: 20_000 });
    expect(await stored()).toEqual(expect.arrayContaining(kept));
    expect(await jobs()).toContain('hand-made');
    expect(await metric('keelson_gc_orphan_objects_swept_total')).toBe(gone.length + sameRunOtherUid.length);
    expect(await metric('keelson_gc_orphan_jobs_swept_total')).toBe(1);
  }, 60_000);
});
