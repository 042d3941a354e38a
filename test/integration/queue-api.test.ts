// GET /api/v1/namespaces/{ns}/queue on a cluster with a real kube-scheduler and KWOK nodes, served by a manager
// that answers the API only (no controller touches what the test writes): the reasons runs wait, the build pod the
// scheduler cannot place (with the scheduler's own message) or placed on a warm node, the running run's start-latency
// breakdown, and who may read it (RBAC through a SubjectAccessReview; a refusal is problem+json).
import { randomBytes } from 'node:crypto';
import { Core, Keelson, KubeClient, type ObjectOf } from '@keelson/kube';
import { silentLogger } from '@keelson/observability';
import { parsePipelineConfig } from '@keelson/pipeline-config';
import { Cluster, RedisServer, freePort, waitFor } from '@keelson/servers';
import { Manager, startManager } from '../../apps/manager/src/manager';

type Execution = ObjectOf<typeof Keelson.PipelineExecution>;
type Status = NonNullable<Execution['status']>;

const CONFIG = 'stages:\n- name: build\n  steps:\n  - runScriptConfig: {image: alpine:3.20, shellScript: make}\n';

let cluster: Cluster;
let redis: RedisServer;
let manager: Manager;
let admin: KubeClient;
let asManager: KubeClient;

const iso = (msAgo: number) => new Date(Date.now() - msAgo).toISOString();

async function execution(name: string, status: Status): Promise<void> {
  const parsed = parsePipelineConfig(CONFIG);
  if (!parsed.ok) throw new Error('bad test config');
  const created = await asManager.resource(Keelson.PipelineExecution).create({
    apiVersion: 'devops.keelson.dev/v1alpha1', kind: 'PipelineExecution', metadata: { name, namespace: 'demo' },
    spec: {
      pipelineRef: { name: name.replace(/-\d+$/, '') }, run: Number(name.split('-').at(-1)), commit: '0123456789abcdef0123456789abcdef01234567',
      branch: 'main', ref: 'refs/heads/main', repositoryUrl: 'https://git.example.com/demo/web.git',
      config: parsed.config as unknown as Record<string, unknown>, trigger: { event: 'manual', user: 'admin' }, fork: false, stop: false,
    },
  });
  await asManager.resource(Keelson.PipelineExecution).patchStatus('demo', name, status, created.metadata.resourceVersion);
}

/** A build pod as the Jenkins Kubernetes plugin makes it from the compiler's YAML: labelled with its execution. */
async function buildPod(execution: string, cpu: string, preferredNode?: string): Promise<void> {
  await admin.resource(Core.Pod).create({
    metadata: { namespace: 'demo-builds', name: `${execution}-${randomBytes(3).toString('hex')}`, labels: { 'keelson.dev/execution': execution } },
    spec: {
      containers: [{ name: 'jnlp', image: 'jenkins/inbound-agent', resources: { requests: { cpu } } }],
      ...(preferredNode && {
        affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, preference: { matchFields: [{ key: 'metadata.name', operator: 'In', values: [preferredNode] }] } }] } },
      }),
    },
  } as never);
}

async function queue(token: string, ns = 'demo'): Promise<{ status: number; type: string | null; body: any }> {
  const res = await fetch(`${manager.url}/api/v1/namespaces/${ns}/queue`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, type: res.headers.get('content-type'), body: await res.json() };
}

