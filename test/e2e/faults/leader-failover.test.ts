// Issue 13 §3: two manager replicas with every role, started as separate processes with the chart's settings
// (managerReplicaEnv), on one apiserver and one Redis. Exactly one leader reconciles; sync jobs are spread over
// both replicas' workers; the leader is SIGKILLed while six builds run. The other replica takes the Lease once it
// expired (the manager's defaults: 15 s lease, 2 s retry period, the chart's), the sync jobs the dead replica held
// are taken over, and every execution ends with the phase Jenkins has, one build each. The failover time (kill ->
// the new holder seen in the Lease) is printed.
import { waitFor } from '@keelson/servers';
import { SYNC_QUEUE_NAME } from '../../../apps/manager/src/pipelines/pipelines.providers';
import { expectBuildsSucceeded, expectOneBuildEachEndingAsJenkins, run } from '../../support/fault-checks';
import { FaultRig } from '../../support/fault-rig';
import type { ManagerProcess } from '../../support/manager-process';
import { LEASE_NAME, ManagerReplicas, metricSum } from '../../support/manager-replicas';
import { redisCommand } from '../../support/redis-command';

const BUILD_SECONDS = 40;
const DEVOPS_YML = `
stages:
- name: build
  steps:
  - runScriptConfig: {image: alpine:3.20, shellScript: "echo building\\nsleep ${BUILD_SECONDS}"}
- name: test
  steps:
  - runScriptConfig: {image: alpine:3.20, shellScript: "sleep 2"}
`;
const RUNS = 6;
/** The manager's defaults (LEADER_ELECTION_LEASE_SECONDS, LEADER_ELECTION_RETRY_PERIOD_SECONDS), which the chart keeps. */
const LEASE_MS = 15_000;
const RETRY_MS = 2_000;

let rig: FaultRig;
let replicas: ManagerReplicas;

beforeAll(async () => {
  rig = await FaultRig.start('failover', { files: { '.devops.yml': DEVOPS_YML } });
  await rig.stack.createPipeline('failover');
  await rig.stack.createSetting({ maxConcurrentExecutions: RUNS });
  replicas = new ManagerReplicas(rig.stack, rig.logDir);
  // The combined Deployment (ROLES unset) scaled to two pods.
  await replicas.start([{ name: 'keelson-a' }, { name: 'keelson-b' }]);
}, 420_000);

afterAll(async () => {
  await replicas?.stop();
  await rig?.stop();
});

const isLeaderMetric = async (r: ManagerProcess) => (await replicas.metrics(r)).get(`keelson_leader_election_is_leader{lease="${LEASE_NAME}"}`);
const syncRuns = async (r: ManagerProcess) => metricSum(await replicas.metrics(r), 'keelson_sync_runs_total');
const reconciles = async (r: ManagerProcess) => metricSum(await replicas.metrics(r), 'controller_runtime_reconcile_total');
const since = (r: ManagerProcess, msg: string, at: number) => r.logLines(msg).filter((l) => Date.parse(l.time as string) >= at);

