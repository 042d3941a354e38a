import type { Pipeline, PipelineExecution } from '@keelson/crds';
import { Keelson, type KubeClient } from '@keelson/kube';
import { ExecutionCreator, PIPELINE_LABEL, pipelineSelector } from './execution-creator.service';
import type { ExecutionPreparer, PreparedExecution } from './execution-preparer';
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
  /** Every status write: to which execution, what, and on which resourceVersion (none: unconditional). */
  readonly statusWrites: Array<{ name: string; status: Record<string, unknown>; resourceVersion?: string }> = [];
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
      patch: async (_ns: string, name: string, patch: { spec: Record<string, unknown> }) => {
        const exe = this.executions.get(name)!;
        const spec = Object.fromEntries(Object.entries({ ...exe.spec, ...patch.spec }).filter(([, v]) => v !== null));
        const patched = { ...exe, spec, metadata: { ...exe.metadata, resourceVersion: String(Number(exe.metadata.resourceVersion ?? 0) + 1) } } as PipelineExecution;
        this.executions.set(name, patched);
        return patched;
      },
      patchStatus: async (_ns: string, name: string, status: Record<string, unknown>, resourceVersion?: string) => {
        this.statusWrites.push({ name, status, resourceVersion });
        const exe = this.executions.get(name)!;
        const patched = { ...exe, status: { ...exe.status, ...status } } as PipelineExecution;
        this.executions.set(name, patched);
        return patched;
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

function aCreator(kube: FakeKube, prepared: Partial<PreparedExecution> = {}): ExecutionCreator {
  let next = 1;
  const runs = { allocate: async () => next++ } as unknown as RunNumberAllocator;
  const preparer = {
    prepare: async () => ({ spec: { commit: 'c'.repeat(40), repositoryUrl: 'https://git.example/web.git', configPath: '.devops.yml', branch: 'main', config: { stages: [] } }, ...prepared }),
  } as unknown as ExecutionPreparer;
  return new ExecutionCreator(kube.client(), preparer, runs, () => new Date('2026-01-02T03:04:05Z'));
}

const WARNINGS = [{ file: '.rancher-pipeline.yml', line: 9, column: 1, message: 'notification has no recipients: nobody is notified' }];
const RANCHER_FILE = { spec: { commit: 'c'.repeat(40), repositoryUrl: 'https://git.example/web.git', configPath: '.rancher-pipeline.yml', branch: 'main', config: { stages: [] } }, configWarnings: WARNINGS };

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

describe('ExecutionCreator and the warnings about a pipeline file', () => {
  it('records them in the status of a run, in one write that needs no resourceVersion', async () => {
    const kube = new FakeKube();
    const { execution } = await aCreator(kube, RANCHER_FILE).run('demo', 'web', { branch: 'main' }, 'alice');
    expect(execution.spec.configPath).toBe('.rancher-pipeline.yml');
    expect(execution.status?.configWarnings).toEqual(WARNINGS);
    expect(kube.statusWrites).toEqual([{ name: 'web-1', status: { configWarnings: WARNINGS }, resourceVersion: undefined }]);
  });

  it('writes no status for a file without warnings', async () => {
    const kube = new FakeKube();
    await aCreator(kube).run('demo', 'web', { branch: 'main' }, 'alice');
    expect(kube.statusWrites).toEqual([]);
  });

  it('records them with the failure of a file that does not run, in that one conditional write', async () => {
    const kube = new FakeKube();
    const { execution } = await aCreator(kube, { ...RANCHER_FILE, configError: '.rancher-pipeline.yml:4:5: boom' }).run('demo', 'web', { branch: 'main' }, 'alice');
    expect(execution.status).toMatchObject({ phase: 'Failed', reason: '.rancher-pipeline.yml:4:5: boom', configWarnings: WARNINGS });
    expect(kube.statusWrites).toHaveLength(1);
    expect(kube.statusWrites[0].resourceVersion).toBe('1');
  });

  it('gives a rerun the warnings of the execution whose snapshot it reuses', async () => {
    const kube = new FakeKube();
    const creator = aCreator(kube, RANCHER_FILE);
    await creator.run('demo', 'web', { branch: 'main' }, 'alice');
    const { execution } = await creator.rerun('demo', 'web-1', 'bob');
    expect(execution).toMatchObject({ metadata: { name: 'web-2' }, spec: { configPath: '.rancher-pipeline.yml' }, status: { configWarnings: WARNINGS } });
  });

  it('records them when it completes an execution made with kubectl', async () => {
    const kube = new FakeKube();
    kube.executions.set('by-hand', {
      apiVersion: 'devops.keelson.dev/v1alpha1', kind: 'PipelineExecution',
      metadata: { name: 'by-hand', namespace: 'demo', resourceVersion: '1' }, spec: { pipelineRef: { name: 'web' }, branch: 'main', fork: false, stop: false },
    } as PipelineExecution);
    const completed = await aCreator(kube, RANCHER_FILE).complete(kube.executions.get('by-hand')!);
    expect(completed).toMatchObject({ spec: { run: 1, configPath: '.rancher-pipeline.yml' }, status: { configWarnings: WARNINGS } });
  });
});
