// Benchmark P1 (issue 11 §8): executions created per second through signed webhook deliveries, exactly once,
// beside raw client creates of the same resource on the same apiserver in the same run; and the ack latency
// (delivery sent → 2xx) at a steady 50 deliveries per second.
// Run: node -r @swc-node/register bench/webhook-intake.bench.ts   (DELIVERIES=600 CONCURRENCY=16 RATE=50 SECONDS=20)
// Printed numbers, not assertions. A real kube-apiserver with etcd, a private Redis and a manager serving only
// the API and the hooks (no controllers: what is measured is the intake, not the build).
import { createHmac, randomUUID } from 'node:crypto';
import { Core, Keelson, KubeClient } from '@keelson/kube';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ControlPlane, RedisServer } from '@keelson/servers';
import type { Manager } from '../apps/manager/src/manager';
import { webhookSecretName } from '../apps/manager/src/hooks/webhook-secrets';
import { envInt, runBenchmark } from './support/bench-stack';
import { spawnManagerProcess } from './support/child-manager';
import { mapPool } from './support/pool';
import { note, summaryBlock, table } from './support/report';
import { ms, summarize } from './support/stats';

const DELIVERIES = envInt('DELIVERIES', 600);
const CONCURRENCY = envInt('CONCURRENCY', 16);
const RATE = envInt('RATE', 50);
const SECONDS = envInt('SECONDS', 20);
const SECRET = randomUUID();
const REPO = 'https://github.com/acme/widget.git';

const pushBody = (branch: string, n: number) => {
  const sha = (n + 1).toString(16).padStart(40, '0'); // never all zeros: that is a deleted branch
  return JSON.stringify({
    ref: `refs/heads/${branch}`, after: sha, repository: { id: 1, full_name: 'acme/widget', clone_url: REPO },
    head_commit: { id: sha, message: `commit ${n}`, author: { name: 'Bench', email: 'bench@example.com' } },
  });
};

async function deliver(manager: Manager, pipeline: string, body: string): Promise<number> {
  const res = await fetch(`${manager.url}/hooks/pipelines/demo/${pipeline}`, {
    method: 'POST', body,
    headers: {
      'content-type': 'application/json', 'x-github-event': 'push', 'x-github-delivery': randomUUID(),
      'x-hub-signature-256': `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`,
    },
  });
  await res.arrayBuffer();
  return res.status;
}

async function createPipeline(admin: KubeClient, name: string): Promise<void> {
  await admin.resource(Keelson.Pipeline).create({
    apiVersion: 'devops.keelson.dev/v1alpha1', kind: 'Pipeline', metadata: { name, namespace: 'demo' },
    spec: { repositoryUrl: REPO, configPath: '.devops.yml', suspend: false },
  });
  await admin.resource(Core.Secret).create({ metadata: { name: webhookSecretName(name), namespace: 'demo' }, stringData: { secret: SECRET } });
}

const count = async (kube: KubeClient, pipeline: string) => (await kube.resource(Keelson.PipelineExecution).list('demo')).items.filter((e) => e.spec.pipelineRef.name === pipeline).length;

