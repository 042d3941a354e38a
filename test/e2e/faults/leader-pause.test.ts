// F2 (scenarios.md §5.2): two manager replicas; the leader is frozen with SIGSTOP for longer than its 15 s lease
// and then resumed. The other replica takes the Lease while the leader is frozen, the resumed one stops leading,
// and executions started before, during and after the pause each get exactly one Jenkins build.
import { Core } from '@keelson/kube';
import { waitFor } from '@keelson/servers';
import { expectBuildsSucceeded, expectOneBuildEachEndingAsJenkins, run } from '../../support/fault-checks';
import { FaultRig } from '../../support/fault-rig';
import type { ManagerProcess } from '../../support/manager-process';

const DEVOPS_YML = `
stages:
- name: build
  steps:
  - runScriptConfig: {image: alpine:3.20, shellScript: "echo building\\nsleep 6"}
- name: test
  steps:
  - runScriptConfig: {image: alpine:3.20, shellScript: "sleep 2"}
  - runScriptConfig: {image: alpine:3.20, shellScript: "echo linting"}
`;
/** Longer than the 15 s lease plus a retry period. */
const PAUSE_MS = 25_000;

let rig: FaultRig;
const replicas: ManagerProcess[] = [];

beforeAll(async () => {
  rig = await FaultRig.start('f2', { files: { '.devops.yml': DEVOPS_YML } });
  await rig.stack.createPipeline('paused');
  // Four at a time: the rest wait as Queued, and admitting them is the leader's job.
  await rig.stack.createSetting({ maxConcurrentExecutions: 4 });
  for (const name of ['replica-a', 'replica-b']) replicas.push(await rig.startManager(name));
}, 300_000);

afterAll(() => rig?.stop());

async function holder(): Promise<string> {
  const lease = await rig.stack.kube.resource(Core.Lease).get('keelson-system', 'keelson-controllers');
  return lease.spec?.holderIdentity ?? '';
}

/** The replica whose identity (`<POD_NAME>-<pid>-<random>`) holds the Lease. */
async function leaderReplica(): Promise<ManagerProcess | undefined> {
  const identity = await holder();
  return replicas.find((r) => identity.startsWith(`${r.name}-${r.pid}-`));
}

describe('F2: the leader is frozen past its lease', () => {
  it('hands the controllers to the other replica, and every execution before, during and after gets exactly one build', async () => {
    await waitFor('a leader', async () => (await leaderReplica()) !== undefined, { timeoutMs: 60_000 });
    const leader = (await leaderReplica())!;
    const follower = replicas.find((r) => r !== leader)!;

    const before: string[] = [];
    for (let i = 0; i < 3; i++) before.push(await run(rig.stack, leader, 'paused', 'main'));
    await waitFor('the first builds to run', () => before.every((n) => rig.ledger.buildsOf(n).length > 0), { timeoutMs: 120_000 });

    await leader.kill('SIGSTOP');
    const frozenAt = Date.now();
    const during: string[] = [];
    try {
      for (let i = 0; i < 3; i++) during.push(await run(rig.stack, follower, 'paused', 'main'));
      // Not a speed check: the follower must take over while the leader is still frozen.
      await waitFor('the follower to take the Lease', async () => (await leaderReplica()) === follower, { timeoutMs: 90_000 });
      const left = PAUSE_MS - (Date.now() - frozenAt);
      if (left > 0) await new Promise((r) => setTimeout(r, left));
    } finally {
      await leader.kill('SIGCONT');
    }

    const after: string[] = [];
    for (let i = 0; i < 2; i++) after.push(await run(rig.stack, leader, 'paused', 'main'));

    await expectOneBuildEachEndingAsJenkins(rig.stack, rig.ledger, [...before, ...during, ...after]);
    expectBuildsSucceeded(rig.stack, rig.ledger, [...before, ...during, ...after]);
    // The resumed replica found its lease gone and stopped leading; the new leader kept it.
    expect(leader.logLines('stopped leading').length).toBeGreaterThan(0);
    expect(await leaderReplica()).toBe(follower);
    expect(leader.alive && follower.alive).toBe(true);
    expect(rig.recorder.leftTerminal()).toEqual({});
  });
});
