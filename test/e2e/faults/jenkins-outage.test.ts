// F5 (scenarios.md §5.2): Jenkins answers 503 for "ten minutes" (the double's clock jumps ten minutes while it is
// down, so its queue items expire), then comes back; and Jenkins restarts mid-build, keeping or losing its
// running builds. Executions wait instead of failing while Jenkins is away, each ends with exactly one build, and
// a build that Jenkins lost fails its execution with the reason instead of leaving it Running forever.
import { waitFor } from '@keelson/servers';
import { executionsByName, expectBuildsSucceeded, expectOneBuildEachEndingAsJenkins, run } from '../../support/fault-checks';
import { JumpClock } from '../../support/jump-clock';
import { FaultRig } from '../../support/fault-rig';
import type { KeelsonStack } from '../../support/keelson-stack';
import type { ManagerProcess } from '../../support/manager-process';
import { TERMINAL_PHASES } from '../../support/phase-recorder';

const DEVOPS_YML = `
stages:
- name: build
  steps:
  - runScriptConfig: {image: alpine:3.20, shellScript: "echo building\\nsleep 20\\necho built"}
`;
const LONG_YML = `
stages:
- name: build
  steps:
  - runScriptConfig: {image: alpine:3.20, shellScript: "sleep 600"}
`;
const MINUTE = 60_000;

const clock = new JumpClock();
let rig: FaultRig;
let manager: ManagerProcess;

beforeAll(async () => {
  rig = await FaultRig.start('f5', { jenkinsClock: clock, files: { '.devops.yml': DEVOPS_YML } });
  await rig.stack.repo.branch('long');
  await rig.stack.repo.checkout('long');
  await rig.stack.repo.commit({ '.devops.yml': LONG_YML }, 'a build that outlives the test');
  await rig.stack.repo.checkout('main');
  await rig.stack.createPipeline('outage');
  await rig.stack.createSetting({ maxConcurrentExecutions: 10 });
  manager = await rig.startManager();
}, 300_000);

afterEach(() => {
  rig?.stack.jenkins.unavailable(false);
  rig?.stack.jenkins.stallBuilds(false);
});

afterAll(() => rig?.stop());

function start(branch = 'main'): Promise<string> {
  return run(rig.stack, manager, 'outage', branch);
}

async function waitForStatus(name: string, what: string, check: (s: NonNullable<Awaited<ReturnType<KeelsonStack['execution']>>['status']>) => boolean): Promise<void> {
  await waitFor(`${name}: ${what}`, async () => check((await rig.stack.execution(name)).status ?? {}), { timeoutMs: 120_000 });
}

function totalRequests(): number {
  return Object.values(rig.stack.jenkins.requests).reduce((a, b) => a + b, 0);
}

describe('F5: Jenkins goes away', () => {
  it('keeps executions waiting, not failed, through ten minutes of 503s, then ends each with exactly one build', async () => {
    const running = [await start(), await start()];
    for (const n of running) await waitForStatus(n, 'the build number recorded', (s) => s.build?.number !== undefined);
    // One more waits in Jenkins' queue when Jenkins goes down: its item leaves the queue and expires meanwhile.
    rig.stack.jenkins.stallBuilds(true);
    const queued = await start();
    await waitForStatus(queued, 'the queue item recorded', (s) => s.build?.queueItem !== undefined);

    rig.stack.jenkins.unavailable(true);
    const downAt = Date.now();
    const requestsBefore = totalRequests();
    const during = [await start(), await start()];
    rig.stack.jenkins.stallBuilds(false);
    const names = [...running, queued, ...during];

    for (let minute = 0; minute < 10; minute++) {
      clock.advance(MINUTE);
      await new Promise((r) => setTimeout(r, 2_000));
      const now = await executionsByName(rig.stack);
      expect(names.filter((n) => TERMINAL_PHASES.includes(now.get(n)?.status?.phase ?? ''))).toEqual([]);
    }
    // Every one says it waits for Jenkins, in a phase that is not final.
    let waiting = new Map<string, string>();
    await waitFor('every execution to wait for Jenkins', async () => {
      const now = await executionsByName(rig.stack);
      waiting = new Map(names.map((n) => [n, `${now.get(n)?.status?.phase} ${now.get(n)?.status?.reason}`]));
      return [...waiting.values()].every((v) => /^(Running|Provisioning) .*Jenkins/.test(v));
    }, { timeoutMs: 60_000, onTimeout: () => JSON.stringify(Object.fromEntries(waiting), null, 2) });
    const outageSeconds = (Date.now() - downAt) / 1000;
    const requests = totalRequests() - requestsBefore;
    expect(rig.ledger.buildsOf(queued)).toHaveLength(1);

    rig.stack.jenkins.unavailable(false);
    await expectOneBuildEachEndingAsJenkins(rig.stack, rig.ledger, names);
    expectBuildsSucceeded(rig.stack, rig.ledger, names);
    // It kept asking, with a backoff: no hot loop against a Jenkins that is down.
    expect(requests).toBeGreaterThan(0);
    expect(requests / outageSeconds).toBeLessThan(5 * names.length);
    expect(rig.recorder.leftTerminal()).toEqual({});
  });

  it('lets a build go on through a Jenkins restart, and starts again, once, a build whose queue item the restart forgot', async () => {
    const resumed = await start();
    await waitForStatus(resumed, 'the step to run', (s) => s.stages?.[0]?.phase === 'Running');
    rig.stack.jenkins.stallBuilds(true);
    const requeued = await start();
    await waitForStatus(requeued, 'the queue item recorded', (s) => s.build?.queueItem !== undefined);

    rig.stack.jenkins.restart();
    rig.stack.jenkins.stallBuilds(false);
    expect(rig.ledger.buildsOf(requeued)).toHaveLength(0);
    clock.advance(MINUTE);

    await expectOneBuildEachEndingAsJenkins(rig.stack, rig.ledger, [resumed, requeued]);
    expectBuildsSucceeded(rig.stack, rig.ledger, [resumed, requeued]);
    expect(rig.recorder.leftTerminal()).toEqual({});
  });

  it('fails an execution whose running build Jenkins lost in a restart, with the reason, and starts no other', async () => {
    const lost = await start('long');
    await waitForStatus(lost, 'the step to run', (s) => s.stages?.[0]?.phase === 'Running');

    rig.stack.jenkins.restart({ loseRunningBuilds: true });

    const [row] = await expectOneBuildEachEndingAsJenkins(rig.stack, rig.ledger, [lost]);
    expect(row.phase).toBe('Failed');
    expect(rig.ledger.buildsOf(lost)[0].lost).toBe(true);
    expect((await rig.stack.execution(lost)).status?.reason).toMatch(/Jenkins lost build #\d+/);
    expect(rig.recorder.leftTerminal()).toEqual({});
  });
});
