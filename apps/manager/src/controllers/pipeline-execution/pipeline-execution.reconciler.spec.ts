import type { PipelineExecution } from '@keelson/crds';
import type { KubeClient } from '@keelson/kube';
import { silentLogger } from '@keelson/observability';
import { JENKINS_JOB_FINALIZER, type ExecutionCreator } from '../../executions/execution-creator.service';
import { PipelineExecutionReconciler, type ExecutionReconcilerDeps } from './pipeline-execution.reconciler';

/** An execution deleted while its build runs: it still carries the Jenkins job finalizer. */
function aDeletedRunningExecution(): PipelineExecution {
  return {
    apiVersion: 'devops.keelson.dev/v1alpha1', kind: 'PipelineExecution',
    metadata: {
      name: 'web-7', namespace: 'demo', uid: 'uid-7', resourceVersion: '10',
      deletionTimestamp: '2026-01-01T00:00:00Z', finalizers: [JENKINS_JOB_FINALIZER],
    },
    spec: { pipelineRef: { name: 'web' }, run: 7, commit: 'a'.repeat(40), config: {}, trigger: { event: 'manual', user: 'dave' } },
    status: { phase: 'Running', build: { job: 'web-7', number: 3 } },
  } as PipelineExecution;
}

function aReconciler(exe: PipelineExecution, overrides: { release?: () => Promise<void>; deleteLogs?: () => Promise<number> } = {}) {
  const calls: string[] = [];
  const patches: unknown[] = [];
  const kube = { resource: () => ({ patch: async (_ns: string, _name: string, patch: unknown) => { calls.push('finalizer removed'); patches.push(patch); } }) };
  const deps = {
    kube: kube as unknown as KubeClient,
    executions: { get: () => exe, list: () => [exe] } as unknown as ExecutionReconcilerDeps['executions'],
    jobs: { deleteJob: async (project: string, job: string) => void calls.push(`job ${project}/${job} deleted`) },
    buildInputs: {
      release: overrides.release ?? (async (project: string, execution: string) => void calls.push(`env Secret of ${project}/${execution} deleted`)),
    },
    logs: { deleteLogs: overrides.deleteLogs ?? (async (e: PipelineExecution) => (calls.push(`logs of ${e.metadata.namespace}/${e.metadata.name} deleted`), 3)) },
    creator: {} as ExecutionCreator,
    logger: silentLogger,
    enqueue: () => undefined,
  } as unknown as ExecutionReconcilerDeps;
  return { reconciler: new PipelineExecutionReconciler(deps), calls, patches };
}

describe('PipelineExecutionReconciler, an execution being deleted', () => {
  it('deletes its Jenkins job, the copy of its Secret values and its logs before it lets the execution go', async () => {
    const { reconciler, calls, patches } = aReconciler(aDeletedRunningExecution());
    await reconciler.reconcile('demo/web-7');
    expect(calls).toEqual(['job demo/web-7 deleted', 'env Secret of demo/web-7 deleted', 'logs of demo/web-7 deleted', 'finalizer removed']);
    expect(patches).toEqual([{ metadata: { resourceVersion: '10', finalizers: [] } }]);
  });

  it('keeps the finalizer when the Secret cannot be deleted, so the next try deletes it', async () => {
    const { reconciler, calls } = aReconciler(aDeletedRunningExecution(), { release: () => Promise.reject(new Error('data plane unreachable')) });
    await expect(reconciler.reconcile('demo/web-7')).rejects.toThrow('data plane unreachable');
    expect(calls).toEqual(['job demo/web-7 deleted']);
  });

  it('keeps the finalizer when its logs cannot be deleted (MinIO away), so the next try deletes them', async () => {
    const { reconciler, calls } = aReconciler(aDeletedRunningExecution(), { deleteLogs: () => Promise.reject(new Error('MinIO is unavailable')) });
    await expect(reconciler.reconcile('demo/web-7')).rejects.toThrow('MinIO is unavailable');
    expect(calls).toEqual(['job demo/web-7 deleted', 'env Secret of demo/web-7 deleted']);
  });
});

describe('PipelineExecutionReconciler, reporting', () => {
  it('shows the execution to the report hook without waiting for it, so a stuck Redis never holds up a run', async () => {
    const exe = { ...aDeletedRunningExecution(), metadata: { name: 'web-7', namespace: 'demo', uid: 'uid-7', resourceVersion: '10' } } as PipelineExecution;
    const observed: Array<[string | undefined, string[]]> = [];
    const handedOff: string[] = [];
    const reconciler = new PipelineExecutionReconciler({
      executions: { get: () => exe, list: () => [exe] } as unknown as ExecutionReconcilerDeps['executions'],
      syncQueue: { ensure: async (id: string) => (handedOff.push(id), true) } as unknown as ExecutionReconcilerDeps['syncQueue'],
      reports: { observe: (e: PipelineExecution, others: () => Iterable<PipelineExecution>) => (observed.push([e.metadata.name, [...others()].map((o) => o.metadata.name!)]), new Promise<void>(() => undefined)) },
      logger: silentLogger,
    } as unknown as ExecutionReconcilerDeps);
    await reconciler.reconcile('demo/web-7');
    expect(observed).toEqual([['web-7', ['web-7']]]);
    expect(handedOff).toEqual(['uid-7']);
  });
});
