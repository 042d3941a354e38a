import { ControlPlane, TcpProxy, waitFor } from '@keelson/servers';
import { KubeClient, LeaderElector, Core } from '@keelson/kube';

let cp: ControlPlane;
let admin: KubeClient;
const ns = 'kube-system';
const timing = { leaseDurationMs: 3000, renewDeadlineMs: 2000, retryPeriodMs: 250 };

beforeAll(async () => {
  cp = await ControlPlane.start({ crds: false });
  admin = new KubeClient({ kubeconfigPath: cp.adminKubeconfig });
});
afterAll(() => cp?.stop());

/** An elector that records when it started and stopped leading. */
function candidate(client: KubeClient, lease: string, identity: string) {
  const log: Array<{ event: 'started' | 'stopped'; at: number }> = [];
  const elector = client.leaderElector({ namespace: ns, name: lease, identity, ...timing }, {
    onStartedLeading: () => log.push({ event: 'started', at: Date.now() }),
    onStoppedLeading: () => log.push({ event: 'stopped', at: Date.now() }),
  });
  return { elector, log, identity };
}

async function holder(lease: string): Promise<string | null | undefined> {
  return (await admin.resource(Core.Lease).get(ns, lease)).spec.holderIdentity;
}

describe('Leader election over a real Lease', () => {
  it('elects exactly one of two candidates and hands over at once when the leader shuts down', async () => {
    const a = candidate(admin, 'graceful', 'a');
    const b = candidate(admin, 'graceful', 'b');
    a.elector.start();
    await waitFor('a to lead', () => a.elector.isLeader, { timeoutMs: 5000 });
    b.elector.start();
    await new Promise((r) => setTimeout(r, 1000));
    expect([a.elector.isLeader, b.elector.isLeader]).toEqual([true, false]);

    const released = Date.now();
    await a.elector.stop();
    expect(a.log.map((e) => e.event)).toEqual(['started', 'stopped']);
    await waitFor('b to lead', () => b.elector.isLeader, { timeoutMs: timing.leaseDurationMs });
    // A released lease is taken on the next retry, well before it would have expired.
    expect(Date.now() - released).toBeLessThan(timing.leaseDurationMs);
    expect(await holder('graceful')).toBe('b');
    await b.elector.stop();
  });

  it('takes over within the lease duration when the leader is cut off, and the old leader stops acting', async () => {
    const proxy = await TcpProxy.start(Number(new URL(cp.server).port));
    const isolated = new KubeClient({ server: `https://127.0.0.1:${proxy.port}`, caPem: cp.certs.caPem, token: cp.admin.token });
    const a = candidate(isolated, 'partition', 'a');
    const b = candidate(admin, 'partition', 'b');
    try {
      a.elector.start();
      await waitFor('a to lead', () => a.elector.isLeader, { timeoutMs: 5000 });
      b.elector.start();

      const lease = await admin.resource(Core.Lease).get(ns, 'partition');
      const lastRenew = Date.parse(lease.spec.renewTime!);
      proxy.sever();

      await waitFor('b to lead', () => b.elector.isLeader, { timeoutMs: 10_000 });
      const tookOver = b.log[0].at;
      // b cannot take the lease before it expires, and must not wait much longer than one retry after.
      expect(tookOver - lastRenew).toBeGreaterThanOrEqual(timing.leaseDurationMs - 50);
      expect(tookOver - lastRenew).toBeLessThan(timing.leaseDurationMs + 4 * timing.retryPeriodMs + 500);

      // a stopped acting before b started: no moment with two leaders.
      const aStopped = a.log.find((e) => e.event === 'stopped');
      expect(aStopped).toBeDefined();
      expect(aStopped!.at).toBeLessThanOrEqual(tookOver);
      expect(a.elector.isLeader).toBe(false);
      expect(await holder('partition')).toBe('b');
    } finally {
      await a.elector.stop();
      await b.elector.stop();
      await proxy.stop();
    }
  });
});
