import type { PipelineExecution, PipelineSetting } from '@keelson/crds';
import { DataPlaneError } from '@keelson/data-plane';
import type { KubeClient } from '@keelson/kube';
import { silentLogger } from '@keelson/observability';
import { GarbageCollector, type GarbageCollectorDeps } from './garbage-collector';
import { MemoryLogObjects } from './testing/memory-log-objects';

const NOW = Date.parse('2030-03-01T00:00:00Z');

function anExecution(namespace: string, name: string, run: number, status: PipelineExecution['status'] = { phase: 'Running' }): PipelineExecution {
  return {
    apiVersion: 'devops.keelson.dev/v1alpha1', kind: 'PipelineExecution',
    metadata: { namespace, name, uid: `uid-${namespace}-${name}` }, spec: { pipelineRef: { name: name.replace(/-\d+$/, '') }, run, fork: false, stop: false }, status,
  } as PipelineExecution;
}

interface World {
  cached: PipelineExecution[];
  /** What the apiserver has (the cache may lag behind it). */
  stored: PipelineExecution[];
  stores: Record<string, MemoryLogObjects | undefined>;
  jobs: Record<string, Array<{ name: string; managed: boolean }> | 'none'>;
  deletedJobs: string[];
  patched: Array<[string, string, unknown]>;
}

function aCollector(world: World, settings: PipelineSetting[] = []): GarbageCollector {
  const kube = {
    resource: () => ({
      list: async (ns: string) => ({ items: world.stored.filter((e) => e.metadata.namespace === ns) }),
      patchStatus: async (ns: string, name: string, status: unknown) => void world.patched.push([ns, name, status]),
    }),
  } as unknown as KubeClient;
  const deps: GarbageCollectorDeps = {
    kube, executions: { list: () => world.cached }, settings: { list: () => settings }, pipelines: { list: () => [] },
    logs: { forProject: async (p) => world.stores[p] },
    engine: { listJobs: async (endpoint) => (world.jobs[endpoint.url] === 'none' ? [] : world.jobs[endpoint.url] as Array<{ name: string; managed: boolean }>) },
    jenkins: async (project) => {
      if (world.jobs[project] === 'none') throw new DataPlaneError('CredentialsMissing', `Secret ${project}-pipeline/jenkins-admin does not exist yet`, { retryable: true });
      return { url: project, username: 'u', password: 'p' };
    },
    jobs: { deleteJob: async (project, job, credential) => void world.deletedJobs.push(`${project}/${job} ${credential}`) },
    logger: silentLogger, now: () => NOW,
  };
  return new GarbageCollector(deps);
}

const aWorld = (overrides: Partial<World> = {}): World => ({ cached: [], stored: [], stores: {}, jobs: {}, deletedJobs: [], patched: [], ...overrides });

describe('GarbageCollector', () => {
  it('sweeps orphans only once a fresh list confirms them: an execution the cache has not seen keeps its logs and its job', async () => {
    const known = anExecution('demo', 'web-1', 1);
    const justCreated = anExecution('demo', 'web-2', 2);
    const store = new MemoryLogObjects()
      .put('demo/web/1/0/0/log', known.metadata.uid).put('demo/web/2/0/0/log', justCreated.metadata.uid).put('demo/web/3/0/0/log', 'uid-of-a-deleted-web-3');
    const world = aWorld({
      cached: [known], stored: [known, justCreated], stores: { demo: store },
      jobs: { demo: [{ name: 'web-1', managed: true }, { name: 'web-2', managed: true }, { name: 'web-3', managed: true }, { name: 'nightly', managed: false }] },
    });
    const [result] = await aCollector(world).sweep();
    expect(result).toMatchObject({ project: 'demo', orphanObjects: ['demo/web/3/0/0/log'], orphanJobs: ['web-3'], errors: [] });
    expect(store.keys()).toEqual(['demo/web/1/0/0/log', 'demo/web/2/0/0/log']);
    expect(world.deletedJobs).toEqual(['demo/web-3 web-3-git']);
  });

  it('expires old logs with the project\'s retention and says so in status.log, and only then', async () => {
    const old = anExecution('demo', 'web-1', 1, { phase: 'Succeeded', completionTime: '2030-02-20T00:00:00Z', log: { state: 'Complete' } });
    const store = new MemoryLogObjects().put('demo/web/1/0/0/log', old.metadata.uid);
    const setting = { metadata: { namespace: 'demo', name: 'settings' }, spec: { logRetentionDays: 7 } } as PipelineSetting;
    const world = aWorld({ cached: [old], stored: [old], stores: { demo: store }, jobs: { demo: [] } });
    const [result] = await aCollector(world, [setting]).sweep();
    expect(result.expired).toEqual(['web-1']);
    expect(store.keys()).toEqual([]);
    expect(world.patched).toEqual([['demo', 'web-1', { log: { state: 'Expired', reason: expect.stringContaining('7 days'), time: '2030-03-01T00:00:00Z' } }]]);
    // With the default of 30 days, the same execution keeps its logs.
    const keeping = aWorld({ cached: [old], stored: [old], stores: { demo: new MemoryLogObjects().put('demo/web/1/0/0/log', old.metadata.uid) }, jobs: { demo: [] } });
    expect((await aCollector(keeping).sweep())[0].expired).toEqual([]);
  });

  it('goes on with the jobs and the other projects when a project\'s MinIO is down, and reports it', async () => {
    const down = new MemoryLogObjects();
    down.down = true;
    const world = aWorld({
      cached: [anExecution('a', 'web-1', 1), anExecution('b', 'web-1', 1)],
      stores: { a: down, b: new MemoryLogObjects().put('b/web/9/0/0/log', 'gone') },
      jobs: { a: [{ name: 'web-9', managed: true }], b: [] },
    });
    const results = await aCollector(world).sweep();
    expect(results.map((r) => [r.project, r.errors.length, r.orphanObjects, r.orphanJobs])).toEqual([
      ['a', 1, [], ['web-9']], ['b', 0, ['b/web/9/0/0/log'], []],
    ]);
    expect(results[0].errors[0]).toMatch(/^logs: .*MinIO is unavailable/);
  });

  it('leaves a project that has no data plane yet alone', async () => {
    const world = aWorld({ cached: [anExecution('new', 'web-1', 1)], stores: {}, jobs: { new: 'none' } });
    expect(await aCollector(world).sweep()).toEqual([{ project: 'new', expired: [], retentionObjects: 0, orphanObjects: [], orphanJobs: [], errors: [] }]);
  });
});
