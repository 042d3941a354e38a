// F3 (scenarios.md §5.2): Redis loses everything while executions run, by FLUSHALL and by a restart of a Redis
// without persistence. The sync jobs live only in Redis; the controller's resync rebuilds them from the
// executions that are not finished. None is left stuck, and none gets a second build.
import { waitFor } from '@keelson/servers';
import { executionsByName, expectBuildsSucceeded, expectOneBuildEachEndingAsJenkins, run } from '../../support/fault-checks';
import { FaultRig } from '../../support/fault-rig';
import type { ManagerProcess } from '../../support/manager-process';
import { TERMINAL_PHASES } from '../../support/phase-recorder';
import { redisCommand } from '../../support/redis-command';

const DEVOPS_YML = `
stages:
- name: build
  steps:
  - runScriptConfig: {image: alpine:3.20, shellScript: "echo building\\nsleep 4"}
- name: test
  steps:
  - runScriptConfig: {image: alpine:3.20, shellScript: "sleep 3"}
`;
const PER_TEST = 5;

let rig: FaultRig;
let manager: ManagerProcess;

beforeAll(async () => {
  rig = await FaultRig.start('f3', { files: { '.devops.yml': DEVOPS_YML } });
  await rig.stack.createPipeline('wipe');
  await rig.stack.createSetting({ maxConcurrentExecutions: 10 });
  manager = await rig.startManager();
}, 300_000);

afterAll(() => rig?.stop());

async function startRuns(count: number): Promise<string[]> {
  const names: string[] = [];
  for (let i = 0; i < count; i++) names.push(await run(rig.stack, manager, 'wipe', 'main'));
  return names;
}

async function unfinished(names: string[]): Promise<string[]> {
  const now = await executionsByName(rig.stack);
  return names.filter((n) => !TERMINAL_PHASES.includes(now.get(n)?.status?.phase ?? ''));
}

describe('F3: Redis loses its data while executions run', () => {
  it('rebuilds the sync jobs after FLUSHALL: every execution ends, with one build each', async () => {
    const names = await startRuns(PER_TEST);
    // Some builds under way, the others somewhere between admission and their trigger.
    await waitFor('builds to be under way', () => names.filter((n) => rig.ledger.buildsOf(n).length > 0).length >= 2, { timeoutMs: 120_000 });

    expect(await redisCommand(rig.stack.redis.url, 'FLUSHALL')).toBe('OK');
    expect(await unfinished(names)).not.toHaveLength(0);

    await expectOneBuildEachEndingAsJenkins(rig.stack, rig.ledger, names);
    expectBuildsSucceeded(rig.stack, rig.ledger, names);
    expect(manager.alive).toBe(true);
    expect(rig.recorder.leftTerminal()).toEqual({});
  });

  it('rebuilds the sync jobs after Redis restarts empty: every execution ends, with one build each', async () => {
    const names = await startRuns(PER_TEST);
    await waitFor('a build to be under way', () => names.some((n) => rig.ledger.buildsOf(n).length > 0), { timeoutMs: 120_000 });

    // No persistence (--save '', no AOF): it comes back empty.
    await rig.stack.redis.restart();
    expect(await unfinished(names)).not.toHaveLength(0);

    await expectOneBuildEachEndingAsJenkins(rig.stack, rig.ledger, names);
    expectBuildsSucceeded(rig.stack, rig.ledger, names);
    expect(manager.alive).toBe(true);
    expect(rig.recorder.leftTerminal()).toEqual({});
  });
});
