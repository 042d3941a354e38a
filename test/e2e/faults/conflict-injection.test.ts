// F6 (scenarios.md §5.2), the proxy half: the manager reaches the apiserver through an HTTP proxy that answers
// 409 Conflict to a quarter of its conditional writes (an update or patch that names the resourceVersion it was based
// on: the only writes the apiserver itself answers with 409), while executions run and some are stopped through
// the REST API mid-run. The proxy's counters show that conflicts happened and that each was followed by a
// successful write of the same object (retried after a re-read, not dropped), with no hot loop; and every
// execution still ends with the phase Jenkins has. The stop race without a proxy is stop-race.test.ts.
import type { ApiserverProxy, Exchange, ProxiedRequest } from '@keelson/servers';
import { waitFor } from '@keelson/servers';
import { expectOneBuildEachEndingAsJenkins, run } from '../../support/fault-checks';
import { FaultRig } from '../../support/fault-rig';
import type { ManagerProcess } from '../../support/manager-process';

const DEVOPS_YML = `
stages:
- name: build
  steps:
  - runScriptConfig: {image: alpine:3.20, shellScript: "echo building\\nsleep 2"}
- name: test
  steps:
  - runScriptConfig: {image: alpine:3.20, shellScript: "sleep 1"}
  - runScriptConfig: {image: alpine:3.20, shellScript: "sleep 1"}
`;
const LONG_YML = `
stages:
- name: build
  steps:
  - runScriptConfig: {image: alpine:3.20, shellScript: "sleep 600"}
`;
/** Harsher than the scenario's 10%, so a run of a few dozen writes meets conflicts on every kind of write. */
const SHARE = 0.25;
const FINISHING = 8;
const STOPPED = 4;

let rig: FaultRig;
let manager: ManagerProcess;
let proxy: ApiserverProxy;

/** An update or patch conditional on a resourceVersion (optimistic concurrency). */
function conditionalWrite(r: ProxiedRequest): boolean {
  const version = (r.body as { metadata?: { resourceVersion?: unknown } } | undefined)?.metadata?.resourceVersion;
  return (r.verb === 'update' || r.verb === 'patch') && typeof version === 'string' && version !== '';
}

const target = (e: Exchange) => `${e.request.resource}${e.request.subresource ? `/${e.request.subresource}` : ''} ${e.request.namespace ?? ''}/${e.request.name}`;

beforeAll(async () => {
  rig = await FaultRig.start('f6-proxy', { files: { '.devops.yml': DEVOPS_YML } });
  await rig.stack.repo.branch('long');
  await rig.stack.repo.checkout('long');
  await rig.stack.repo.commit({ '.devops.yml': LONG_YML }, 'a build that runs until stopped');
  await rig.stack.repo.checkout('main');
  await rig.stack.createPipeline('conflicts');
  await rig.stack.createSetting({ maxConcurrentExecutions: FINISHING + STOPPED });
  let kubeconfig: string;
  ({ proxy, kubeconfig } = await rig.apiserverProxy('f6', 16));
  proxy.addRule({ name: 'conflict', share: SHARE, fault: { kind: 'conflict' }, match: conditionalWrite });
  // Progress written on every change, so the sync loop's status patches race the stops.
  manager = await rig.startManager('manager', { KUBECONFIG: kubeconfig, SYNC_PROGRESS_INTERVAL_MS: '0', SYNC_MAX_POLL_MS: '500' });
}, 300_000);

afterAll(() => rig?.stop());

describe('F6: the apiserver answers 409 Conflict to a share of the manager\'s writes', () => {
  it('retries every conflicted write after a re-read, without a hot loop, and ends every execution as Jenkins did', async () => {
    const since = Date.now();
    const finishing: string[] = [];
    const stopped: string[] = [];
    for (let i = 0; i < FINISHING; i++) finishing.push(await run(rig.stack, manager, 'conflicts', 'main'));
    for (let i = 0; i < STOPPED; i++) stopped.push(await run(rig.stack, manager, 'conflicts', 'long'));
    await waitFor('the long builds to run', () => stopped.every((n) => rig.ledger.buildsOf(n).some((b) => b.building)), { timeoutMs: 120_000 });
    for (const name of stopped) {
      const res = await rig.stack.api(`/api/v1/namespaces/demo/pipelineexecutions/${name}/stop`, {}, rig.stack.adminToken, manager);
      expect([name, res.status]).toEqual([name, 200]);
    }

    const rows = await expectOneBuildEachEndingAsJenkins(rig.stack, rig.ledger, [...finishing, ...stopped]);
    expect(rows.map((r) => r.phase)).toEqual([...finishing.map(() => 'Succeeded'), ...stopped.map(() => 'Aborted')]);
    expect(rig.recorder.leftTerminal()).toEqual({});
    // The conflicts so far; then time for a retry of the latest (a lease is renewed every 2 s, a sync polls in 0.5 s).
    const conflicts = proxy.exchanges((e) => e.at >= since && e.injected === 'conflict');
    await new Promise((r) => setTimeout(r, 5_000));
    const writes = proxy.exchanges((e) => e.at >= since && conditionalWrite(e.request));
    // Conflicts happened: about SHARE of the conditional writes.
    expect(conflicts.length).toBeGreaterThan(0);
    expect(conflicts.some((c) => c.request.resource === 'pipelineexecutions' && c.request.subresource === 'status')).toBe(true);
    // Each was retried: a later write of the same object (and subresource) went through.
    const unretried = conflicts.filter((c) => !writes.some((w) => w.at >= c.at && w !== c && target(w) === target(c) && w.status >= 200 && w.status < 300));
    expect(unretried.map(target)).toEqual([]);
    // Bounded: writes per execution stay near the budget (5 without conflicts, scenarios.md §5.4); measured max 9.
    const perExecution = [...finishing, ...stopped].map((n) => writes.filter((w) => w.request.resource === 'pipelineexecutions' && w.request.name === n).length);
    expect(Math.max(...perExecution)).toBeLessThan(20);
    // Nothing was given up on: a conflict is not an unexpected failure.
    expect(manager.logLines('sync failed unexpectedly')).toEqual([]);
    process.stdout.write(`F6 proxy: ${writes.length} conditional writes, ${conflicts.length} answered 409, all retried (${[...new Set(conflicts.map(target))].join(', ')}); writes per execution max ${Math.max(...perExecution)}, mean ${(perExecution.reduce((a, b) => a + b, 0) / perExecution.length).toFixed(1)}\n`);
  });
});
