// The reconciler's concurrency decisions over stub ports: a store of executions stands for the apiserver and its
// informer (the real ones are in test/integration/pipeline-concurrency.test.ts).
import type { PipelineExecution, PipelineExecutionStatus } from '@keelson/crds';
import type { KubeClient } from '@keelson/kube';
import { silentLogger } from '@keelson/observability';
import type { ExecutionCreator } from '../../executions/execution-creator.service';
import { PipelineExecutionReconciler, type ExecutionReconcilerDeps } from './pipeline-execution.reconciler';

const NOW = new Date('2026-12-01T10:00:00Z');

function aRun(run: number, phase: PipelineExecutionStatus['phase'], concurrency: object, branch = 'main', more: Partial<PipelineExecution['spec']> = {}): PipelineExecution {
  return {
    apiVersion: 'devops.keelson.dev/v1alpha1', kind: 'PipelineExecution',
    metadata: { name: `web-${run}`, namespace: 'demo', uid: `uid-${run}`, resourceVersion: String(run * 10), generation: 1, creationTimestamp: `2026-12-01T09:00:${String(run).padStart(2, '0')}Z` },
    spec: {
      pipelineRef: { name: 'web' }, run, branch, ref: `refs/heads/${branch}`, commit: 'a'.repeat(40), fork: false, stop: false,
      trigger: { event: 'push' }, config: { stages: [], timeout: 60, concurrency }, ...more,
    },
    ...(phase && { status: { phase } }),
  } as PipelineExecution;
}

function aReconciler(executions: PipelineExecution[]) {
  const store = new Map(executions.map((e) => [e.metadata.name!, structuredClone(e)]));
  const calls: string[] = [];
  let rv = 1000;
  const resource = {
    find: async (_ns: string, name: string) => structuredClone(store.get(name)),
    patchStatus: async (_ns: string, name: string, status: PipelineExecutionStatus, resourceVersion: string) => {
      const exe = store.get(name)!;
      if (resourceVersion !== exe.metadata.resourceVersion) throw new Error('409 conflict');
      exe.status = status;
      exe.metadata.resourceVersion = String(++rv);
      calls.push(`status ${name} ${status.phase}: ${status.reason}`);
      return structuredClone(exe);
    },
    patch: async (_ns: string, name: string, patch: { spec?: { stop?: boolean } }) => {
      const exe = store.get(name)!;
      Object.assign(exe.spec, patch.spec);
      exe.metadata.resourceVersion = String(++rv);
      calls.push(`patch ${name} ${JSON.stringify(patch)}`);
      return structuredClone(exe);
    },
  };
  const deps = {
    kube: { resource: () => resource } as unknown as KubeClient,
    executions: { get: (key: string) => structuredClone(store.get(key.split('/')[1])), list: () => [...store.values()].map((e) => structuredClone(e)) },
    settings: { list: () => [] }, pipelines: { get: () => undefined },
    creator: {} as ExecutionCreator,
    jobs: { deleteJob: async () => undefined }, buildInputs: { release: async () => undefined },
    dataPlane: { ensure: async () => ({ ready: true, namespace: 'demo-pipeline' }) },
    syncQueue: { ensure: async (id: string) => { calls.push(`sync ${id}`); return true; }, nudge: async (id: string) => void calls.push(`nudge ${id}`) },
    enqueue: (key: string) => calls.push(`enqueue ${key}`),
    logger: silentLogger, now: () => NOW,
  } as unknown as ExecutionReconcilerDeps;
  return { reconciler: new PipelineExecutionReconciler(deps), store, calls };
}

