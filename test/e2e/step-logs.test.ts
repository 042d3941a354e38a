// Step logs end to end (issue 12 §2): a run started through the REST API on the whole stack (KWOK cluster, the
// manager, the Jenkins double making build pods, a real MinIO) is followed live through the manager's log API,
// sealed, recorded in the status, and its Jenkins job goes once its logs are safe.
import { createHash } from 'node:crypto';
import { waitFor } from '@keelson/servers';
import { KeelsonStack } from '../support/keelson-stack';
import { SseClient } from '../support/sse-client';

const CONFIG = `stages:
- name: build
  steps:
  - runScriptConfig: {image: alpine:3.20, shellScript: "echo compiling\\nsleep 5\\necho compiled"}
- name: test
  steps:
  - runScriptConfig: {image: alpine:3.20, shellScript: "echo unit"}
  - runScriptConfig: {image: alpine:3.20, shellScript: "echo lint"}
`;

let stack: KeelsonStack;

beforeAll(async () => {
  stack = await KeelsonStack.start({ minio: true, files: { '.devops.yml': CONFIG } });
  await stack.createPipeline('web');
}, 180_000);
afterAll(() => stack?.stop());

it('follows a run\'s step live through the manager, seals every step, records it, then deletes the Jenkins job', async () => {
  const run = await stack.api('/api/v1/namespaces/demo/pipelines/web/run', { branch: 'main' });
  expect(run.status).toBe(201);
  const name = run.body.metadata.name as string;
  await stack.waitForPhase(name, ['Running']);
  const sse = await SseClient.open(`${stack.manager.url}/api/v1/namespaces/demo/pipelineexecutions/${name}/logs?stage=0&step=0`, { authorization: `Bearer ${stack.adminToken}` });
  const first = await sse.next((e) => e.event === 'message');
  const end = await sse.next((e) => e.event === 'end', 60_000);
  const step0 = '+ echo compiling\ncompiling\n+ sleep 5\n+ echo compiled\ncompiled\n';
  expect(sse.text()).toBe(step0);
  expect(first.at).toBeLessThan(end.at);
  expect(end.data).toEqual({ size: step0.length, complete: true });

  const done = await stack.waitForPhase(name, ['Succeeded']);
  await waitFor('the logs to be complete', async () => (await stack.execution(name)).status?.log?.state === 'Complete', { timeoutMs: 60_000 });
  const exe = await stack.execution(name);
  expect(done.status?.phase).toBe('Succeeded');
  const logs = exe.status?.stages?.flatMap((s) => s.steps.map((step) => step.log));
  expect(logs).toEqual([
    { object: `demo/web/${exe.spec.run}/0/0/log`, size: step0.length, sha256: createHash('sha256').update(step0).digest('hex'), lines: 5 },
    expect.objectContaining({ object: `demo/web/${exe.spec.run}/1/0/log`, size: '+ echo unit\nunit\n'.length }),
    expect.objectContaining({ object: `demo/web/${exe.spec.run}/1/1/log`, size: '+ echo lint\nlint\n'.length }),
  ]);
  await waitFor('the Jenkins job to go', async () => stack.jenkins.jobConfig('demo-pipeline', name) === undefined, { timeoutMs: 30_000 });

  const whole = await fetch(`${stack.manager.url}/api/v1/namespaces/demo/pipelineexecutions/${name}/logs`, { headers: { authorization: `Bearer ${stack.adminToken}` } });
  expect(whole.headers.get('x-log-complete')).toBe('true');
  expect(await whole.text()).toBe(`==> stage 0 "build" / step 0 "step-1" <==\n${step0}\n==> stage 1 "test" / step 0 "step-1" <==\n+ echo unit\nunit\n\n==> stage 1 "test" / step 1 "step-2" <==\n+ echo lint\nlint\n\n`);
}, 240_000);
