import { metricsRegistry } from '@keelson/observability';
import { KubeError } from './kube-errors';
import { LeaderElector } from './leader-elector';
import type { ResourceClient } from './resource-client';
import type { Lease } from './resource-types';

/** One Lease in memory with the apiserver's optimistic concurrency: a replace with a stale resourceVersion is a 409. */
class LeaseStore {
  lease?: Lease;
  private version = 0;

  client(): ResourceClient<Lease> {
    return {
      get: async () => {
        if (!this.lease) throw new KubeError(404, 'NotFound', 'lease not found');
        return structuredClone(this.lease);
      },
      create: async (obj: Lease) => {
        if (this.lease) throw new KubeError(409, 'AlreadyExists', 'exists');
        this.lease = { ...obj, metadata: { ...obj.metadata, resourceVersion: String(++this.version) } };
        return structuredClone(this.lease);
      },
      replace: async (obj: Lease) => {
        if (obj.metadata.resourceVersion !== this.lease?.metadata.resourceVersion) throw new KubeError(409, 'Conflict', 'conflict');
        this.lease = { ...obj, metadata: { ...obj.metadata, resourceVersion: String(++this.version) } };
        return structuredClone(this.lease);
      },
    } as unknown as ResourceClient<Lease>;
  }
}

async function isLeaderSample(lease: string): Promise<number | undefined> {
  const metric = await metricsRegistry.getSingleMetric('keelson_leader_election_is_leader')?.get();
  return metric?.values.find((v) => v.labels.lease === lease)?.value;
}

describe('LeaderElector', () => {
  it('exports keelson_leader_election_is_leader 0 from the start while another replica holds the lease', async () => {
    const store = new LeaseStore();
    const now = new Date().toISOString();
    await store.client().create({ metadata: { namespace: 'ns', name: 'held' }, spec: { holderIdentity: 'other', leaseDurationSeconds: 60, renewTime: now, acquireTime: now } } as Lease);
    const started = jest.fn();
    const elector = new LeaderElector(store.client(), { namespace: 'ns', name: 'held', identity: 'me', retryPeriodMs: 20 }, { onStartedLeading: started, onStoppedLeading: jest.fn() });
    expect(await isLeaderSample('held')).toBeUndefined();
    elector.start();
    expect(await isLeaderSample('held')).toBe(0);
    await new Promise((r) => setTimeout(r, 100));
    expect(elector.isLeader).toBe(false);
    expect(started).not.toHaveBeenCalled();
    expect(store.lease?.spec?.holderIdentity).toBe('other');
    await elector.stop();
  });

  it('takes an expired lease, counting the transition, and the gauge turns 1', async () => {
    const store = new LeaseStore();
    const old = new Date(Date.now() - 120_000).toISOString();
    await store.client().create({ metadata: { namespace: 'ns', name: 'expired' }, spec: { holderIdentity: 'dead', leaseDurationSeconds: 15, renewTime: old, acquireTime: old, leaseTransitions: 3 } } as Lease);
    const elector = new LeaderElector(store.client(), { namespace: 'ns', name: 'expired', identity: 'me', retryPeriodMs: 20, leaseDurationMs: 6_000 }, { onStartedLeading: jest.fn(), onStoppedLeading: jest.fn() });
    elector.start();
    for (let i = 0; i < 50 && !elector.isLeader; i++) await new Promise((r) => setTimeout(r, 10));
    expect(elector.isLeader).toBe(true);
    expect(await isLeaderSample('expired')).toBe(1);
    expect(store.lease?.spec).toMatchObject({ holderIdentity: 'me', leaseDurationSeconds: 6, leaseTransitions: 4 });
    await elector.stop();
    expect(await isLeaderSample('expired')).toBe(0);
  });
});
