import type { ExecutionPhase, PipelineExecution } from '@keelson/crds';
import { silentLogger } from '@keelson/observability';
import { InMemoryRetryingJobQueue } from '@keelson/queue';
import { commitStateOf, commitStatusDetails, consoleLink } from './commit-status.mapping';
import { ExecutionReportHook } from './execution-report.hook';
import { previousFinishedRun, shouldNotify } from './notify-condition';
import { notificationTarget, plannedReports, type ReportJobData } from './report-jobs';

function execution(overrides: { name?: string; run?: number; phase?: ExecutionPhase; branch?: string; webhook?: boolean; notification?: unknown; status?: Record<string, unknown> } = {}): PipelineExecution {
  const run = overrides.run ?? 12;
  return {
    apiVersion: 'devops.keelson.dev/v1alpha1', kind: 'PipelineExecution',
    metadata: { name: overrides.name ?? `web-${run}`, namespace: 'demo', uid: `uid-${overrides.name ?? run}` },
    spec: {
      pipelineRef: { name: 'web' }, run, branch: overrides.branch ?? 'main', commit: '0123456789abcdef0123456789abcdef01234567', fork: false, stop: false,
      trigger: overrides.webhook === false ? { event: 'manual', user: 'ada' } : { event: 'push', deliveryId: 'd-1' },
      config: { stages: [], ...(overrides.notification ? { notification: overrides.notification } : {}) },
    },
    status: { phase: overrides.phase ?? 'Running', ...overrides.status },
  };
}

describe('commit state mapping', () => {
  it.each([
    ['Pending', 'pending'], ['Queued', 'pending'], ['Provisioning', 'pending'], ['Running', 'running'],
    ['Succeeded', 'success'], ['Aborted', 'cancelled'],
  ] as const)('reports %s as %s', (phase, state) => {
    expect(commitStateOf(execution({ phase }))).toBe(state);
  });

  it('reports a run that failed after its build started as failure, and one that never ran as error', () => {
    expect(commitStateOf(execution({ phase: 'Failed', status: { startTime: '2026-01-01T00:00:00Z' } }))).toBe('failure');
    expect(commitStateOf(execution({ phase: 'Failed', status: { reason: 'invalid .devops.yml' } }))).toBe('error');
  });

  it('links the console, names the pipeline as context, and keeps the description within GitHub\'s 140 characters', () => {
    const failed = execution({ phase: 'Failed', status: { startTime: '2026-01-01T00:00:00Z', reason: `stage build failed ${'x'.repeat(300)}` } });
    const details = commitStatusDetails(failed, 'failure', 'https://keelson.example.com');
    expect(details.context).toBe('keelson/web');
    expect(details.targetUrl).toBe('https://keelson.example.com/p/demo/pipelines/web/runs/web-12');
    expect(details.description.length).toBe(140);
    expect(details.description.startsWith('Run #12 failed: stage build failed')).toBe(true);
    expect(commitStatusDetails(execution(), 'running', undefined)).toEqual({ description: 'Run #12 is running', context: 'keelson/web' });
    expect(consoleLink(undefined, failed)).toBeUndefined();
  });
});

describe('notification condition', () => {
  it('notifies on a listed final phase', () => {
    expect(shouldNotify(['Success'], 'Succeeded', undefined)).toBe(true);
    expect(shouldNotify(['Failed'], 'Succeeded', 'Failed')).toBe(false);
    expect(shouldNotify(['Aborted'], 'Aborted', undefined)).toBe(true);
    expect(shouldNotify(['Success', 'Failed', 'Aborted', 'Changed'], 'Running', 'Failed')).toBe(false);
  });

  it('defaults to Failed and Changed: a failure, or a phase unlike the previous finished run\'s', () => {
    expect(shouldNotify(undefined, 'Failed', 'Failed')).toBe(true);
    expect(shouldNotify(undefined, 'Succeeded', 'Failed')).toBe(true);
    expect(shouldNotify(undefined, 'Succeeded', 'Succeeded')).toBe(false);
    expect(shouldNotify([], 'Succeeded', undefined)).toBe(false); // a first run changes nothing
  });

  it('compares with the latest finished earlier run of the same pipeline and branch', () => {
    const me = execution({ run: 5, phase: 'Succeeded' });
    const others = [
      execution({ run: 1, phase: 'Succeeded' }), execution({ run: 3, phase: 'Failed' }),
      execution({ run: 4, phase: 'Running' }), // not finished
      execution({ run: 2, phase: 'Succeeded', branch: 'dev' }), execution({ run: 6, phase: 'Aborted' }), // other branch, later run
      me,
    ];
    expect(previousFinishedRun(me, others)?.spec.run).toBe(3);
    expect(previousFinishedRun(execution({ run: 1 }), others)).toBeUndefined();
  });
});

