// The Jenkins engine client against the Jenkins double (test/doubles/jenkins), which follows the reference
// /work/shared/reference/jenkins-api.md: the whole flow of an execution, from job to log, through the client
// alone. The double runs without a cluster (no build pods): what is under test is the client's conversation
// with Jenkins, not the agent pod.
import { FakeClock } from '@keelson/kube';
import {
  compileJenkinsJob, JenkinsEngineClient, type EngineBuildRef, type EngineBuildState, type EngineEndpoint,
} from '@keelson/engine-jenkins';
import { aCompileInput } from '../../libs/engine-jenkins/src/compiler/testing/compile-input.builders';
import { startJenkinsDouble, type JenkinsDouble } from '../doubles/jenkins/jenkins-double';

const INSTANCE = 'team-a-pipeline';
const USER = { username: 'keelson-manager', password: 'pa55word', apiToken: '11aabbccddeeff00112233445566778899' };
const QUIET_MS = 5_000;

const TWO_STAGES = `
stages:
- name: build
  steps:
  - runScriptConfig: {image: alpine, shellScript: "echo hello\\nsleep 2\\necho bye"}
- name: test
  steps:
  - runScriptConfig: {image: alpine, shellScript: "echo testing"}
`;

const SLOW = `
stages:
- name: build
  steps:
  - runScriptConfig: {image: alpine, shellScript: "echo start\\nsleep 600\\necho never"}
`;

const APPROVAL = `
stages:
- name: gate
  steps:
  - approval: {message: "Ship it?"}
- name: deploy
  steps:
  - runScriptConfig: {image: alpine, shellScript: "echo shipped"}
`;

function aJob(pipeline: string, executionId: string, yaml: string) {
  const compiled = compileJenkinsJob(aCompileInput(yaml, { facts: { executionId, pipeline } }));
  return { name: compiled.jobName, configXml: compiled.configXml };
}