describe('PipelineExecutionReconciler, concurrency.limit', () => {
  it('queues a run while its pipeline is at its limit, with the reason and an Admitted=False condition, and writes it once', async () => {
    const { reconciler, store, calls } = aReconciler([aRun(1, 'Running', { limit: 1 }), aRun(2, undefined, { limit: 1 })]);
    await reconciler.reconcile('demo/web-2');
    await reconciler.reconcile('demo/web-2');
    expect(calls).toEqual(['status web-2 Queued: waiting: 1 of 1 run of pipeline web is running: web-1']);
    expect(store.get('web-2')!.status?.conditions).toEqual([{
      type: 'Admitted', status: 'False', reason: 'PipelineConcurrencyLimit', message: 'waiting: 1 of 1 run of pipeline web is running: web-1',
      lastTransitionTime: '2026-12-01T10:00:00Z', observedGeneration: 1,
    }]);
  });

  it('admits the waiting run once the running one has ended, and wakes the waiting runs when one ends', async () => {
    const { reconciler, store, calls } = aReconciler([aRun(1, 'Succeeded', { limit: 1 }), aRun(2, 'Queued', { limit: 1 }), aRun(3, 'Queued', { limit: 1 })]);
    await reconciler.reconcile('demo/web-1');
    expect(calls).toEqual(['enqueue demo/web-2', 'enqueue demo/web-3']);
    await reconciler.reconcile('demo/web-3');
    expect(store.get('web-3')!.status?.reason).toBe('waiting: older runs go first: web-2 (limit 1 of pipeline web)');
    calls.length = 0;
    await reconciler.reconcile('demo/web-2');
    expect(store.get('web-2')!.status).toMatchObject({ phase: 'Running', conditions: [{ type: 'Admitted', status: 'True', reason: 'SlotFree' }] });
    // web-3 is woken to name the run it now waits for.
    expect(calls).toContain('enqueue demo/web-3');
    await reconciler.reconcile('demo/web-3');
    expect(store.get('web-3')!.status?.reason).toBe('waiting: 1 of 1 run of pipeline web is running: web-2');
  });
});

describe('PipelineExecutionReconciler, concurrency.cancelSuperseded', () => {
  it('wakes the older runs of the branch from the newer run, and leaves other branches alone', async () => {
    const { reconciler, calls } = aReconciler([
      aRun(1, 'Running', {}), aRun(2, 'Running', {}, 'dev'), aRun(3, 'Queued', {}), aRun(4, undefined, { cancelSuperseded: true }),
    ]);
    await reconciler.reconcile('demo/web-4');
    expect([...new Set(calls.filter((c) => c.startsWith('enqueue')))]).toEqual(['enqueue demo/web-1', 'enqueue demo/web-3']);
  });

  it('ends a queued older run Aborted at once, naming the newer run, and starts nothing for it', async () => {
    const { reconciler, store, calls } = aReconciler([aRun(3, 'Queued', {}), aRun(4, undefined, { cancelSuperseded: true })]);
    await reconciler.reconcile('demo/web-3');
    expect(calls).toEqual(['status web-3 Aborted: superseded by web-4']);
    expect(store.get('web-3')!.status).toMatchObject({
      phase: 'Aborted', completionTime: '2026-12-01T10:00:00Z',
      conditions: [{ type: 'Superseded', status: 'True', reason: 'NewerRun', message: 'superseded by web-4' }],
    });
  });

  it('marks a started older run Superseded, then stops it through the sync loop, once', async () => {
    const { reconciler, store, calls } = aReconciler([aRun(1, 'Running', {}), aRun(4, undefined, { cancelSuperseded: true })]);
    await reconciler.reconcile('demo/web-1');
    await reconciler.reconcile('demo/web-1');
    expect(calls).toEqual([
      'status web-1 Running: undefined', 'sync uid-1', 'patch web-1 {"spec":{"stop":true}}', 'nudge uid-1', 'sync uid-1',
    ]);
    expect(store.get('web-1')!.status?.conditions?.[0]).toMatchObject({ type: 'Superseded', message: 'superseded by web-4' });
  });

  it('never supersedes a tag run, nor a newer run by an older one', async () => {
    const { reconciler, calls } = aReconciler([
      aRun(1, 'Running', {}, 'v1', { tag: 'v1', trigger: { event: 'tag' } }), aRun(5, 'Running', {}), aRun(4, undefined, { cancelSuperseded: true }),
    ]);
    await reconciler.reconcile('demo/web-1');
    await reconciler.reconcile('demo/web-5');
    expect(calls).toEqual(['sync uid-1', 'sync uid-5']);
  });
});
