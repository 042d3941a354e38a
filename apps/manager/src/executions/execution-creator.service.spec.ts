import type { Pipeline, PipelineExecution } from '@keelson/crds';
import { Keelson, type KubeClient } from '@keelson/kube';
import { ExecutionCreator, PIPELINE_LABEL, pipelineSelector } from './execution-creator.service';
import type { ExecutionPreparer } from './execution-preparer';
import { IDEMPOTENCY_LABEL, idempotencyLabelValue } from './idempotency';
import type { RunNumberAllocator } from './run-number.allocator';

const LONG_NAME = `web-${'x'.repeat(67)}`; // 71 characters: a valid object name, too long for a label value

function aPipeline(name = 'web'): Pipeline {
  return {
    apiVersion: 'devops.keelson.dev/v1alpha1', kind: 'Pipeline',
    metadata: { name, namespace: 'demo', uid: `uid-${name}` }, spec: { repositoryUrl: 'https://git.example/web.git', suspend: false },
  } as unknown as Pipeline;
}

/**
 * Just enough of the apiserver for the creator: objects by name, creation, and equality label selectors. The
 * real apiserver answers the same questions in test/integration/run-api.test.ts.
 */
class FakeKube {
  readonly executions = new Map<string, PipelineExecution>();
  readonly lists: string[] = [];
  pipelines = new Map<string, Pipeline>([['web', aPipeline()], [LONG_NAME, aPipeline(LONG_NAME)]]);
  /** Lets a test hold every list answer until it says so. */
  listGate: Promise<void> = Promise.resolve();

  client(): KubeClient {
    const executions = {
      get: async (_ns: string, name: string) => this.executions.get(name) ?? Promise.reject(Object.assign(new Error('not found'), { status: 404 })),
      create: async (obj: PipelineExecution) => {
        for (const value of Object.values(obj.metadata.labels ?? {})) if (value.length > 63) throw new Error(`label value too long: ${value}`);
        const created = { ...obj, metadata: { ...obj.metadata, uid: `uid-${obj.metadata.name}`, resourceVersion: '1' } } as PipelineExecution;
        this.executions.set(obj.metadata.name!, created);
        return created;
      },
      list: async (_ns: string, opts: { labelSelector?: string } = {}) => {
        this.lists.push(opts.labelSelector ?? '');
        await this.listGate;
        const wanted = (opts.labelSelector ?? '').split(',').filter(Boolean).map((t) => t.split('='));
        return { items: [...this.executions.values()].filter((e) => wanted.every(([k, v]) => e.metadata.labels?.[k] === v)) };
      },
    };
    const pipelines = { get: async (_ns: string, name: string) => this.pipelines.get(name) ?? Promise.reject(Object.assign(new Error('not found'), { status: 404 })) };
    return { resource: (kind: unknown) => (kind === Keelson.Pipeline ? pipelines : executions) } as unknown as KubeClient;
  }
}

function aCreator(kube: FakeKube): ExecutionCreator {
  let next = 1;
  const runs = { allocate: async () => next++ } as unknown as RunNumberAllocator;
  const preparer = {
    prepare: async () => ({ spec: { commit: 'c'.repeat(40), repositoryUrl: 'https://git.example/web.git', configPath: '.devops.yml', branch: 'main', config: { stages: [] } } }),
  } as unknown as ExecutionPreparer;
  return new ExecutionCreator(kube.client(), preparer, runs);
}

