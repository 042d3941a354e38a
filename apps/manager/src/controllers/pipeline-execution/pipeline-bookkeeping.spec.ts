import { pipelineStatusAfter } from './pipeline-bookkeeping';

const exe = (run: number, node: string | undefined, completionTime: string): any => ({
  metadata: { name: `web-${run}` }, spec: { pipelineRef: { name: 'web' }, run },
  status: { phase: 'Succeeded', node, completionTime, startTime: completionTime },
});

describe('pipelineStatusAfter', () => {
  it('puts the node of a finished run at the front of the recent nodes and keeps only as many as remembered', () => {
    const status = { nextRun: 9, recentNodes: [{ name: 'a', lastUsed: '2026-11-23T09:00:00Z' }, { name: 'b', lastUsed: '2026-11-23T08:00:00Z' }] };
    const next = pipelineStatusAfter(status, exe(8, 'c', '2026-11-23T10:00:00Z'), 2);
    expect(next.recentNodes).toEqual([{ name: 'c', lastUsed: '2026-11-23T10:00:00Z' }, { name: 'a', lastUsed: '2026-11-23T09:00:00Z' }]);
    expect(next.lastExecution).toEqual({ name: 'web-8', run: 8, phase: 'Succeeded', startTime: '2026-11-23T10:00:00Z' });
    expect(next.nextRun).toBe(9);
  });

  it('does not let an older run that finishes late replace the last execution or push a fresher node down', () => {
    const status = { nextRun: 9, lastExecution: { name: 'web-8', run: 8, phase: 'Running' as const }, recentNodes: [{ name: 'a', lastUsed: '2026-11-23T11:00:00Z' }] };
    const next = pipelineStatusAfter(status, exe(7, 'a', '2026-11-23T10:00:00Z'), 3);
    expect(next.lastExecution?.name).toBe('web-8');
    expect(next.recentNodes).toEqual(status.recentNodes);
  });

  it('changes nothing the second time, so a repeated reconcile writes nothing', () => {
    const once = pipelineStatusAfter({ nextRun: 2 }, exe(1, 'a', '2026-11-23T10:00:00Z'), 3);
    expect(pipelineStatusAfter(once, exe(1, 'a', '2026-11-23T10:00:00Z'), 3)).toEqual(once);
  });
});
