import type { PipelineExecution, PipelineExecutionStatus, PipelineSetting } from '@keelson/crds';
import { projectQueue } from './project-queue';

const T0 = Date.parse('2030-01-01T10:00:00Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString().replace('.000', '');

function anExecution(name: string, created: number, status?: PipelineExecutionStatus, spec: Partial<PipelineExecution['spec']> = {}): PipelineExecution {
  const [pipeline, run] = [name.replace(/-\d+$/, ''), Number(name.split('-').at(-1))];
  return {
    apiVersion: 'devops.keelson.dev/v1alpha1', kind: 'PipelineExecution',
    metadata: { name, namespace: 'demo', uid: `uid-${name}`, creationTimestamp: at(created) },
    spec: { pipelineRef: { name: pipeline }, run, config: { stages: [] }, fork: false, stop: false, ...spec },
    ...(status && { status }),
  } as PipelineExecution;
}

const setting = (maxConcurrentExecutions: number) => ({ metadata: { namespace: 'demo', name: 'settings' }, spec: { maxConcurrentExecutions } }) as PipelineSetting;
const running = (extra: PipelineExecutionStatus = {}): PipelineExecutionStatus => ({ phase: 'Running', stages: [{ name: 'build', phase: 'Running', steps: [] }], ...extra });

describe('projectQueue', () => {
  it('lists waiting runs in admission order, with the project limit as their reason and the runs holding the slots', () => {
    const queue = projectQueue({
      namespace: 'demo', setting: setting(2), now: T0 + 100_000,
      executions: [
        anExecution('web-1', 0, running({ startTime: at(1) })), anExecution('api-1', 5, running({ startTime: at(6) })),
        anExecution('web-3', 20, { phase: 'Queued' }), anExecution('web-2', 10, { phase: 'Queued' }),
      ],
    });
    expect(queue).toMatchObject({ namespace: 'demo', limit: 2, admitted: 2 });
    expect(queue.queued.map((q) => [q.name, q.position, q.cause, q.message, q.blockedBy, q.waitingSeconds])).toEqual([
      ['web-2', 1, 'ProjectConcurrencyLimit', '2 of 2 running in project demo', ['api-1', 'web-1'], 90],
      ['web-3', 2, 'ProjectConcurrencyLimit', '2 of 2 running in project demo', ['api-1', 'web-1'], 80],
    ]);
    expect(queue.running.map((r) => r.name)).toEqual(['web-1', 'api-1']);
  });

  it('says the pipeline\'s concurrency.limit holds a run back, naming only its pipeline\'s runs', () => {
    const limited = { config: { concurrency: { limit: 1 }, stages: [] } } as Partial<PipelineExecution['spec']>;
    const queue = projectQueue({
      namespace: 'demo', setting: setting(10), now: T0,
      executions: [anExecution('web-1', 0, running(), limited), anExecution('api-1', 1, running()), anExecution('web-2', 2, { phase: 'Queued' }, limited)],
    });
    expect(queue.queued).toEqual([expect.objectContaining({
      name: 'web-2', cause: 'PipelineConcurrencyLimit', message: 'waiting: 1 of 1 run of pipeline web is running: web-1', blockedBy: ['web-1'],
    })]);
  });

  it('puts admitted runs that have not started first, saying what they wait for: data plane, Jenkins, the scheduler, the pod', () => {
    const queue = projectQueue({
      namespace: 'demo', setting: setting(10), now: T0,
      executions: [
        anExecution('a-1', 0, { phase: 'Provisioning', reason: 'waiting for Jenkins in demo-pipeline: 0/1 replicas ready' }),
        anExecution('b-1', 1, { phase: 'Running', reason: 'waiting for Jenkins: Waiting for next available executor' }),
        anExecution('c-1', 2, { phase: 'Running', reason: 'running', build: { job: 'c-1', number: 1 } }),
        anExecution('d-1', 3, { phase: 'Running', reason: 'running', build: { job: 'd-1', number: 1 } }),
        anExecution('e-1', 4, { phase: 'Running', reason: 'running', timeline: [{ type: 'BuildStarted', time: at(5) }] }),
        anExecution('f-1', 5, { phase: 'Pending' }, { run: undefined }),
        anExecution('g-1', 6, { phase: 'Queued' }),
      ],
      pods: new Map([
        ['c-1', { phase: 'Pending', unschedulable: { reason: 'Unschedulable', message: '0/3 nodes are available: 3 Insufficient cpu.' } }],
        ['d-1', { phase: 'Pending', node: 'node-a', warm: true }],
      ]),
    });
    expect(queue.queued.map((q) => [q.position, q.name, q.cause, q.message])).toEqual([
      [1, 'a-1', 'DataPlaneProvisioning', 'waiting for Jenkins in demo-pipeline: 0/1 replicas ready'],
      [2, 'b-1', 'JenkinsQueue', 'waiting for Jenkins: Waiting for next available executor'],
      [3, 'c-1', 'PodUnschedulable', 'Unschedulable: 0/3 nodes are available: 3 Insufficient cpu.'],
      [4, 'd-1', 'PodStarting', 'placed on node-a (warm), starting'],
      [5, 'e-1', 'PodPending', 'Jenkins is creating the build pod'],
      [6, 'g-1', 'Admitting', 'a slot is free; the controller is admitting it'],
      [7, 'f-1', 'Preparing', 'reading .devops.yml at the commit'],
    ]);
    expect(queue.admitted).toBe(5);
  });

  it('says when the build pods could not be read', () => {
    const queue = projectQueue({
      namespace: 'demo', now: T0, podsError: 'data plane unreachable',
      executions: [anExecution('c-1', 2, { phase: 'Running', build: { job: 'c-1', number: 1 } })],
    });
    expect(queue.queued[0]).toMatchObject({ cause: 'PodPending', message: 'the build pod could not be read: data plane unreachable' });
  });

  it('gives each running execution its start-latency breakdown from the timeline, and leaves finished and stopped runs out', () => {
    const timeline = [
      { type: 'Created' as const, time: at(0) }, { type: 'Admitted' as const, time: at(12) }, { type: 'JenkinsQueued' as const, time: at(13) },
      { type: 'BuildStarted' as const, time: at(14) }, { type: 'PodScheduled' as const, time: at(15), message: 'node-a (cold)' }, { type: 'Running' as const, time: at(25) },
    ];
    const queue = projectQueue({
      namespace: 'demo', now: T0,
      executions: [
        anExecution('web-1', 0, { phase: 'Running', startTime: at(13), node: 'node-a', warmNode: false, timeline }),
        anExecution('web-2', 1, { phase: 'Succeeded' }), anExecution('web-3', 2, { phase: 'Queued' }, { stop: true }),
      ],
    });
    expect(queue.queued).toEqual([]);
    expect(queue.running).toEqual([{
      name: 'web-1', pipeline: 'web', run: 1, startTime: at(13), node: 'node-a', warmNode: false,
      startLatency: { queued: 12, provisioning: 1, jenkinsQueue: 1, podScheduling: 1, podStartup: 10, total: 25 }, timeline,
    }]);
  });
});
