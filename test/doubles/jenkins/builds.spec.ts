import { compileJenkinsJob } from '@keelson/engine-jenkins';
import { aCompileInput } from '../../../libs/engine-jenkins/src/compiler/testing/compile-input.builders';
import { aDouble, aJob, INSTANCE, type JenkinsHttp } from './testing/jenkins-http';
import type { JenkinsDouble } from './jenkins-double';

let double: JenkinsDouble;
let http: JenkinsHttp;

beforeEach(async () => {
  ({ double, http } = await aDouble());
});
afterEach(() => double.stop());

const RUN = '/job/web/1';

async function run(configXml: string, executionId = 'web-12'): Promise<void> {
  expect((await http.post('/createItem?name=web', configXml, 'application/xml')).status).toBe(200);
  expect((await http.post(`/job/web/buildWithParameters?EXECUTION_ID=${executionId}`)).status).toBe(201);
  await double.idle();
}

interface Stage { id: string; name: string; status: string; error?: { message: string | null; type: string }; durationMillis: number; startTimeMillis: number }
const describeRun = () => http.json<{ status: string; name: string; stages: Stage[]; _links: Record<string, { href: string }> }>(`${RUN}/wfapi/describe`);
const statuses = async () => Object.fromEntries((await describeRun()).stages.map((s) => [s.name, s.status]));
const consoleText = () => http.get(`${RUN}/consoleText`).then((r) => r.text);