describe('planned reports', () => {
  const notification = { recipients: [{ recipient: '#ci', notifier: 'slack' }, { recipient: 'ops@example.com', notifier: 'mail' }, { recipient: '#ci', notifier: 'slack' }], condition: ['Failed', 'Changed'] };

  it('has deterministic ids <uid>:<phase>:<target>, one commit status per state, one per recipient', () => {
    const planned = plannedReports(execution({ phase: 'Failed', notification }), { commitStatus: true, previousPhase: () => 'Succeeded' });
    expect(planned.map((p) => p.id)).toEqual([
      'uid-12:Failed:commit-status', `uid-12:Failed:${notificationTarget('slack', '#ci')}`, `uid-12:Failed:${notificationTarget('mail', 'ops@example.com')}`,
    ]);
    expect(plannedReports(execution({ phase: 'Queued' }), { commitStatus: true, previousPhase: () => undefined }).map((p) => p.id)).toEqual(['uid-12:Pending:commit-status']);
    expect(plannedReports(execution({ phase: 'Provisioning' }), { commitStatus: true, previousPhase: () => undefined })[0].data.phase).toBe('Pending');
    expect(notificationTarget('slack', '#ci')).toMatch(/^notify\.slack\.[0-9a-f]{12}$/);
  });

  it('reports commit statuses only for webhook runs, and notifies only final phases that match the condition', () => {
    expect(plannedReports(execution({ webhook: false, phase: 'Failed', notification }), { commitStatus: true, previousPhase: () => undefined }).map((p) => p.data.target)).toEqual(['notifier', 'notifier']);
    expect(plannedReports(execution({ phase: 'Running', notification }), { commitStatus: false, previousPhase: () => undefined })).toEqual([]);
    expect(plannedReports(execution({ phase: 'Succeeded', notification }), { commitStatus: false, previousPhase: () => 'Succeeded' })).toEqual([]);
    expect(plannedReports(execution({ phase: 'Succeeded', notification }), { commitStatus: false, previousPhase: () => 'Failed' })).toHaveLength(2);
  });
});

describe('ExecutionReportHook', () => {
  it('enqueues each report once however often the phase is observed, skips recorded ones and old runs', async () => {
    const queue = new InMemoryRetryingJobQueue<ReportJobData>();
    const added: string[] = [];
    const add = queue.add.bind(queue);
    queue.add = async (id, data) => (added.push(id), add(id, data));
    const now = Date.parse('2026-03-01T12:00:00Z');
    const hook = new ExecutionReportHook({ queue, logger: silentLogger, commitStatus: true, now: () => now });
    const running = execution({ phase: 'Running' });
    await hook.observe(running, () => []);
    await hook.observe(running, () => []);
    expect(added).toEqual(['uid-12:Running:commit-status']);
    expect(queue.pending()).toEqual(['uid-12:Running:commit-status']);

    const failed = execution({ phase: 'Failed', notification: { recipients: [{ recipient: '#ci', notifier: 'slack' }], condition: ['Failed'] }, status: { completionTime: '2026-03-01T11:59:00Z', notifications: [{ id: 'uid-12:Failed:commit-status', target: 'commit-status', phase: 'Failed', outcome: 'Delivered', attempts: 1, time: '2026-03-01T11:59:01Z' }] } });
    await hook.observe(failed, () => []);
    expect(added.slice(1)).toEqual([`uid-12:Failed:${notificationTarget('slack', '#ci')}`]);

    // A second hook (a restarted manager) adds nothing new: the queue knows the ids.
    const again = new ExecutionReportHook({ queue, logger: silentLogger, commitStatus: true, now: () => now });
    await again.observe(failed, () => []);
    expect(queue.pending()).toHaveLength(2);

    const old = execution({ name: 'web-1', run: 1, phase: 'Failed', notification: { recipients: [{ recipient: '#ci', notifier: 'slack' }] }, status: { completionTime: '2026-02-01T00:00:00Z' } });
    await hook.observe(old, () => []);
    expect(added).toHaveLength(3);
    await queue.close();
  });

  it('never throws into the reconcile, and tries again on the next observation when Redis fails', async () => {
    const queue = new InMemoryRetryingJobQueue<ReportJobData>();
    let down = true;
    const add = queue.add.bind(queue);
    queue.add = async (id, data) => {
      if (down) throw new Error('Connection is closed.');
      return add(id, data);
    };
    const hook = new ExecutionReportHook({ queue, logger: silentLogger, commitStatus: true });
    await expect(hook.observe(execution(), () => [])).resolves.toBeUndefined();
    expect(queue.pending()).toEqual([]);
    down = false;
    await hook.observe(execution(), () => []);
    expect(queue.pending()).toEqual(['uid-12:Running:commit-status']);
    await queue.close();
  });
});
