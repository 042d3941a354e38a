// F7 (scenarios.md §5.2): the apiserver restarts while executions run, and the manager's watches are cut and
// come back to a compacted etcd (410 Gone: they must relist). Meanwhile executions are created and stopped behind
// the manager's back. No phase transition is missed: every execution ends with the phase Jenkins says.
import { join } from 'node:path';
import { Keelson } from '@keelson/kube';
import { TcpProxy, waitFor, writeKubeconfig } from '@keelson/servers';
import { expectBuildsSucceeded, expectOneBuildEachEndingAsJenkins, run } from '../../support/fault-checks';
import { FaultRig } from '../../support/fault-rig';
import type { ManagerProcess } from '../../support/manager-process';

const DEVOPS_YML = `
stages:
- name: build
  steps:
  - runScriptConfig: {image: alpine:3.20, shellScript: "echo building\\nsleep 5"}
- name: test
  steps:
  - runScriptConfig: {image: alpine:3.20, shellScript: "sleep 3"}
`;
const LONG_YML = `
stages:
- name: build
  steps:
  - runScriptConfig: {image: alpine:3.20, shellScript: "sleep 600"}
`;

let rig: FaultRig;
let apiProxy: TcpProxy;
let manager: ManagerProcess;

beforeAll(async () => {
  // Without the watch cache, watches read etcd directly, so compacting etcd makes a resumed watch answer 410.
  rig = await FaultRig.start('f7', { watchCache: false, files: { '.devops.yml': DEVOPS_YML } });
  await rig.stack.repo.branch('long');
  await rig.stack.repo.checkout('long');
  await rig.stack.repo.commit({ '.devops.yml': LONG_YML }, 'a build that runs until stopped');
  await rig.stack.repo.checkout('main');
  await rig.stack.createPipeline('watch');
  // Two at a time: the others wait as Queued, and only a seen transition to a final phase lets them in.
  await rig.stack.createSetting({ maxConcurrentExecutions: 2 });
  const cp = rig.stack.cluster.controlPlane;
  apiProxy = await TcpProxy.start(Number(new URL(cp.server).port));
  const kubeconfig = writeKubeconfig(join(rig.logDir, 'proxied.kubeconfig'), { server: `https://127.0.0.1:${apiProxy.port}`, caPem: cp.certs.caPem, token: cp.manager.token });
  // The production resync (30 s), not the stack's 5 s: the watch, not the resync, has to carry the transitions.
  manager = await rig.startManager('manager', { KUBECONFIG: kubeconfig, RESYNC_SECONDS: '30' });
}, 300_000);

afterAll(async () => {
  await rig?.stop();
  await apiProxy?.stop();
});

function start(branch = 'main'): Promise<string> {
  return run(rig.stack, manager, 'watch', branch);
}

/** An execution made with kubectl (the manager completes it), as when the manager is not there to ask. */
async function createByHand(name: string): Promise<string> {
  await rig.stack.kube.resource(Keelson.PipelineExecution).create({
    apiVersion: 'devops.keelson.dev/v1alpha1', kind: 'PipelineExecution', metadata: { name, namespace: 'demo' },
    spec: { pipelineRef: { name: 'watch' }, branch: 'main' },
  } as never);
  return name;
}

async function compactEtcd(): Promise<void> {
  // Any write gives the current revision as its resourceVersion (etcd's revision, with the watch cache off).
  const marker = await rig.stack.kube.resource(Keelson.Pipeline).patch('demo', 'watch', { metadata: { annotations: { 'keelson.dev/test-compaction': String(Date.now()) } } });
  const res = await fetch(`${rig.stack.cluster.controlPlane.etcd.url}/v3/kv/compaction`, { method: 'POST', body: JSON.stringify({ revision: marker.metadata.resourceVersion, physical: true }) });
  expect(res.status).toBe(200);
}

describe('F7: the apiserver goes away and watches expire', () => {
  it('misses no transition across an apiserver restart while builds run and others wait for a slot', async () => {
    const names = [await start(), await start(), await start(), await start()];
    // Restart once the first two build pods run: the Jenkins double (unlike the Kubernetes plugin, which retries)
    // fails a build whose pod it cannot read while it waits for the pod to start.
    await waitFor('two build pods to run', () => names.filter((n) => rig.ledger.buildsOf(n)[0]?.pod?.nodeName).length >= 2, { timeoutMs: 120_000 });

    await rig.stack.cluster.controlPlane.apiserver.restart();

    await expectOneBuildEachEndingAsJenkins(rig.stack, rig.ledger, names);
    expectBuildsSucceeded(rig.stack, rig.ledger, names);
    expect(manager.alive).toBe(true);
    expect(rig.recorder.leftTerminal()).toEqual({});
  });

  it('relists after a forced 410 and acts on what changed meanwhile: new executions run, a stop is carried out', async () => {
    const running = await start();
    const stopped = await start('long');
    for (const n of [running, stopped]) await waitFor(`${n} to run`, () => rig.ledger.buildsOf(n).length > 0, { timeoutMs: 120_000 });
    const gonesBefore = manager.logLines('watch expired (410 Gone), relisting').filter((l) => l.informer === 'pipelineexecutions').length;

    // Short of the 10 s renew deadline, so the manager stays leader and its informers must relist by themselves.
    apiProxy.sever();
    let created: string[];
    try {
      created = [await createByHand('by-hand-1'), await createByHand('by-hand-2')];
      await rig.stack.kube.resource(Keelson.PipelineExecution).patch('demo', stopped, { spec: { stop: true } });
      await compactEtcd();
    } finally {
      apiProxy.restore();
    }

    await waitFor('the manager to relist executions after 410 Gone', () => manager.logLines('watch expired (410 Gone), relisting')
      .filter((l) => l.informer === 'pipelineexecutions').length > gonesBefore, { timeoutMs: 90_000 });
    const rows = await expectOneBuildEachEndingAsJenkins(rig.stack, rig.ledger, [running, stopped, ...created]);
    expect(rows.map((r) => [r.name, r.phase])).toEqual([[running, 'Succeeded'], [stopped, 'Aborted'], ...created.map((n) => [n, 'Succeeded'])]);
    expect(rig.recorder.leftTerminal()).toEqual({});
  });
});