beforeAll(async () => {
  cluster = await Cluster.start({ nodes: [{ name: 'node-a', cpu: '4' }] });
  redis = await RedisServer.start();
  admin = new KubeClient({ kubeconfigPath: cluster.adminKubeconfig });
  asManager = new KubeClient({ kubeconfigPath: cluster.managerKubeconfig });
  for (const ns of ['keelson-system', 'demo', 'demo-builds', 'other']) await admin.resource(Core.Namespace).create({ metadata: { name: ns } });
  // alice may list the executions of demo, and nothing in other.
  await cluster.kubectl(['create', 'role', 'reader', '-n', 'demo', '--verb', 'list', '--resource', 'pipelineexecutions.devops.keelson.dev']);
  await cluster.kubectl(['create', 'rolebinding', 'alice-reader', '-n', 'demo', '--role', 'reader', '--user', cluster.controlPlane.user.name]);
  await admin.resource(Keelson.PipelineSetting).create({
    apiVersion: 'devops.keelson.dev/v1alpha1', kind: 'PipelineSetting', metadata: { name: 'settings', namespace: 'demo' },
    spec: { maxConcurrentExecutions: 3, historyLimit: 100, logRetentionDays: 30 },
  });

  // web-1 runs, its start recorded; web-2's pod asks for more CPU than any node has; web-3's pod is placed on its
  // warm node; api-1 waits for a slot, behind all three.
  await execution('web-1', {
    phase: 'Running', startTime: iso(50_000), reason: 'running', build: { job: 'web-1', number: 1 },
    stages: [{ name: 'build', phase: 'Running', steps: [{ name: 'step-1', phase: 'Running' }] }],
    timeline: [
      { type: 'Created', time: iso(60_000) }, { type: 'Admitted', time: iso(58_000) }, { type: 'DataPlaneReady', time: iso(58_000) },
      { type: 'JenkinsQueued', time: iso(57_000) }, { type: 'BuildStarted', time: iso(56_000) },
      { type: 'PodScheduled', time: iso(55_000), message: 'node-a (cold)' }, { type: 'Running', time: iso(45_000) },
    ],
  });
  await execution('web-2', { phase: 'Running', reason: 'running', build: { job: 'web-2', number: 1 } });
  await execution('web-3', { phase: 'Running', reason: 'running', build: { job: 'web-3', number: 1 } });
  await execution('api-1', { phase: 'Queued', reason: '3 of 3 running in project demo' });
  await buildPod('web-2', '100');
  await buildPod('web-3', '500m', 'node-a');

  manager = await startManager({
    KUBECONFIG: cluster.managerKubeconfig, HOST: '127.0.0.1', PORT: String(await freePort()), ROLES: 'api',
    REDIS_URL: redis.url, REDIS_PREFIX: `keelson-${randomBytes(4).toString('hex')}`,
  }, silentLogger);
}, 180_000);

afterAll(async () => {
  await manager?.close();
  await redis?.stop();
  await cluster?.stop();
});

it('says why each run waits, in the order they will start, and where the running one\'s start time went', async () => {
  let answer: Awaited<ReturnType<typeof queue>> | undefined;
  // The informers fill, and the scheduler looks at both pods.
  await waitFor('the queue to show both pods as the scheduler left them', async () => {
    answer = await queue(cluster.controlPlane.user.token);
    const causes = (answer.body.queued ?? []).map((q: { cause: string }) => q.cause);
    return causes.includes('PodUnschedulable') && causes.includes('PodStarting');
  }, { timeoutMs: 30_000, intervalMs: 250, onTimeout: () => JSON.stringify(answer?.body) });
  const { body } = answer!;
  expect(body).toMatchObject({ namespace: 'demo', limit: 3, admitted: 3 });
  expect(body.queued.map((q: Record<string, unknown>) => [q.position, q.name, q.cause])).toEqual([
    [1, 'web-2', 'PodUnschedulable'], [2, 'web-3', 'PodStarting'], [3, 'api-1', 'ProjectConcurrencyLimit'],
  ]);
  // The scheduler's own words, e.g. "0/1 nodes are available: 1 Insufficient cpu. preemption: ...".
  expect(body.queued[0].message).toMatch(/^Unschedulable: 0\/1 nodes are available: 1 Insufficient cpu/);
  expect(body.queued[1].message).toBe('placed on node-a (warm), starting');
  expect(body.queued[2]).toMatchObject({ message: '3 of 3 running in project demo', blockedBy: ['web-1', 'web-2', 'web-3'], run: 1, pipeline: 'api' });
  expect(body.running).toEqual([expect.objectContaining({
    name: 'web-1', startLatency: { queued: 2, provisioning: 1, jenkinsQueue: 1, podScheduling: 1, podStartup: 10, total: 15 },
  })]);
}, 60_000);

it('refuses a user RBAC does not let list the project\'s executions, with problem+json', async () => {
  const refused = await queue(cluster.controlPlane.user.token, 'other');
  expect(refused.status).toBe(403);
  expect(refused.type).toMatch(/^application\/problem\+json/);
  expect(refused.body).toMatchObject({ type: 'https://keelson.dev/problems/forbidden', status: 403 });
  // Nothing about the project in the refusal.
  expect(JSON.stringify(refused.body)).not.toContain('queued');
});
