// F1 (scenarios.md §5.2): the manager is SIGKILLed at the seams around the Jenkins trigger, (c) after the
// execution was handed to the sync loop and before the trigger, (d) after the trigger and before the status
// write, and (d) again once Jenkins has forgotten the queue item (5-minute left-item cache). A restarted manager
// finds the build by EXECUTION_ID: exactly one build per execution, and each ends as Jenkins says.
import { join } from 'node:path';
import { Core } from '@keelson/kube';
import { TcpProxy, waitFor, writeKubeconfig } from '@keelson/servers';
import { expectOneBuildEachEndingAsJenkins, run } from '../../support/fault-checks';
import { JenkinsTap } from '../../support/jenkins-tap';
import { JumpClock } from '../../support/jump-clock';
import { FaultRig } from '../../support/fault-rig';

const DEVOPS_YML = `
stages:
- name: build
  steps:
  - runScriptConfig: {image: alpine:3.20, shellScript: "echo building\\nsleep 3\\necho built"}
`;
const LEFT_ITEM_TTL_MS = 5 * 60_000;

const clock = new JumpClock();
let rig: FaultRig;
let apiProxy: TcpProxy;
let tap: JenkinsTap;
let proxiedKubeconfig: string;

beforeAll(async () => {
  rig = await FaultRig.start('f1', { jenkinsClock: clock, files: { '.devops.yml': DEVOPS_YML } });
  await rig.stack.createPipeline('crash');
  const cp = rig.stack.cluster.controlPlane;
  apiProxy = await TcpProxy.start(Number(new URL(cp.server).port));
  proxiedKubeconfig = writeKubeconfig(join(rig.logDir, 'proxied.kubeconfig'), { server: `https://127.0.0.1:${apiProxy.port}`, caPem: cp.certs.caPem, token: cp.manager.token });
  tap = await JenkinsTap.start(rig.stack.jenkins.url());
}, 300_000);

afterEach(async () => {
  await rig?.stopManagers();
  apiProxy?.restore();
  rig?.stack.jenkins.unavailable(false);
  rig?.stack.jenkins.stallBuilds(false);
});

afterAll(async () => {
  await rig?.stop();
  await tap?.stop();
  await apiProxy?.stop();
});

/** GET on the double as the data plane's Jenkins admin: what Jenkins itself answers, for the record. */
async function jenkinsStatus(path: string): Promise<number> {
  const secret = (await rig.stack.kube.resource(Core.Secret).get('demo-pipeline', 'jenkins-admin')) as { data?: Record<string, string> };
  const decode = (k: string) => Buffer.from(secret.data?.[k] ?? '', 'base64').toString('utf8');
  const auth = Buffer.from(`${decode('username')}:${decode('password')}`).toString('base64');
  return (await fetch(`${rig.stack.jenkins.url('demo-pipeline')}${path}`, { headers: { authorization: `Basic ${auth}` } })).status;
}

describe('F1: the manager is killed around the Jenkins trigger', () => {
  it('(c) starts exactly one build for an execution whose manager died after handing it to the sync loop and before the trigger', async () => {
    const first = await rig.startManager('manager-c1');
    const warm = await run(rig.stack, first, 'crash', 'main');
    // Once a build is under way the data plane is known ready, so the next run goes straight to the sync loop.
    await waitFor('the warm-up build to be recorded', async () => (await rig.stack.execution(warm)).status?.build !== undefined, { timeoutMs: 120_000 });

    rig.stack.jenkins.unavailable(true);
    const name = await run(rig.stack, first, 'crash', 'main');
    await waitFor('the sync loop to find Jenkins down', async () => (await rig.stack.execution(name)).status?.reason === 'waiting for Jenkins: it answers HTTP 503', { timeoutMs: 60_000 });
    // Admitted with a warm data plane: Running, handed to the sync loop, no build yet.
    expect((await rig.stack.execution(name)).status?.phase).toBe('Running');
    expect(rig.ledger.buildsOf(name)).toHaveLength(0);

    await first.kill('SIGKILL');
    rig.stack.jenkins.unavailable(false);
    await rig.startManager('manager-c2');

    await expectOneBuildEachEndingAsJenkins(rig.stack, rig.ledger, [warm, name]);
    expect((await rig.stack.execution(name)).status?.phase).toBe('Succeeded');
    expect(rig.recorder.leftTerminal()).toEqual({});
  });

  it('(d) finds the build by EXECUTION_ID after the manager died between the trigger and the status write, even once Jenkins forgot the queue item', async () => {
    const first = await rig.startManager('manager-d1', { KUBECONFIG: proxiedKubeconfig, DATA_PLANE_JENKINS_URL: `${tap.url}/{namespace}` });
    // Jenkins queues the build; before the manager hears so, its apiserver connection is cut.
    const triggered = tap.holdAnswer('POST', /\/job\/[^/]+\/buildWithParameters$/, async () => apiProxy.sever());
    const name = await run(rig.stack, first, 'crash', 'main');
    await triggered;
    expect(rig.ledger.buildsOf(name)).toHaveLength(1);
    // Let the manager try (and fail) to record the build, then kill it.
    await new Promise((r) => setTimeout(r, 1_000));
    await first.kill('SIGKILL');
    apiProxy.restore();
    // The manager had Jenkins' answer in hand, and the apiserver never heard of the build.
    expect(first.logLines('build queued in Jenkins').map((l) => l.name)).toContain(name);
    expect((await rig.stack.execution(name)).status?.build).toBeUndefined();

    // The build has left the queue: five minutes later Jenkins no longer knows the item.
    const queueId = rig.ledger.buildsOf(name)[0].queueId;
    clock.advance(LEFT_ITEM_TTL_MS + 60_000);
    expect(await jenkinsStatus(`/queue/item/${queueId}/api/json`)).toBe(404);

    await rig.startManager('manager-d2');
    const [row] = await expectOneBuildEachEndingAsJenkins(rig.stack, rig.ledger, [name]);
    expect(row.phase).toBe('Succeeded');
    expect((await rig.stack.execution(name)).status?.build).toMatchObject({ job: rig.ledger.buildsOf(name)[0].job, number: rig.ledger.buildsOf(name)[0].number });
    expect(rig.recorder.leftTerminal()).toEqual({});
  });

  it('(d) finds the build of a recorded queue item that left the queue and expired while no manager ran', async () => {
    const first = await rig.startManager('manager-d3');
    rig.stack.jenkins.stallBuilds(true);
    const name = await run(rig.stack, first, 'crash', 'main');
    await waitFor('the queue item to be recorded', async () => (await rig.stack.execution(name)).status?.build?.queueItem !== undefined, { timeoutMs: 120_000 });
    const recorded = (await rig.stack.execution(name)).status!.build!;
    expect(recorded.number).toBeUndefined();

    await first.kill('SIGKILL');
    rig.stack.jenkins.stallBuilds(false);
    await waitFor('the build to start', () => rig.ledger.buildsOf(name).length === 1, { timeoutMs: 30_000 });
    clock.advance(LEFT_ITEM_TTL_MS + 60_000);
    expect(await jenkinsStatus(`/queue/item/${recorded.queueItem}/api/json`)).toBe(404);

    await rig.startManager('manager-d4');
    const [row] = await expectOneBuildEachEndingAsJenkins(rig.stack, rig.ledger, [name]);
    expect(row.phase).toBe('Succeeded');
    expect((await rig.stack.execution(name)).status?.build).toMatchObject({ queueItem: recorded.queueItem, number: rig.ledger.buildsOf(name)[0].number });
    expect(rig.recorder.leftTerminal()).toEqual({});
  });
});
