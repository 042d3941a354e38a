// Several manager replicas as separate OS processes on one apiserver and one Redis, each with the environment the
// chart gives a pod (managerReplicaEnv): the harness's stand-in for a scaled Deployment. Each replica can be
// signalled (SIGKILL, SIGSTOP); stop() ends every one still running, and a test calls it in afterAll, so they go
// whether the test passed or not (and with the jest process at the latest: ManagedProcess kills its children on exit).
import type { Role } from '@keelson/config';
import { Core } from '@keelson/kube';
import { freePort } from '@keelson/servers';
import { managerMetrics } from '../../bench/support/manager-metrics';
import type { KeelsonStack } from './keelson-stack';
import { managerReplicaEnv } from './manager-replica-env';
import { ManagerProcess } from './manager-process';

export { metricSum } from '../../bench/support/manager-metrics';

export const LEASE_NAME = 'keelson-controllers';

export interface ReplicaSpec {
  /** POD_NAME, and the log file `<logDir>/<name>.log`. */
  name: string;
  /** The Deployment's roles; undefined: every role (the chart's default, combined Deployment). */
  roles?: readonly Role[];
  /** Per-replica additions to the harness's settings (LOG_LEVEL, SYNC_WORKERS, ...). */
  env?: NodeJS.ProcessEnv;
}

export interface LeaseState {
  holder: string;
  /** The replica whose identity (`<POD_NAME>-<pid>-<random>`) holds the Lease, when one of ours does. */
  replica?: ManagerProcess;
  renewTime?: number;
  acquireTime?: number;
  leaseDurationSeconds?: number;
  transitions: number;
}

export class ManagerReplicas {
  readonly replicas: ManagerProcess[] = [];

  constructor(
    private readonly stack: KeelsonStack,
    private readonly logDir: string,
    /** The Helm release's namespace (POD_NAMESPACE, LEADER_ELECTION_NAMESPACE); KeelsonStack creates keelson-system. */
    readonly releaseNamespace = 'keelson-system',
    /** Added to every replica's environment (test knobs), below the chart's settings. */
    private readonly commonEnv: NodeJS.ProcessEnv = {},
  ) {}

  /** Starts these replicas at the same time (as a Deployment's pods start) and waits until each is ready. */
  async start(specs: ReplicaSpec[]): Promise<ManagerProcess[]> {
    const stackEnv = this.stack.managerEnvironment();
    const started = await Promise.allSettled(specs.map(async (spec) => {
      const env = managerReplicaEnv({
        podName: spec.name, releaseNamespace: this.releaseNamespace, roles: spec.roles, port: await freePort(),
        redisUrl: stackEnv.REDIS_URL!, redisPrefix: stackEnv.REDIS_PREFIX!, kubeconfig: stackEnv.KUBECONFIG!,
        harness: { ...stackEnv, LOG_LEVEL: 'info', ...this.commonEnv, ...spec.env },
      });
      const replica = await ManagerProcess.start({ name: spec.name, logDir: this.logDir, env, waitReady: false });
      this.replicas.push(replica);
      await replica.waitReady(180_000);
      return replica;
    }));
    const failed = started.filter((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed.length) throw new Error(`replicas did not start:\n${failed.map((f) => (f.reason as Error).message).join('\n')}`);
    return started.map((s) => (s as PromiseFulfilledResult<ManagerProcess>).value);
  }

  get(name: string): ManagerProcess {
    const replica = this.replicas.find((r) => r.name === name);
    if (!replica) throw new Error(`no replica ${name}; replicas: ${this.replicas.map((r) => r.name).join(', ')}`);
    return replica;
  }

  alive(): ManagerProcess[] {
    return this.replicas.filter((r) => r.alive);
  }

  /** The controllers' Lease as the apiserver has it now. */
  async lease(): Promise<LeaseState> {
    const lease = await this.stack.kube.resource(Core.Lease).get(this.releaseNamespace, LEASE_NAME).catch(() => undefined);
    const spec = lease?.spec ?? {};
    const holder = spec.holderIdentity ?? '';
    return {
      holder,
      replica: holder ? this.replicas.find((r) => holder.startsWith(`${r.name}-${r.pid}-`)) : undefined,
      renewTime: spec.renewTime ? Date.parse(spec.renewTime) : undefined,
      acquireTime: spec.acquireTime ? Date.parse(spec.acquireTime) : undefined,
      leaseDurationSeconds: spec.leaseDurationSeconds ?? undefined,
      transitions: spec.leaseTransitions ?? 0,
    };
  }

  /** The replica's own /metrics, as `series -> value` (series with its labels, as Prometheus prints it). */
  metrics(replica: ManagerProcess): Promise<Map<string, number>> {
    return managerMetrics(replica.url);
  }

  /** Ends every replica still running (a stopped one is continued first). */
  async stop(): Promise<void> {
    await Promise.all(this.replicas.splice(0).map((r) => r.stop()));
  }
}