describe('Jenkins engine client against the Jenkins double', () => {
  let clock: FakeClock;
  let double: JenkinsDouble;
  let endpoint: EngineEndpoint;
  const client = new JenkinsEngineClient({ timeoutMs: 10_000, quietPeriodSeconds: QUIET_MS / 1000 });

  beforeAll(async () => {
    clock = new FakeClock();
    double = await startJenkinsDouble({ credentials: async () => USER, clock, quietPeriodSeconds: QUIET_MS / 1000 });
    endpoint = { url: double.url(INSTANCE), username: USER.username, password: USER.password };
  });
  afterAll(() => double?.stop());

  /** A plain request beside the client, to look at what Jenkins answers. */
  function jenkinsGet(path: string): Promise<Response> {
    const auth = Buffer.from(`${USER.username}:${USER.apiToken}`).toString('base64');
    return fetch(`${endpoint.url}${path}`, { headers: { Authorization: `Basic ${auth}` } });
  }

  async function jenkinsJson<T>(path: string): Promise<T> {
    const res = await jenkinsGet(path);
    expect(res.status).toBe(200);
    return (await res.json()) as T;
  }

  /** Job updated for this execution (the script names its execution id), then started. */
  async function startExecution(pipeline: string, executionId: string, yaml: string): Promise<EngineBuildRef> {
    await client.ensureJob(endpoint, aJob(pipeline, executionId, yaml));
    return client.start(endpoint, pipeline, executionId);
  }

  /** Moves the double's clock a second at a time until the build's state satisfies `done`. */
  async function until(ref: EngineBuildRef, done: (s: EngineBuildState) => boolean, maxSeconds = 120): Promise<EngineBuildState> {
    for (let i = 0; i < maxSeconds; i++) {
      const state = await client.describe(endpoint, ref);
      if (done(state)) return state;
      await double.advance(1_000);
    }
    throw new Error(`build ${JSON.stringify(ref)} did not get there in ${maxSeconds} s`);
  }

  async function readWholeLog(ref: EngineBuildRef): Promise<string> {
    let text = '';
    let offset = 0;
    for (let i = 0; i < 1000; i++) {
      const chunk = await client.readLog(endpoint, ref, offset);
      text += chunk.text;
      offset = chunk.nextOffset;
      if (!chunk.more) return text;
      await double.advance(1_000);
    }
    throw new Error('the log did not end');
  }

  it('runs an execution from job and credential to the end of its log', async () => {
    const job = aJob('web', 'web-1', TWO_STAGES);
    await client.ensureJob(endpoint, job);
    expect(double.jobConfig(INSTANCE, 'web')).toBe(job.configXml);
    await client.ensureJob(endpoint, job);
    expect(double.requestCount('POST', '/createItem')).toBe(1);
    expect(double.requestCount('POST', '/job/{job}/config.xml')).toBe(0);

    await client.ensureCredential(endpoint, { id: 'team-a-web-git', username: 'deploy', password: 'first' });
    await client.ensureCredential(endpoint, { id: 'team-a-web-git', username: 'deploy', password: 'rotated', description: 'git <token>' });
    expect(double.requestCount('POST', '/credentials/store/system/domain/_/credential/{id}/config.xml')).toBe(1);

    // Before the start, as the sync loop does: nothing carries this execution id yet.
    expect(await client.findBuild(endpoint, 'web', 'web-1')).toBeUndefined();
    const ref = await client.start(endpoint, 'web', 'web-1');
    expect(ref.queueItem).toEqual(expect.any(Number));
    const queued = await client.describe(endpoint, ref);
    expect(queued).toMatchObject({ state: 'queued', reason: expect.stringContaining('quiet period') });
    // A second start while the item waits is the same item (303), not a second build.
    expect(await client.start(endpoint, 'web', 'web-1')).toEqual(ref);
    expect(await client.findBuild(endpoint, 'web', 'web-1')).toEqual(ref);

    await double.advance(QUIET_MS);
    const found = await client.findBuild(endpoint, 'web', 'web-1', ref);
    expect(found).toEqual({ ...ref, number: 1 });

    const log = await readWholeLog(found!);
    expect(log).toBe(double.consoleText(INSTANCE, 'web', 1));
    expect(log).toContain('+ echo hello');
    expect(log).toContain('Finished: SUCCESS');

    const finished = await client.describe(endpoint, found!);
    expect(finished).toMatchObject({ state: 'finished', result: 'SUCCESS', pendingInputs: [] });
    expect(finished.stages.map((s) => `${s.name} ${s.status}`)).toEqual(expect.arrayContaining([
      'checkout SUCCESS', 'stage-0 build SUCCESS', 'step-0-0 step-1 SUCCESS', 'stage-1 test SUCCESS', 'step-1-0 step-1 SUCCESS',
    ]));
    expect(double.builds(INSTANCE).filter((b) => b.job === 'web')).toHaveLength(1);

    // A stage is a block node: its stage-view log has no text; the `sh` node inside it has the step's output.
    const step = finished.stages.find((s) => s.name === 'step-0-0 step-1');
    expect(await client.readStepLog(endpoint, found!, step!.id!)).toMatchObject({ text: '', hasMore: false });
    const nodes = await jenkinsJson<{ stageFlowNodes: Array<{ id: string; name: string }> }>(`/job/web/1/execution/node/${step!.id}/wfapi/describe`);
    const sh = nodes.stageFlowNodes.find((n) => n.name.startsWith('Shell Script') || n.name === 'step-1');
    const stepLog = await client.readStepLog(endpoint, found!, sh!.id);
    expect(stepLog.text).toContain('+ echo hello');
    expect(stepLog.text).toContain('bye');
    expect(stepLog.text).not.toContain('&');
  });

  it('still finds the build by its execution id once Jenkins forgot the queue item (5 minutes)', async () => {
    const ref = await startExecution('api', 'api-1', TWO_STAGES);
    await until(ref, (s) => s.state === 'finished');
    await double.advance(6 * 60_000);
    expect((await jenkinsGet(`/queue/item/${ref.queueItem}/api/json`)).status).toBe(404);
    const found = await client.findBuild(endpoint, 'api', 'api-1', { job: 'api', queueItem: ref.queueItem });
    expect(found).toEqual({ job: 'api', queueItem: ref.queueItem, number: 1 });
    expect(await client.describe(endpoint, { job: 'api', queueItem: ref.queueItem })).toMatchObject({ state: 'finished', result: 'SUCCESS', ref: { number: 1 } });
  });

  it('stops a running build and cancels a queued one', async () => {
    const running = await startExecution('slow', 'slow-1', SLOW);
    const started = await until(running, (s) => s.state === 'running' && s.stages.some((st) => st.status === 'IN_PROGRESS'));
    await client.stop(endpoint, started.ref);
    const aborted = await until(started.ref, (s) => s.state === 'finished');
    expect(aborted.result).toBe('ABORTED');
    await client.stop(endpoint, started.ref); // finished: a no-op
    expect(double.requestCount('POST', '/job/{job}/{build}/stop')).toBe(1);

    const queued = await startExecution('slow', 'slow-2', SLOW);
    expect((await client.describe(endpoint, queued)).state).toBe('queued');
    await client.stop(endpoint, queued);
    expect(await client.describe(endpoint, queued)).toMatchObject({ state: 'finished', result: 'ABORTED' });
    expect(await client.findBuild(endpoint, 'slow', 'slow-2', queued)).toBeUndefined();
    await double.advance(QUIET_MS);
    expect(double.builds(INSTANCE).filter((b) => b.job === 'slow')).toHaveLength(1);
  });

  it('answers approvals: proceed goes on, abort ends the run', async () => {
    const approved = await startExecution('gated', 'gated-1', APPROVAL);
    const waiting = await until(approved, (s) => s.pendingInputs.length > 0);
    expect(waiting.pendingInputs).toEqual([{ id: 'Approval-0-0', message: 'Ship it?' }]);
    expect(waiting.stages.some((s) => s.status === 'PAUSED_PENDING_INPUT')).toBe(true);
    await client.answerInput(endpoint, waiting.ref, 'approval-0-0', 'proceed');
    expect(await until(waiting.ref, (s) => s.state === 'finished')).toMatchObject({ result: 'SUCCESS' });
    await expect(client.answerInput(endpoint, waiting.ref, 'Approval-0-0', 'proceed')).rejects.toMatchObject({ code: 'InputNotPending' });

    const rejected = await startExecution('gated', 'gated-2', APPROVAL);
    const paused = await until(rejected, (s) => s.pendingInputs.length > 0);
    await client.answerInput(endpoint, paused.ref, 'Approval-0-0', 'abort');
    expect(await until(paused.ref, (s) => s.state === 'finished')).toMatchObject({ result: 'ABORTED' });
  });

  it('gets a fresh crumb and session after Jenkins restarted', async () => {
    await client.ensureJob(endpoint, aJob('restarted', 'restarted-1', TWO_STAGES));
    const before = double.requestCount('GET', '/crumbIssuer/api/json');
    double.restart();
    await client.ensureCredential(endpoint, { id: 'after-restart', username: 'u', password: 'p' });
    expect(double.requestCount('GET', '/crumbIssuer/api/json')).toBe(before + 1);
  });

  it('works with an API token as well as with a password', async () => {
    const withToken = { ...endpoint, password: USER.apiToken };
    await client.ensureJob(withToken, aJob('tokened', 'tokened-1', TWO_STAGES));
    const ref = await client.start(withToken, 'tokened', 'tokened-1');
    expect(ref.queueItem).toEqual(expect.any(Number));
  });

  it('reports a disabled job, an unavailable Jenkins and a wrong password as such', async () => {
    await client.ensureJob(endpoint, aJob('off', 'off-1', TWO_STAGES));
    double.disableJob(INSTANCE, 'off');
    await expect(client.start(endpoint, 'off', 'off-1')).rejects.toMatchObject({ code: 'JobDisabled', retryable: false });

    double.unavailable(true);
    try {
      await expect(client.describe(endpoint, { job: 'off', number: 1 })).rejects.toMatchObject({ code: 'Unreachable', retryable: true });
    } finally {
      double.unavailable(false);
    }
    const error = await client.deleteJob({ ...endpoint, password: 'wrong-pa55' }, 'off').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'Unauthorized', retryable: false });
    expect(JSON.stringify(error) + String((error as Error).message)).not.toContain('wrong-pa55');
  });

  it('reports a build Jenkins lost as lost', async () => {
    const ref = await startExecution('fragile', 'fragile-1', SLOW);
    const running = await until(ref, (s) => s.state === 'running');
    double.loseBuild(INSTANCE, 'fragile', running.ref.number!);
    expect(await client.describe(endpoint, running.ref)).toMatchObject({ state: 'lost' });
  });

  it('deletes a job, and deleting it again is fine', async () => {
    await client.ensureJob(endpoint, aJob('gone', 'gone-1', TWO_STAGES));
    await client.deleteJob(endpoint, 'gone');
    expect(double.jobConfig(INSTANCE, 'gone')).toBeUndefined();
    await client.deleteJob(endpoint, 'gone');
    expect(await client.findBuild(endpoint, 'gone', 'gone-1')).toBeUndefined();
  });
});