describe('ExecutionCreator with an Idempotency-Key', () => {
  it('makes one execution for one user and key, and answers a retry with it, marked replayed', async () => {
    const kube = new FakeKube();
    const creator = aCreator(kube);
    const first = await creator.run('demo', 'web', { branch: 'main' }, 'alice', { idempotencyKey: 'k-1' });
    const again = await creator.run('demo', 'web', { branch: 'main' }, 'alice', { idempotencyKey: 'k-1' });
    expect(first).toMatchObject({ replayed: false, execution: { metadata: { name: 'web-1' } } });
    expect(again).toMatchObject({ replayed: true, execution: { metadata: { name: 'web-1' } } });
    expect(kube.executions.size).toBe(1);
    expect(first.execution.metadata.labels?.[IDEMPOTENCY_LABEL]).toBe(idempotencyLabelValue('alice', 'k-1'));
  });

  it('looks the key up through the apiserver, so a new process (another replica) finds it', async () => {
    const kube = new FakeKube();
    await aCreator(kube).run('demo', 'web', { branch: 'main' }, 'alice', { idempotencyKey: 'k-1' });
    const elsewhere = await aCreator(kube).run('demo', 'web', { branch: 'main' }, 'alice', { idempotencyKey: 'k-1' });
    expect(elsewhere).toMatchObject({ replayed: true, execution: { metadata: { name: 'web-1' } } });
    expect(kube.lists).toContain(`${pipelineSelector('web')},${IDEMPOTENCY_LABEL}=${idempotencyLabelValue('alice', 'k-1')}`);
  });

  it('serialises concurrent requests with the same key, so they cannot both miss the lookup', async () => {
    const kube = new FakeKube();
    const creator = aCreator(kube);
    let open!: () => void;
    kube.listGate = new Promise((resolve) => (open = resolve));
    const burst = Array.from({ length: 5 }, () => creator.run('demo', 'web', { branch: 'main' }, 'alice', { idempotencyKey: 'k-1' }));
    await new Promise((resolve) => setImmediate(resolve));
    expect(kube.lists).toHaveLength(1); // the others wait for the first to finish
    open();
    const answers = await Promise.all(burst);
    expect(answers.map((a) => a.execution.metadata.name)).toEqual(Array(5).fill('web-1'));
    expect(answers.filter((a) => !a.replayed)).toHaveLength(1);
    expect(kube.executions.size).toBe(1);
  });

  it('keeps keys apart per user and per pipeline', async () => {
    const kube = new FakeKube();
    const creator = aCreator(kube);
    await creator.run('demo', 'web', { branch: 'main' }, 'alice', { idempotencyKey: 'k-1' });
    const bob = await creator.run('demo', 'web', { branch: 'main' }, 'bob', { idempotencyKey: 'k-1' });
    const other = await creator.run('demo', LONG_NAME, { branch: 'main' }, 'alice', { idempotencyKey: 'k-1' });
    expect([bob.replayed, other.replayed]).toEqual([false, false]);
    expect(kube.executions.size).toBe(3);
  });

  it('does not answer a key with an execution made for someone else that carries the same label', async () => {
    const kube = new FakeKube();
    const creator = aCreator(kube);
    const made = await creator.run('demo', 'web', { branch: 'main' }, 'alice', { idempotencyKey: 'k-1' });
    made.execution.spec.trigger = { event: 'manual', user: 'mallory' };
    const answer = await creator.run('demo', 'web', { branch: 'main' }, 'alice', { idempotencyKey: 'k-1' });
    expect(answer.replayed).toBe(false);
  });

  it('makes a new execution every time without a key', async () => {
    const kube = new FakeKube();
    const creator = aCreator(kube);
    await creator.run('demo', 'web', { branch: 'main' }, 'alice');
    const second = await creator.run('demo', 'web', { branch: 'main' }, 'alice');
    expect(second).toMatchObject({ replayed: false, execution: { metadata: { name: 'web-2' } } });
    expect(kube.lists).toEqual([]);
  });

  it('takes a key on rerun too', async () => {
    const kube = new FakeKube();
    const creator = aCreator(kube);
    await creator.run('demo', 'web', { branch: 'main' }, 'alice');
    const first = await creator.rerun('demo', 'web-1', 'alice', { idempotencyKey: 'again' });
    const retry = await creator.rerun('demo', 'web-1', 'alice', { idempotencyKey: 'again' });
    expect(first).toMatchObject({ replayed: false, execution: { metadata: { name: 'web-2' }, spec: { trigger: { rerunOf: 'web-1' } } } });
    expect(retry).toMatchObject({ replayed: true, execution: { metadata: { name: 'web-2' } } });
  });
});

describe('ExecutionCreator labels', () => {
  it('labels an execution of a 71-character pipeline with a hashed value that its selector finds', async () => {
    const kube = new FakeKube();
    const { execution } = await aCreator(kube).run('demo', LONG_NAME, { branch: 'main' }, 'alice');
    const value = execution.metadata.labels?.[PIPELINE_LABEL] ?? '';
    expect(value.length).toBeLessThanOrEqual(63);
    expect(value).not.toBe(LONG_NAME);
    expect(pipelineSelector(LONG_NAME)).toBe(`${PIPELINE_LABEL}=${value}`);
  });

  it('keeps a short pipeline name as it is', async () => {
    const kube = new FakeKube();
    const { execution } = await aCreator(kube).run('demo', 'web', { branch: 'main' }, 'alice');
    expect(execution.metadata.labels).toEqual({ [PIPELINE_LABEL]: 'web' });
  });
});
