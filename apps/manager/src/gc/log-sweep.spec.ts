import { logKeyOwner, planLogSweep, type SweptExecution } from './log-sweep';

const NOW = Date.parse('2030-03-01T00:00:00Z');
const daysAgo = (days: number) => new Date(NOW - days * 86_400_000).toISOString();
const object = (key: string, executionUid?: string) => ({ key, size: 10, ...(executionUid && { executionUid }) });

function plan(objects: ReturnType<typeof object>[], executions: SweptExecution[], retentionDays = 30) {
  return planLogSweep({ namespace: 'demo', objects, executions, retentionDays, now: NOW });
}

describe('logKeyOwner', () => {
  it('reads pipeline and run from the key layout, and nothing from any other key', () => {
    expect(logKeyOwner('demo', 'demo/web/12/0/1/log')).toEqual({ pipeline: 'web', run: 12 });
    expect(logKeyOwner('demo', 'demo/web/12/0/1/chunks/0000000000000000')).toEqual({ pipeline: 'web', run: 12 });
    for (const key of ['other/web/12/0/1/log', 'demo/web/0/0/1/log', 'demo/web/x/0/1/log', 'demo/web/12', 'demo//12/0/log', 'README']) {
      expect(logKeyOwner('demo', key)).toBeUndefined();
    }
  });
});

describe('planLogSweep', () => {
  const recent: SweptExecution = { name: 'web-2', uid: 'u2', pipeline: 'web', run: 2, completionTime: daysAgo(3), logState: 'Complete' };
  const old: SweptExecution = { name: 'web-1', uid: 'u1', pipeline: 'web', run: 1, completionTime: daysAgo(31), logState: 'Complete' };

  it('expires the logs of executions finished longer ago than the retention, and only theirs', () => {
    const result = plan([object('demo/web/1/0/0/log', 'u1'), object('demo/web/1/0/0/index', 'u1'), object('demo/web/2/0/0/log', 'u2')], [old, recent]);
    expect(result).toEqual({ expire: [{ name: 'web-1', uid: 'u1', keys: ['demo/web/1/0/0/log', 'demo/web/1/0/0/index'], mark: true }], orphans: [] });
  });

  it('still marks an old execution whose objects are already gone, once', () => {
    expect(plan([], [old]).expire).toEqual([{ name: 'web-1', uid: 'u1', keys: [], mark: true }]);
    expect(plan([], [{ ...old, logState: 'Expired' }]).expire).toEqual([]);
    // Never had a log recorded, and nothing stored: nothing to say.
    expect(plan([], [{ ...old, logState: undefined }]).expire).toEqual([]);
  });

  it('deletes objects that turned up after an execution was marked Expired, without marking it again', () => {
    expect(plan([object('demo/web/1/0/0/log', 'u1')], [{ ...old, logState: 'Expired' }]).expire).toEqual([{ name: 'web-1', uid: 'u1', keys: ['demo/web/1/0/0/log'], mark: false }]);
  });

  it('leaves running executions alone whatever their age', () => {
    expect(plan([object('demo/web/3/0/0/chunks/0000000000000000', 'u3')], [{ name: 'web-3', uid: 'u3', pipeline: 'web', run: 3, logState: 'Live' }])).toEqual({ expire: [], orphans: [] });
  });

  it('sweeps objects of executions that no longer exist, and of an older execution with the same pipeline and run', () => {
    const result = plan([
      object('demo/web/2/0/0/log', 'u2'),
      object('demo/web/2/0/1/log', 'u2-of-a-deleted-pipeline'),
      object('demo/web/9/0/0/log', 'u9'),
      object('demo/api/1/0/0/log'),
      object('demo/notes.txt'),
    ], [recent]);
    expect(result.orphans).toEqual(['demo/web/2/0/1/log', 'demo/web/9/0/0/log', 'demo/api/1/0/0/log']);
  });

  it('gives an object without a uid to the execution with its pipeline and run', () => {
    expect(plan([object('demo/web/2/0/0/log')], [recent])).toEqual({ expire: [], orphans: [] });
  });
});
