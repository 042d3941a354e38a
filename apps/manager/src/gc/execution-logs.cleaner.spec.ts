import type { PipelineExecution } from '@keelson/crds';
import { ExecutionLogsCleaner } from './execution-logs.cleaner';
import { MemoryLogObjects } from './testing/memory-log-objects';

const exe = (run: number | undefined, uid = 'u7') => ({
  metadata: { namespace: 'demo', name: 'web-7', uid }, spec: { pipelineRef: { name: 'web' }, run },
}) as PipelineExecution;

describe('ExecutionLogsCleaner', () => {
  it('deletes the objects under the execution\'s prefix that carry its uid or none, and nothing else', async () => {
    const store = new MemoryLogObjects()
      .put('demo/web/7/0/0/log', 'u7').put('demo/web/7/0/0/index', 'u7').put('demo/web/7/1/0/chunks/0000000000000000')
      .put('demo/web/7/2/0/log', 'u7-of-a-newer-pipeline-named-web').put('demo/web/70/0/0/log', 'u70').put('demo/api/7/0/0/log', 'u7');
    const deleted = await new ExecutionLogsCleaner({ forProject: async () => store }).deleteLogs(exe(7));
    expect(deleted).toBe(3);
    expect(store.keys()).toEqual(['demo/api/7/0/0/log', 'demo/web/7/2/0/log', 'demo/web/70/0/0/log']);
  });

  it('has nothing to do for a project without MinIO or an execution without a run number', async () => {
    const store = new MemoryLogObjects().put('demo/web/7/0/0/log', 'u7');
    expect(await new ExecutionLogsCleaner({ forProject: async () => undefined }).deleteLogs(exe(7))).toBe(0);
    expect(await new ExecutionLogsCleaner({ forProject: async () => store }).deleteLogs(exe(undefined))).toBe(0);
    expect(store.removed).toEqual([]);
  });

  it('fails when MinIO does, so the finalizer stays and tries again', async () => {
    const store = new MemoryLogObjects().put('demo/web/7/0/0/log', 'u7');
    store.down = true;
    await expect(new ExecutionLogsCleaner({ forProject: async () => store }).deleteLogs(exe(7))).rejects.toThrow(/MinIO is unavailable/);
  });
});