describe('a successful build', () => {
  it('walks the checkout, the stages and their steps, in execution order, to SUCCESS', async () => {
    await run(aJob([['echo one', 'echo two'], ['echo three']]).configXml);
    const described = await describeRun();
    expect(described).toMatchObject({ id: '1', name: '#12', status: 'SUCCESS', _links: { self: { href: `/${INSTANCE}${RUN}/wfapi/describe` } } });
    expect(described.stages.map((s) => [s.name, s.status])).toEqual([
      ['checkout', 'SUCCESS'],
      ['stage-0 s0', 'SUCCESS'],
      ['step-0-0 step-1', 'SUCCESS'],
      ['step-0-1 step-2', 'SUCCESS'],
      ['stage-1 s1', 'SUCCESS'],
      ['step-1-0 step-1', 'SUCCESS'],
    ]);
    expect(described.stages[1]).toEqual(expect.objectContaining({ execNode: '', _links: { self: { href: `/${INSTANCE}${RUN}/execution/node/${described.stages[1].id}/wfapi/describe` } } }));
    const build = await http.json(`${RUN}/api/json`);
    expect(build).toMatchObject({
      _class: 'org.jenkinsci.plugins.workflow.job.WorkflowRun', building: false, result: 'SUCCESS', number: 1, id: '1',
      displayName: '#12', description: 'main @ 0123456: Make the tests pass', inProgress: false, url: `${double.url(INSTANCE)}${RUN}/`,
      actions: expect.arrayContaining([{ _class: 'hudson.model.ParametersAction', parameters: [{ _class: 'hudson.model.StringParameterValue', name: 'EXECUTION_ID', value: 'web-12' }] }]),
    });
    const text = await consoleText();
    expect(text).toMatch(/^Started by user keelson-manager\n\[Pipeline\] Start of Pipeline\n/);
    expect(text).toContain('[step-0-0 step-1] + echo one\n[step-0-0 step-1] one\n');
    expect(text).toContain('Checking out Revision 0123456789abcdef0123456789abcdef01234567 (detached)');
    expect(text).toMatch(/\[Pipeline\] End of Pipeline\nFinished: SUCCESS\n$/);
    expect(double.builds()).toEqual([expect.objectContaining({ instance: INSTANCE, job: 'web', number: 1, params: { EXECUTION_ID: 'web-12' }, result: 'SUCCESS', building: false })]);
  });

  it('embeds the flow nodes of each stage with fullStages=true, and lists runs at the job level', async () => {
    await run(aJob([['echo one']]).configXml);
    const plain = await describeRun();
    expect(plain.stages[0]).not.toHaveProperty('stageFlowNodes');
    const full = await http.json(`${RUN}/wfapi/describe?fullStages=true`);
    const step = full.stages.find((s: { name: string }) => s.name === 'step-0-0 step-1');
    expect(step.stageFlowNodes.map((n: { name: string; status: string }) => `${n.name}:${n.status}`)).toEqual(['Write file to workspace:SUCCESS', 'Shell Script:SUCCESS']);
    expect(await http.json('/job/web/wfapi/describe')).toEqual({
      _links: { self: { href: `/${INSTANCE}/job/web/wfapi/describe` }, runs: { href: `/${INSTANCE}/job/web/wfapi/runs` } }, name: 'web', runCount: 1,
    });
    expect((await http.json('/job/web/wfapi/runs')).map((r: { id: string; status: string }) => `${r.id}:${r.status}`)).toEqual(['1:SUCCESS']);
  });

  it('takes the time of sleep from the double clock, and shows IN_PROGRESS meanwhile', async () => {
    await run(aJob([['echo start\nsleep 30\necho done']]).configXml);
    expect(await describeRun()).toMatchObject({ status: 'IN_PROGRESS' });
    expect(await statuses()).toMatchObject({ 'stage-0 s0': 'IN_PROGRESS', 'step-0-0 step-1': 'IN_PROGRESS', checkout: 'SUCCESS' });
    expect(await http.json(`${RUN}/api/json`)).toMatchObject({ building: true, result: null, inProgress: true });
    await double.advance(29_999);
    expect((await describeRun()).status).toBe('IN_PROGRESS');
    await double.advance(1);
    const described = await describeRun();
    expect(described.status).toBe('SUCCESS');
    expect(described.stages.find((s) => s.name === 'step-0-0 step-1')?.durationMillis).toBe(30_000);
  });

  it('runs the steps of a stage in parallel', async () => {
    await run(aJob([['sleep 10', 'sleep 10'], ['sleep 1']]).configXml);
    await double.advance(10_000);
    expect(await statuses()).toMatchObject({ 'step-0-0 step-1': 'SUCCESS', 'step-0-1 step-2': 'SUCCESS', 'step-1-0 step-1': 'IN_PROGRESS' });
  });

  it('shows skipped stages and steps as NOT_EXECUTED and still succeeds', async () => {
    const job = compileJenkinsJob(aCompileInput(`
stages:
- name: test
  when: {branch: other}
  steps:
  - runScriptConfig: {image: alpine, shellScript: echo never}
- name: build
  steps:
  - runScriptConfig: {image: alpine, shellScript: echo yes}
  - runScriptConfig: {image: alpine, shellScript: echo no}
    when: {event: tag}
`));
    await run(job.configXml);
    expect(await statuses()).toEqual({
      checkout: 'SUCCESS', 'stage-0 test': 'NOT_EXECUTED', 'stage-1 build': 'SUCCESS', 'step-1-0 step-1': 'SUCCESS', 'step-1-1 step-2': 'NOT_EXECUTED',
    });
    const skipped = (await describeRun()).stages.find((s) => s.name === 'stage-0 test');
    expect(skipped).not.toHaveProperty('error');
    expect((await http.json(`${RUN}/api/json`)).result).toBe('SUCCESS');
  });
});

