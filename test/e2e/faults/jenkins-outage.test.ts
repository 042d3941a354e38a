// F5 (scenarios.md §5.2), on the real clock: Jenkins goes away three ways in a row (its listener closed, so
// connections are refused; then a listener that never answers; then 503s), then comes back; and Jenkins restarts
// mid-build, keeping or losing its running builds. The manager's own timing is shortened by configuration
// (SYNC_MAX_POLL_MS 3 s, JENKINS_TIMEOUT_MS 1.5 s) so that a 45 s outage outlasts many of its retries. Executions
// wait instead of failing, their status saying why in the manager's words for each kind of outage, its backoff
// (read from its log) doubles up to the cap; each ends with exactly one build and the phase Jenkins has; and a
// build that Jenkins lost fails its execution with the reason instead of leaving it Running forever. Only the
// restart tests move the double's JumpClock (its queue items expire after five minutes).
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
/** The manager's own timing, shortened so that a real outage of 45 s outlasts many of its retries. */
const MAX_POLL_MS = 3_000;
const JENKINS_TIMEOUT_MS = 1_500;
const PHASE_MS = 15_000;
const OUTAGE = [
  { kind: 'refused', reason: 'waiting for Jenkins: it refuses connections' },
  { kind: 'unanswered', reason: 'waiting for Jenkins: it does not answer in time' },
  { kind: 'unavailable', reason: 'waiting for Jenkins: it answers HTTP 503' },
] as const;

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
  manager = await rig.startManager('manager', { SYNC_MAX_POLL_MS: String(MAX_POLL_MS), JENKINS_TIMEOUT_MS: String(JENKINS_TIMEOUT_MS) });
}, 300_000);

afterEach(async () => {
  await rig?.stack.jenkins.outage();
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
  it('keeps executions waiting, with the manager\'s own reasons, through refused connections, silence and 503s, then ends each with exactly one build', async () => {
    const running = [await start(), await start()];
    for (const n of running) await waitForStatus(n, 'the build number recorded', (s) => s.build?.number !== undefined);
    // One more waits in Jenkins' queue when Jenkins goes away.
    rig.stack.jenkins.stallBuilds(true);
    const queued = await start();
    await waitForStatus(queued, 'the queue item recorded', (s) => s.build?.queueItem !== undefined);

    const downAt = Date.now();
    await rig.stack.jenkins.outage('refused');
    const during = [await start(), await start()];
    rig.stack.jenkins.stallBuilds(false);
    const names = [...running, queued, ...during];

    const seen: Record<string, Record<string, string>> = {};
    for (const phase of OUTAGE) {
      if (phase.kind === 'refused') await rig.stack.jenkins.outage('refused');
      else if (phase.kind === 'unanswered') await rig.stack.jenkins.outage('unanswered');
      else {
        await rig.stack.jenkins.outage();
        rig.stack.jenkins.unavailable(true);
      }
      const phaseAt = Date.now();
      // Every execution the sync loop follows says why it waits, in the manager's words for this outage.
      await waitFor(`every execution to say "${phase.reason}"`, async () => {
        const now = await executionsByName(rig.stack);
        seen[phase.kind] = Object.fromEntries(names.map((n) => [n, `${now.get(n)?.status?.phase} ${now.get(n)?.status?.reason}`]));
        return Object.values(seen[phase.kind]).every((v) => v === `Running ${phase.reason}`);
      }, { timeoutMs: PHASE_MS * 2, intervalMs: 250, onTimeout: () => JSON.stringify(seen[phase.kind], null, 2) });
      // ... and none ends while Jenkins is away, however long the phase lasts.
      while (Date.now() - phaseAt < PHASE_MS) {
        const now = await executionsByName(rig.stack);
        expect(names.filter((n) => TERMINAL_PHASES.includes(now.get(n)?.status?.phase ?? ''))).toEqual([]);
        await new Promise((r) => setTimeout(r, 1_000));
      }
    }
    const outageMs = Date.now() - downAt;
    expect(rig.ledger.buildsOf(queued)).toHaveLength(1);

    rig.stack.jenkins.unavailable(false);
    const backAt = Date.now();
    await expectOneBuildEachEndingAsJenkins(rig.stack, rig.ledger, names);
    expectBuildsSucceeded(rig.stack, rig.ledger, names);
    const recoveryMs = Date.now() - backAt;
    expect(rig.recorder.leftTerminal()).toEqual({});

    // The manager's own backoff, from its log: each execution kept asking, its delay doubling up to the cap,
    // so the attempts per execution stay near outage / SYNC_MAX_POLL_MS, far from a hot loop.
    const attempts = new Map<string, number[]>();
    for (const line of manager.logLines('Jenkins unreachable, will retry')) {
      const at = Date.parse(line.time as string);
      if (at < downAt || at > downAt + outageMs) continue;
      attempts.set(line.name as string, [...(attempts.get(line.name as string) ?? []), at]);
    }
    const perExecution = names.map((n) => attempts.get(n)?.length ?? 0);
    const capped = outageMs / MAX_POLL_MS;
    const gaps = (n: string) => (attempts.get(n) ?? []).slice(1).map((t, i) => t - attempts.get(n)![i]);
    process.stdout.write(`F5 outage: ${Math.round(outageMs / 1000)} s (refused, unanswered, 503), attempts per execution ${JSON.stringify(perExecution)} (outage / cap: ${capped.toFixed(0)}), ms between the attempts of one started during it ${JSON.stringify(gaps(during[0]))}; all ended ${Math.round(recoveryMs / 1000)} s after Jenkins came back\n`);
    // Started during the outage, an execution's first retries double (no jitter in the sync loop's backoff).
    for (const n of during) {
      const [a, b, c] = gaps(n);
      expect([n, b >= 1.5 * a && c >= 1.5 * b]).toEqual([n, true]);
    }
    for (const n of names) {
      const times = attempts.get(n) ?? [];
      expect([n, times.length >= capped / 3]).toEqual([n, true]);
      expect([n, times.length <= capped + 12]).toEqual([n, true]);
      // Once at the cap, attempts are at least SYNC_MAX_POLL_MS apart (longer while each waits JENKINS_TIMEOUT_MS).
      const lastGaps = times.slice(-4).slice(1).map((t, i) => t - times.slice(-4)[i]);
      expect([n, Math.min(...lastGaps) >= MAX_POLL_MS * 0.9]).toEqual([n, true]);
    }
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