runBenchmark('webhook-intake', async () => {
  const cp = await ControlPlane.start();
  const redis = await RedisServer.start();
  let manager: Manager | undefined;
  try {
    const admin = new KubeClient({ kubeconfigPath: cp.adminKubeconfig });
    const asManager = new KubeClient({ kubeconfigPath: cp.managerKubeconfig });
    await admin.resource(Core.Namespace).create({ metadata: { name: 'demo' } });
    // The manager keeps its signing key in a Secret of its own namespace (POD_NAMESPACE, default keelson-system).
    await admin.resource(Core.Namespace).create({ metadata: { name: 'keelson-system' } });
    for (const name of ['hooked', 'raw', 'paced']) await createPipeline(admin, name);
    // Its own process, as in production: the benchmark's client and the manager do not share an event loop.
    const logFile = join(tmpdir(), `webhook-intake-manager-${process.pid}.log`);
    manager = await spawnManagerProcess({ KUBECONFIG: cp.managerKubeconfig, ROLES: 'api,webhooks', API_AUTH: 'disabled', REDIS_URL: redis.url, REDIS_PREFIX: 'bench' }, logFile);
    note(`manager process ${(manager as { pid?: number }).pid} logs to ${logFile}`);
    const pipeline = await admin.resource(Keelson.Pipeline).get('demo', 'raw');
    const m = manager;

    note('warm-up: 20 deliveries, 20 raw creates');
    await mapPool(Array.from({ length: 20 }, (_, i) => i), 4, (i) => deliver(m, 'hooked', pushBody('warm', i)));

    // Raw: the same object the intake makes, created with the manager's own client and identity.
    const { webhookExecution } = await import('../apps/manager/src/hooks/webhook-execution');
    const { parseDelivery } = await import('@keelson/webhooks');
    const rawCreate = (i: number) => {
      const [event] = parseDelivery('github', 'push', JSON.parse(pushBody(`raw-${i}`, 10_000 + i)));
      return asManager.resource(Keelson.PipelineExecution).create(webhookExecution(pipeline, event as never, randomUUID()));
    };
    await mapPool(Array.from({ length: 20 }, (_, i) => i), 4, (i) => rawCreate(100_000 + i));

    note(`raw creates: ${DELIVERIES} at concurrency ${CONCURRENCY}`);
    let started = Date.now();
    await mapPool(Array.from({ length: DELIVERIES }, (_, i) => i), CONCURRENCY, rawCreate);
    const rawSeconds = (Date.now() - started) / 1000;

    note(`signed deliveries: ${DELIVERIES} at concurrency ${CONCURRENCY}, each sent twice (a redelivery under a new id)`);
    const bodies = Array.from({ length: DELIVERIES }, (_, i) => pushBody(`b-${i}`, i));
    started = Date.now();
    const statuses = await mapPool(bodies, CONCURRENCY, (body) => deliver(m, 'hooked', body));
    const hookSeconds = (Date.now() - started) / 1000;
    const again = await mapPool(bodies, CONCURRENCY, (body) => deliver(m, 'hooked', body));
    const made = (await count(admin, 'hooked')) - 20;

    note(`paced: ${RATE} deliveries/s for ${SECONDS} s`);
    const latencies: number[] = [];
    const paced: Array<Promise<void>> = [];
    const t0 = Date.now();
    for (let i = 0; i < RATE * SECONDS; i++) {
      const due = t0 + (i * 1000) / RATE;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const sent = Date.now();
      paced.push(deliver(m, 'paced', pushBody(`p-${i}`, i)).then((status) => {
        if (status !== 201) throw new Error(`paced delivery ${i} answered ${status}`);
        latencies.push(Date.now() - sent);
      }));
    }
    await Promise.all(paced);
    const ack = summarize(latencies);
    const rawRate = DELIVERIES / rawSeconds;
    const hookRate = DELIVERIES / hookSeconds;

    summaryBlock('webhook-intake (P1): executions per second through signed deliveries vs raw creates; ack latency at a steady rate', [
      ['apiserver', 'one real kube-apiserver + etcd on this machine; manager in its own process with ROLES=api,webhooks (no controllers)'],
      ['load', `${DELIVERIES} distinct push events at concurrency ${CONCURRENCY}; the raw side creates the same objects with the manager's client`],
      '',
      table(['', 'executions', 'seconds', 'per second'], [
        ['raw creates', DELIVERIES, rawSeconds.toFixed(2), rawRate.toFixed(1)],
        ['webhook deliveries', made, hookSeconds.toFixed(2), hookRate.toFixed(1)],
      ]),
      '',
      ['ratio webhook / raw', `${(hookRate / rawRate).toFixed(2)}  (goal >= 0.80)`],
      ['exactly once', `${made} executions for ${DELIVERIES} events sent twice; first answers ${[...new Set(statuses)].join('/')}, second ${[...new Set(again)].join('/')}`],
      ['ack at', `${RATE}/s for ${SECONDS} s (${latencies.length} deliveries, each a new execution)`],
      ['ack latency', `p50 ${ms(ack.p50)}, p90 ${ms(ack.p90)}, p99 ${ms(ack.p99)} (goal < 100 ms), max ${ms(ack.max)}`],
    ]);
  } finally {
    await manager?.close();
    await redis.stop();
    await cp.stop();
  }
});