describe('a failing build', () => {
  it('fails the step, its stage and the build on exit N; later stages never start', async () => {
    await run(aJob([['echo fine', 'echo bad\nexit 3\necho unreachable'], ['echo never']]).configXml);
    const described = await describeRun();
    expect(described.status).toBe('FAILED');
    expect(described.stages.map((s) => [s.name, s.status])).toEqual([
      ['checkout', 'SUCCESS'], ['stage-0 s0', 'FAILED'], ['step-0-0 step-1', 'SUCCESS'], ['step-0-1 step-2', 'FAILED'],
    ]);
    expect(described.stages[3].error).toEqual({ message: 'script returned exit code 3', type: 'hudson.AbortException' });
    expect((await http.json(`${RUN}/api/json`)).result).toBe('FAILURE');
    const text = await consoleText();
    expect(text).not.toContain('unreachable\n');
    expect(text).toMatch(/Failed in branch step-0-1 step-2\nERROR: script returned exit code 3\nFinished: FAILURE\n$/);
  });

  it('fails at once, before any stage, when EXECUTION_ID is not the one the script was generated for', async () => {
    await run(aJob([['echo hi']]).configXml, 'web-99');
    expect(await describeRun()).toMatchObject({ status: 'FAILED', stages: [] });
    expect(await consoleText()).toMatch(/ERROR: This script was generated for execution web-12\nFinished: FAILURE\n$/);
  });

  it('fails a step the compiler refused with its message', async () => {
    const job = compileJenkinsJob(aCompileInput(`
stages:
- name: deploy
  steps:
  - applyYamlConfig: {path: ./deploy.yaml}
`, { facts: { event: 'pull_request', fromFork: true, ref: 'refs/pull/1/head' } }));
    await run(job.configXml);
    const step = (await describeRun()).stages.find((s) => s.name.startsWith('step-0-0'));
    expect(step).toMatchObject({ status: 'FAILED', error: { type: 'hudson.AbortException', message: expect.stringContaining('forks') } });
  });

  it('retries a failing step as many times as retry() says', async () => {
    const job = compileJenkinsJob(aCompileInput(`
stages:
- name: flaky
  steps:
  - runScriptConfig: {image: alpine, shellScript: exit 1}
    retry: 2
`));
    await run(job.configXml);
    const step = (await describeRun()).stages.find((s) => s.name.startsWith('step-0-0')) as Stage;
    const node = await http.json(`${RUN}/execution/node/${step.id}/wfapi/describe`);
    expect(node.stageFlowNodes.filter((n: { name: string }) => n.name === 'Shell Script').map((n: { status: string }) => n.status)).toEqual(['FAILED', 'FAILED', 'FAILED']);
    expect((await consoleText()).match(/Retrying/g)).toHaveLength(2);
    expect((await http.json(`${RUN}/api/json`)).result).toBe('FAILURE');
  });

  it('aborts a step that overruns its timeout', async () => {
    const job = compileJenkinsJob(aCompileInput(`
stages:
- name: slow
  steps:
  - runScriptConfig: {image: alpine, shellScript: sleep 600}
    timeout: 1
`));
    await run(job.configXml);
    await double.advance(60_000);
    const described = await describeRun();
    expect(described.status).toBe('ABORTED');
    expect(described.stages.find((s) => s.name.startsWith('step-0-0'))).toMatchObject({
      status: 'ABORTED', error: { type: 'org.jenkinsci.plugins.workflow.steps.FlowInterruptedException' },
    });
    expect(await consoleText()).toMatch(/Timeout has been exceeded\nFinished: ABORTED\n$/);
  });
});

describe('an approval', () => {
  const approvalJob = () => aJob([['echo before'], [{ approval: 'Ship it?' }], ['echo after']]).configXml;

  it('pauses the run as PAUSED_PENDING_INPUT with a pending input action until it is approved', async () => {
    await run(approvalJob());
    const described = await describeRun();
    expect(described.status).toBe('PAUSED_PENDING_INPUT');
    expect(described._links.pendingInputActions).toEqual({ href: `/${INSTANCE}${RUN}/wfapi/pendingInputActions` });
    expect(await statuses()).toMatchObject({ 'stage-1 s1': 'PAUSED_PENDING_INPUT', 'step-1-0 step-1': 'PAUSED_PENDING_INPUT' });
    expect(await http.json(`${RUN}/wfapi/pendingInputActions`)).toEqual([{
      id: 'Approval-1-0', proceedText: 'Approve', message: 'Ship it?', inputs: [],
      proceedUrl: `/${INSTANCE}${RUN}/wfapi/inputSubmit?inputId=Approval-1-0`,
      abortUrl: `/${INSTANCE}${RUN}/input/Approval-1-0/abort`,
      redirectApprovalUrl: `/${INSTANCE}${RUN}/input/`,
    }]);
    expect((await http.post(`${RUN}/input/Approval-1-0/proceedEmpty`)).status).toBe(200);
    await double.idle();
    expect((await describeRun()).status).toBe('SUCCESS');
    expect(await http.json(`${RUN}/wfapi/pendingInputActions`)).toEqual([]);
    expect(await consoleText()).toContain('[step-1-0 step-1] Approved by keelson-manager\n');
    // A settled input is gone.
    expect((await http.post(`${RUN}/input/Approval-1-0/proceedEmpty`)).status).toBe(404);
  });

  it('proceeds through wfapi/inputSubmit, and answers 500 for an input it does not have', async () => {
    await run(approvalJob());
    expect((await http.post(`${RUN}/wfapi/inputSubmit?inputId=approval-1-0`)).status).toBe(500);
    expect((await http.post(`${RUN}/wfapi/inputSubmit?inputId=Approval-1-0`)).status).toBe(200);
    await double.idle();
    expect((await http.json(`${RUN}/api/json`)).result).toBe('SUCCESS');
  });

  it('proceeds with POST input/<Id>/proceed and a json form', async () => {
    await run(approvalJob());
    const form = new URLSearchParams({ json: JSON.stringify({ parameter: [] }) }).toString();
    expect((await http.post(`${RUN}/input/Approval-1-0/proceed`, form, 'application/x-www-form-urlencoded')).status).toBe(200);
    await double.idle();
    expect((await http.json(`${RUN}/api/json`)).result).toBe('SUCCESS');
  });

  it('aborts the run when the input is rejected', async () => {
    await run(approvalJob());
    expect((await http.post(`${RUN}/input/Approval-1-0/abort`)).status).toBe(200);
    await double.idle();
    expect(await statuses()).toMatchObject({ 'stage-1 s1': 'ABORTED', 'step-1-0 step-1': 'ABORTED' });
    expect((await describeRun()).status).toBe('ABORTED');
    expect((await describeRun()).stages.map((s) => s.name)).not.toContain('stage-2 s2');
    expect(await consoleText()).toMatch(/Rejected by keelson-manager\n[\s\S]*Finished: ABORTED\n$/);
  });
});

