// F6 (scenarios.md §5.2): stops through the REST API race the sync loop's status patches. Ten executions move
// through short stages, so the sync loop writes their status every second (progress writes are not spaced out
// here, and polls back off to half a second at most), and each is stopped in the middle of that. The stop always wins: every execution ends Aborted, its
// build ABORTED in Jenkins, and none is ever seen Running again once Aborted.
import { waitFor } from '@keelson/servers';
import { executionsByName, expectOneBuildEachEndingAsJenkins, run } from '../../support/fault-checks';
import { FaultRig } from '../../support/fault-rig';
import type { ManagerProcess } from '../../support/manager-process';

const STAGES = 15;
const DEVOPS_YML = `
stages:
${Array.from({ length: STAGES }, (_, i) => `- name: s${i}\n  steps:\n  - runScriptConfig: {image: alpine:3.20, shellScript: "sleep 1"}`).join('\n')}
- name: long
  steps:
  - runScriptConfig: {image: alpine:3.20, shellScript: "sleep 600"}
`;
const COUNT = 10;

let rig: FaultRig;
let manager: ManagerProcess;

beforeAll(async () => {
  rig = await FaultRig.start('f6', { files: { '.devops.yml': DEVOPS_YML } });
  await rig.stack.createPipeline('stop');
  await rig.stack.createSetting({ maxConcurrentExecutions: COUNT + 2 });
  manager = await rig.startManager('manager', { SYNC_PROGRESS_INTERVAL_MS: '0', SYNC_MAX_POLL_MS: '500' });
}, 300_000);

afterAll(() => rig?.stop());

describe('F6: stops race the sync loop', () => {
  it('ends every stopped execution Aborted with its build ABORTED, and none goes back to Running', async () => {
    const names: string[] = [];
    for (let i = 0; i < COUNT; i++) names.push(await run(rig.stack, manager, 'stop', 'main'));
    await waitFor('every build to be past its first stage', async () => {
      const now = await executionsByName(rig.stack);
      return names.every((n) => (now.get(n)?.status?.stages ?? []).slice(1).some((s) => s.phase !== 'Pending'));
    }, { timeoutMs: 180_000, intervalMs: 250 });

    // Stop them one by one while their stages keep changing.
    for (const name of names) {
      const res = await rig.stack.api(`/api/v1/namespaces/demo/pipelineexecutions/${name}/stop`, {}, rig.stack.adminToken, manager);
      expect([name, res.status]).toEqual([name, 200]);
      await new Promise((r) => setTimeout(r, 300));
    }

    const rows = await expectOneBuildEachEndingAsJenkins(rig.stack, rig.ledger, names);
    expect(rows.map((r) => r.phase)).toEqual(names.map(() => 'Aborted'));
    // A late write would show up a little after the end: look again a few polls later.
    await new Promise((r) => setTimeout(r, 5_000));
    const final = await executionsByName(rig.stack);
    for (const name of names) {
      const status = final.get(name)!.status!;
      expect([name, status.phase]).toEqual([name, 'Aborted']);
      const open = (status.stages ?? []).flatMap((s) => [s.phase, ...s.steps.map((st) => st.phase)]).filter((p) => p === 'Running' || p === 'Pending' || p === 'Waiting');
      expect([name, open]).toEqual([name, []]);
    }
    expect(rig.recorder.leftTerminal()).toEqual({});
    for (const name of names) expect([name, rig.recorder.of(name).filter((p) => p === 'Aborted')]).toEqual([name, ['Aborted']]);
  });
});
