import { counter, gauge, Logger, silentLogger } from '@keelson/observability';
import { isAlreadyExists, isConflict, isNotFound } from './kube-errors';
import { ResourceClient } from './resource-client';
import { Lease } from './resource-types';

export interface LeaderElectionOptions {
  namespace: string;
  name: string;
  /** Unique per process, e.g. pod name + random suffix. */
  identity: string;
  leaseDurationMs?: number;
  /** A leader that could not renew for this long stops acting, even before others may take over. */
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  logger?: Logger;
  now?: () => Date;
}

const isLeader = gauge('keelson_leader_election_is_leader', 'Whether this process holds the lease (1) or not (0).', ['lease']);
const transitions = counter('keelson_leader_election_transitions_total', 'Times this process gained or lost the lease.', ['lease', 'event']);

/**
 * Leader election over a coordination.k8s.io Lease, as client-go's leaderelection: acquire when the lease is
 * free or expired, renew every retry period, stop leading when renewals fail past the renew deadline, and
 * release on shutdown so a successor need not wait out the lease.
 */
export class LeaderElector {
  private leading = false;
  private stopped = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  private lastRenew = 0;
  private readonly log: Logger;
  private readonly leaseMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryMs: number;
  private readonly now: () => Date;

  constructor(
    private readonly leases: ResourceClient<Lease>,
    private readonly opts: LeaderElectionOptions,
    private readonly callbacks: { onStartedLeading(): void; onStoppedLeading(): void },
  ) {
    this.leaseMs = opts.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = opts.renewDeadlineMs ?? 10_000;
    this.retryMs = opts.retryPeriodMs ?? 2_000;
    this.now = opts.now ?? (() => new Date());
    this.log = (opts.logger ?? silentLogger).child({ lease: `${opts.namespace}/${opts.name}`, identity: opts.identity });
  }

  get isLeader(): boolean {
    return this.leading;
  }

  start(): void {
    // A candidate exports 0 from the start, so every replica's /metrics tells whether it leads, not only the leader's.
    if (!this.loop && !this.leading) isLeader.set({ lease: this.opts.name }, 0);
    this.loop ??= this.run();
  }

  /** Stops campaigning; a leader releases the lease first. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
    if (this.leading) {
      await this.release().catch((err) => this.log.warn({ err: (err as Error).message }, 'lease release failed'));
      this.setLeading(false);
    }
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      let held = false;
      try {
        // A black-holed request must not keep a leader acting past its deadline: bound each round.
        held = await withTimeout(this.tryAcquireOrRenew(), this.renewDeadlineMs);
      } catch (err) {
        this.log.warn({ err: (err as Error).message }, 'lease update failed');
      }
      const nowMs = this.now().getTime();
      if (held) {
        this.lastRenew = nowMs;
        this.setLeading(true);
      } else if (this.leading && nowMs - this.lastRenew >= this.renewDeadlineMs) {
        this.setLeading(false);
      }
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        setTimeout(resolve, this.retryMs);
      });
    }
  }

  private setLeading(leading: boolean): void {
    if (leading === this.leading) return;
    this.leading = leading;
    isLeader.set({ lease: this.opts.name }, leading ? 1 : 0);
    transitions.inc({ lease: this.opts.name, event: leading ? 'acquired' : 'lost' });
    this.log.info({ leading }, leading ? 'became leader' : 'stopped leading');
    if (leading) this.callbacks.onStartedLeading();
    else this.callbacks.onStoppedLeading();
  }

  /** One round: true when we hold the lease afterwards. */
  private async tryAcquireOrRenew(): Promise<boolean> {
    const { namespace, name, identity } = this.opts;
    const now = this.now().toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
    let lease: Lease;
    try {
      lease = await this.leases.get(namespace, name);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      try {
        await this.leases.create({
          metadata: { namespace, name },
          spec: { holderIdentity: identity, leaseDurationSeconds: Math.ceil(this.leaseMs / 1000), acquireTime: now, renewTime: now, leaseTransitions: 0 },
        });
        return true;
      } catch (createErr) {
        if (isAlreadyExists(createErr)) return false;
        throw createErr;
      }
    }
    const spec = lease.spec ?? {};
    const holder = spec.holderIdentity ?? '';
    const renewedAt = spec.renewTime ? Date.parse(spec.renewTime) : 0;
    const expired = renewedAt + (spec.leaseDurationSeconds ?? 0) * 1000 <= this.now().getTime();
    if (holder && holder !== identity && !expired) return false;
    const takingOver = holder !== identity;
    try {
      // The update carries resourceVersion, so two candidates racing for an expired lease cannot both win.
      await this.leases.replace({
        ...lease,
        spec: {
          holderIdentity: identity, leaseDurationSeconds: Math.ceil(this.leaseMs / 1000), renewTime: now,
          acquireTime: takingOver ? now : spec.acquireTime, leaseTransitions: (spec.leaseTransitions ?? 0) + (takingOver ? 1 : 0),
        },
      });
      return true;
    } catch (err) {
      if (isConflict(err)) return false;
      throw err;
    }
  }

  private async release(): Promise<void> {
    const lease = await this.leases.get(this.opts.namespace, this.opts.name);
    if (lease.spec?.holderIdentity !== this.opts.identity) return;
    await this.leases.replace({ ...lease, spec: { ...lease.spec, holderIdentity: null, leaseDurationSeconds: 1, renewTime: this.now().toISOString().replace(/\.(\d{3})Z$/, '.$1000Z') } });
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`lease request timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
