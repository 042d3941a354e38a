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

it('carries a live step\'s log on the tab\'s one event stream, picked up again from logFrom, the resources still flowing', async () => {
  const run = await stack.api('/api/v1/namespaces/demo/pipelines/web/run', { branch: 'main' });
  expect(run.status).toBe(201);
  const name = run.body.metadata.name as string;
  await stack.waitForPhase(name, ['Running']);
  const events = (query: string, headers: Record<string, string> = {}) =>
    SseClient.open(`${stack.manager.url}/api/v1/events?${query}`, { authorization: `Bearer ${stack.adminToken}`, ...headers });

  const missing = await events(`log=demo/${name}/9/0`);
  expect(missing.status).toBe(404);
  expect(missing.events[0].data.errors).toEqual([expect.objectContaining({ pointer: '/query/log' })]);
  const malformed = await events(`log=${name}/0/0`);
  expect(malformed.status).toBe(400);
  expect(malformed.events[0].data.errors).toEqual([expect.objectContaining({ pointer: '/query/log' })]);

  // The tab's stream with the step's log: the lines stored so far, then the tab goes away mid-step.
  const first = await events(`log=demo/${encodeURIComponent(name)}/0/0`);
  expect(first.status).toBe(200);
  await first.next((e) => e.event === 'LOG');
  first.close();
  const received = first.events.filter((e) => e.event === 'LOG');
  const from = received.at(-1)!.data.offset as number;
  expect(first.events[0].event).toBe('SUBSCRIBED');

  // It comes back: resources from Last-Event-ID, the log from the bytes it has.
  const second = await events(`log=demo/${name}/0/0&logFrom=${from}`, { 'last-event-id': first.lastEventId! });
  const end = await second.next((e) => e.event === 'LOG_END', 60_000);
  const step0 = '+ echo compiling\ncompiling\n+ sleep 5\n+ echo compiled\ncompiled\n';
  const logs = [...received, ...second.events.filter((e) => e.event === 'LOG')];
  expect(logs.map((e) => e.data.text).join('')).toBe(step0); // no line lost or doubled across the reconnect
  expect(logs.every((e) => e.id === undefined && e.data.execution === name && e.data.stage === 0 && e.data.step === 0)).toBe(true);
  expect(end.data).toMatchObject({ execution: name, size: step0.length, complete: true });
  await second.until((ev) => ev.some((e) => e.event === 'MODIFIED' && e.data.metadata?.name === name), 'a change of the run on the same stream', 60_000);
  expect(second.ended).toBe(false); // the log ended, the tab's stream goes on
  second.close();
  await stack.waitForPhase(name, ['Succeeded']);
}, 240_000);
