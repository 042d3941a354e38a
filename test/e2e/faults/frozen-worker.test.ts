// F2 (scenarios.md §5.2), the worker half: a manager is frozen with SIGSTOP in the middle of an execution's sync
// job, while its status write is on the wire, for longer than the BullMQ lock (QUEUE_LOCK_MS, shortened to 4 s
// here). The other manager's worker takes the job over while the first sleeps and finishes the execution; then
// the first wakes up with its stale write. Each manager reaches the apiserver through its own HTTP proxy, so the
// test knows which one wrote what: the frozen write is held by the proxy until the other has finished, and then
// forwarded. One build in Jenkins, one final status write that went through, and the stale one refused (409).
// The leader half (Lease taken over, fencing) is leader-pause.test.ts.
import type { ApiserverProxy, Exchange, ProxiedRequest } from '@keelson/servers';
import { waitFor } from '@keelson/servers';
import { expectOneBuildEachEndingAsJenkins, run } from '../../support/fault-checks';
import { FaultRig } from '../../support/fault-rig';
import type { ManagerProcess } from '../../support/manager-process';
import { TERMINAL_PHASES } from '../../support/phase-recorder';

const DEVOPS_YML = `
stages:
- name: build
  steps:
  - runScriptConfig: {image: alpine:3.20, shellScript: "echo building\\nsleep 3"}
- name: test
  steps:
  - runScriptConfig: {image: alpine:3.20, shellScript: "sleep 1"}
`;
const LOCK_MS = 4_000;

interface Replica {
  manager: ManagerProcess;
  proxy: ApiserverProxy;
}

let rig: FaultRig;
const replicas: Replica[] = [];

beforeAll(async () => {
  rig = await FaultRig.start('f2-worker', { files: { '.devops.yml': DEVOPS_YML } });
  await rig.stack.createPipeline('frozen');
  for (const name of ['worker-a', 'worker-b']) {
    const { proxy, kubeconfig } = await rig.apiserverProxy(name);
    // Progress written on every change, so a progress write follows the build's start at once.
    replicas.push({ proxy, manager: await rig.startManager(name, { KUBECONFIG: kubeconfig, QUEUE_LOCK_MS: String(LOCK_MS), SYNC_PROGRESS_INTERVAL_MS: '0' }) });
  }
}, 300_000);

afterAll(() => rig?.stop());

type StatusBody = { status?: { phase?: string; build?: { number?: number } } };
const statusWriteOf = (name: string) => (r: ProxiedRequest) => r.verb === 'patch' && r.resource === 'pipelineexecutions' && r.subresource === 'status' && r.name === name;
const phaseWritten = (r: ProxiedRequest) => (r.body as StatusBody | undefined)?.status?.phase;

describe('F2: a worker frozen past its BullMQ lock', () => {
  it.each([
    ['its first progress write, once the build started', (r: ProxiedRequest) => phaseWritten(r) === 'Running' && (r.body as StatusBody).status?.build?.number !== undefined],
    ['its final status write', (r: ProxiedRequest) => phaseWritten(r) === 'Succeeded'],
  ])('hands the job to the other worker when frozen during %s: one build, one final write, the stale write refused', async (what, holds) => {
    const [a, b] = replicas;
    const name = await run(rig.stack, b.manager, 'frozen', 'main');
    const held = replicas.map((r) => ({ replica: r, hold: r.proxy.hold((req) => statusWriteOf(name)(req) && holds(req)) }));
    const caught = await Promise.race(held.map((h) => h.hold.caught.then(() => h)));
    const frozen = caught.replica;
    const other = replicas.find((r) => r !== frozen)!;
    await frozen.manager.kill('SIGSTOP');
    const frozenAt = Date.now();
    let frozenMs = 0;
    try {
      held.find((h) => h !== caught)!.hold.release(); // the other worker's writes go through
      await waitFor(`the other worker to find ${name}'s job stalled`, () => other.manager.logLines('job stalled, retrying it').some((l) => Date.parse(l.time as string) >= frozenAt), { timeoutMs: 60_000 });
      // It finishes the execution while the first still sleeps.
      await rig.stack.waitForPhase(name, [...TERMINAL_PHASES], 90_000);
      frozenMs = Date.now() - frozenAt;
      expect(frozenMs).toBeGreaterThan(LOCK_MS);
      // The stale write goes to the apiserver now, before the first worker wakes to read its answer.
      caught.hold.release();
      await waitFor('the stale write to be answered', () => frozen.proxy.exchanges((e) => statusWriteOf(name)(e.request) && holds(e.request)).every((e) => e.status !== 0), { timeoutMs: 10_000 });
    } finally {
      caught.hold.release();
      await frozen.manager.kill('SIGCONT');
    }
    // Time for the woken worker to act on its stale view, if it would.
    await new Promise((r) => setTimeout(r, 2 * LOCK_MS));

    const [row] = await expectOneBuildEachEndingAsJenkins(rig.stack, rig.ledger, [name]);
    expect(row.phase).toBe('Succeeded');
    const writes: Exchange[] = replicas.flatMap((r) => r.proxy.exchanges((e) => statusWriteOf(name)(e.request))).sort((x, y) => x.at - y.at);
    const finals = writes.filter((e) => TERMINAL_PHASES.includes(phaseWritten(e.request) ?? ''));
    expect(finals.filter((e) => e.status >= 200 && e.status < 300)).toHaveLength(1);
    // The held write, forwarded late with the resourceVersion it was based on, was refused by the apiserver.
    expect(frozen.proxy.exchanges((e) => statusWriteOf(name)(e.request) && holds(e.request)).map((e) => e.status)).toEqual([409]);
    expect(rig.recorder.of(name).filter((p) => TERMINAL_PHASES.includes(p))).toEqual(['Succeeded']);
    expect(rig.recorder.leftTerminal()).toEqual({});
    expect(a.manager.alive && b.manager.alive).toBe(true);
    process.stdout.write(`F2 worker (${what}): ${frozen.manager.name} frozen ${(frozenMs / 1000).toFixed(1)} s (lock ${LOCK_MS / 1000} s); ${other.manager.name} took over; status writes ${writes.map((e) => `${phaseWritten(e.request)}:${e.status}`).join(' ')}\n`);
  });
});