describe('two replicas, the leader SIGKILLed mid-run', () => {
  it('keeps one leader, spreads the sync jobs, fails over within the lease and loses no execution', async () => {
    await waitFor('a leader', async () => (await replicas.lease()).replica !== undefined, { timeoutMs: 60_000 });
    const leader = (await replicas.lease()).replica!;
    const follower = replicas.replicas.find((r) => r !== leader)!;

    // Runs go through both replicas' APIs, as a Service would spread them.
    const names: string[] = [];
    for (let i = 0; i < RUNS; i++) names.push(await run(rig.stack, replicas.replicas[i % 2], 'failover', 'main'));
    await waitFor(`${RUNS} builds to run`, () => names.every((n) => rig.ledger.buildsOf(n).some((b) => b.building)), { timeoutMs: 180_000 });

    // Both workers take sync jobs from the shared queue.
    await waitFor('both replicas to have run sync jobs', async () => (await syncRuns(leader)) > 0 && (await syncRuns(follower)) > 0, { timeoutMs: 30_000 });
    const runsBefore = { leader: await syncRuns(leader), follower: await syncRuns(follower) };

    // Exactly one leader reconciles: it holds the Lease and says so; the follower never started a controller.
    expect((await replicas.lease()).replica).toBe(leader);
    expect([await isLeaderMetric(leader), await isLeaderMetric(follower)]).toEqual([1, 0]);
    expect(await reconciles(leader)).toBeGreaterThan(0);
    expect(await reconciles(follower)).toBe(0);
    expect(leader.logLines('controllers started')).toHaveLength(1);
    expect(follower.logLines('controllers started')).toHaveLength(0);
    // Still mid-run: every build is running when the leader dies.
    expect(names.filter((n) => !rig.ledger.buildsOf(n).some((b) => b.building))).toEqual([]);

    await leader.kill('SIGKILL');
    const killedAt = Date.now();
    // The dead leader's last renewal: the Lease expires LEASE_MS after it.
    const lastRenew = (await replicas.lease()).renewTime!;
    let tookOverAt = 0;
    await waitFor('the follower to take the Lease', async () => {
      if ((await replicas.lease()).replica !== follower) return false;
      tookOverAt = Date.now();
      return true;
    }, { timeoutMs: LEASE_MS + 4 * RETRY_MS + 10_000, intervalMs: 100 });
    const taken = await replicas.lease();
    const failoverMs = tookOverAt - killedAt;
    // Not before the lease expired (a live leader is never overruled), and within one retry period after it.
    expect(taken.acquireTime! - lastRenew).toBeGreaterThanOrEqual(LEASE_MS - 1_000);
    expect(taken.acquireTime! - lastRenew).toBeLessThanOrEqual(LEASE_MS + RETRY_MS + 1_000);
    expect(failoverMs).toBeLessThanOrEqual(LEASE_MS + RETRY_MS + 2_000);
    expect(taken.transitions).toBeGreaterThanOrEqual(1);
    await waitFor('the new leader to start its controllers', () => since(follower, 'controllers started', killedAt).length === 1, { timeoutMs: 30_000 });
    expect(await isLeaderMetric(follower)).toBe(1);
    const controllersMs = Date.parse(since(follower, 'controllers started', killedAt)[0].time as string) - killedAt;

    await expectOneBuildEachEndingAsJenkins(rig.stack, rig.ledger, names);
    expectBuildsSucceeded(rig.stack, rig.ledger, names);
    expect(rig.recorder.leftTerminal()).toEqual({});
    // Nothing stuck: the sync queue drains (no job left active under the dead worker's lock, none delayed).
    const prefix = rig.stack.managerEnvironment().REDIS_PREFIX!;
    const left = async () => Number(await redisCommand(rig.stack.redis.url, 'LLEN', `${prefix}:${SYNC_QUEUE_NAME}:active`))
      + Number(await redisCommand(rig.stack.redis.url, 'ZCARD', `${prefix}:${SYNC_QUEUE_NAME}:delayed`))
      + Number(await redisCommand(rig.stack.redis.url, 'LLEN', `${prefix}:${SYNC_QUEUE_NAME}:wait`));
    await waitFor('the sync queue to drain', async () => (await left()) === 0, { timeoutMs: 120_000 });
    const runsAfter = await syncRuns(follower);
    expect(runsAfter).toBeGreaterThan(runsBefore.follower);
    expect(follower.alive).toBe(true);

    const stalled = since(follower, 'job stalled, retrying it', killedAt).length;
    process.stdout.write([
      `leader failover: ${leader.name} SIGKILLed with ${RUNS} builds running; ${follower.name} held the Lease ${(failoverMs / 1000).toFixed(1)} s after the kill, its controllers started after ${(controllersMs / 1000).toFixed(1)} s`,
      `  (lease ${LEASE_MS / 1000} s, retry ${RETRY_MS / 1000} s; the Lease's own times: last renewal -> new acquireTime ${((taken.acquireTime! - lastRenew) / 1000).toFixed(2)} s)`,
      `  sync runs before the kill: ${leader.name} ${runsBefore.leader}, ${follower.name} ${runsBefore.follower}; ${follower.name} after: ${runsAfter}; stalled jobs taken over: ${stalled}`,
      `  every execution ${RUNS}/${RUNS} Succeeded with one build each`,
    ].join('\n') + '\n');
  }, 600_000);
});
