// An execution's timeline (issue 12 §3) recorded by the whole manager on the local cluster: the controller's
// Created and Admitted (how long in the queue, behind whom), the sync loop's data plane, Jenkins queue, build start,
// build pod placement by the real scheduler (warm or cold node) and first stage, and the end.
import { Keelson, type ObjectOf } from '@keelson/kube';
import { KeelsonStack } from '../support/keelson-stack';

type Execution = ObjectOf<typeof Keelson.PipelineExecution>;
type Entry = NonNullable<NonNullable<Execution['status']>['timeline']>[number];

const DEVOPS_YML = 'stages:\n- name: build\n  steps:\n  - runScriptConfig: {image: alpine:3.20, shellScript: "echo building\\nsleep 3"}\n';

let stack: KeelsonStack;

beforeAll(async () => {
  stack = await KeelsonStack.start({ files: { '.devops.yml': DEVOPS_YML } });
  await stack.createSetting({ maxConcurrentExecutions: 1 });
  await stack.createPipeline('web');
}, 240_000);
afterAll(async () => {
  await stack?.stop();
});

async function run(): Promise<string> {
  const res = await stack.api('/api/v1/namespaces/demo/pipelines/web/run', { branch: 'main' });
  expect(res.status).toBe(201);
  return res.body.metadata.name;
}

const entry = (exe: Execution, type: Entry['type']) => exe.status?.timeline?.find((e) => e.type === type);

it('records every moment of a run in order, the build pod\'s node and that it was cold the first time', async () => {
  const done = await stack.waitForPhase(await run(), ['Succeeded', 'Failed', 'Aborted']);
  expect(done.status?.phase).toBe('Succeeded');
  const timeline = done.status!.timeline!;
  expect(timeline.map((e) => e.type)).toEqual(['Created', 'Admitted', 'DataPlaneReady', 'JenkinsQueued', 'BuildStarted', 'PodScheduled', 'Running', 'Finished']);
  expect(entry(done, 'Created')?.time).toBe(done.metadata.creationTimestamp);
  expect(entry(done, 'Admitted')?.message).toMatch(/^a slot was free/);
  expect(entry(done, 'PodScheduled')?.message).toBe(`${done.status!.node} (cold)`);
  expect(entry(done, 'BuildStarted')?.message).toMatch(/^build #1 after \S+ in the Jenkins queue$/);
  expect(entry(done, 'Finished')).toEqual({ type: 'Finished', time: done.status!.completionTime, message: `Succeeded: ${done.status!.reason}` });
  // One clock on this machine: the moments happen in the order the timeline lists them (to the second: creation,
  // pod placement and completion are whole seconds, as Kubernetes writes them).
  const seconds = timeline.map((e) => Math.floor(Date.parse(e.time) / 1000));
  expect(seconds).toEqual([...seconds].sort((a, b) => a - b));
}, 120_000);

it('says a run waited behind the one holding the project\'s only slot, and that the next pod landed on the warm node', async () => {
  const first = await run();
  const second = await run();
  const queued = await stack.waitForPhase(second, ['Queued']);
  expect(queued.status?.reason).toBe('1 of 1 running in project demo');
  const done = await stack.waitForPhase(second, ['Succeeded', 'Failed', 'Aborted']);
  expect(done.status?.phase).toBe('Succeeded');
  expect(entry(done, 'Created')?.message).toBe(`queued behind ${first} (project concurrency limit)`);
  expect(entry(done, 'Admitted')?.message).toMatch(new RegExp(`^after \\S+ in the queue \\(project concurrency limit\\), behind ${first}$`));
  expect(entry(done, 'PodScheduled')?.message).toBe(`${done.status!.node} (warm)`);
  expect(done.status?.warmNode).toBe(true);
}, 180_000);