describe('stopping', () => {
  it('aborts a running build at once with POST stop, answered by a redirect', async () => {
    await run(aJob([['sleep 100']]).configXml);
    const res = await http.post(`${RUN}/stop`);
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe(`${double.url(INSTANCE)}${RUN}/`);
    await double.idle();
    expect(await http.json(`${RUN}/api/json`)).toMatchObject({ building: false, result: 'ABORTED' });
    expect(await statuses()).toMatchObject({ 'stage-0 s0': 'ABORTED', 'step-0-0 step-1': 'ABORTED' });
    expect(await consoleText()).toMatch(/Aborted by keelson-manager\n[\s\S]*Finished: ABORTED\n$/);
    // Stopping a finished build changes nothing.
    expect((await http.post(`${RUN}/stop`)).status).toBe(302);
    expect((await http.json(`${RUN}/api/json`)).result).toBe('ABORTED');
  });

  it.each(['term', 'kill'])('aborts a running build with POST %s', async (how) => {
    await run(aJob([['sleep 100']]).configXml);
    expect((await http.post(`${RUN}/${how}`)).status).toBe(200);
    await double.idle();
    expect((await http.json(`${RUN}/api/json`)).result).toBe('ABORTED');
  });
});

describe('fault controls on builds', () => {
  it('holds a running build where it is while stalled', async () => {
    await run(aJob([['sleep 5\necho done']]).configXml);
    double.stallBuilds(true);
    await double.advance(60_000);
    expect((await describeRun()).status).toBe('IN_PROGRESS');
    expect(await consoleText()).not.toContain('done\n');
    double.stallBuilds(false);
    await double.idle();
    expect((await describeRun()).status).toBe('SUCCESS');
  });

  it('forgets a lost build: 404 from then on', async () => {
    await run(aJob([['sleep 100']]).configXml);
    expect(double.loseBuild(INSTANCE, 'web', 1)).toBe(true);
    await double.idle();
    expect((await http.get(`${RUN}/api/json`)).status).toBe(404);
    expect((await http.get(`${RUN}/wfapi/describe`)).status).toBe(404);
    expect(double.builds()).toEqual([]);
    expect((await http.json('/job/web/api/json')).nextBuildNumber).toBe(2);
  });

  it('loses running builds on a restart that cannot resume them, but keeps finished ones', async () => {
    await run(aJob([['sleep 100']]).configXml);
    await double.advance(100_000);
    await http.post('/job/web/buildWithParameters?EXECUTION_ID=web-12');
    await double.idle();
    double.restart({ loseRunningBuilds: true });
    expect((await http.get('/job/web/2/api/json')).status).toBe(404);
    expect((await http.json(`${RUN}/api/json`)).result).toBe('SUCCESS');
  });
});
