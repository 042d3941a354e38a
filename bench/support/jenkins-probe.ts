// What the Jenkins double itself recorded about a build, read over its HTTP API as a client would (the same
// admin the manager uses, from the data plane's Secret): when the build was created, and when each stage
// started and ended. These are the ground-truth times the benchmarks compare Keelson's status with.
import { Core } from '@keelson/kube';
import { parseJenkinsNodeName } from '@keelson/engine-jenkins';
import type { KeelsonStack } from '../../test/support/keelson-stack';

export interface BuildTimes {
  job: string;
  number: number;
  /** When the build left the queue and started (Jenkins' `timestamp`), ms since the epoch. */
  startedAt: number;
  /** When the queue item was created (`inQueueSince`; unknown once Jenkins forgot the item, 5 minutes after it left). */
  queuedAt?: number;
  result: string | null;
  /** When the build finished (`timestamp + duration`); undefined while it runs. */
  endedAt?: number;
  /** Keelson stage index → start and end (end undefined while it runs). */
  stages: Map<number, { start: number; end?: number; status: string }>;
}

export class JenkinsProbe {
  private auth?: string;

  constructor(private readonly stack: KeelsonStack, readonly instance = 'demo-pipeline') {}

  /** The double's record of the build that carries this execution id (builds() is in-process, no HTTP). */
  buildOf(executionId: string): { job: string; number: number; queueId: number } | undefined {
    return this.stack.jenkins.builds(this.instance).find((b) => b.params.EXECUTION_ID === executionId);
  }

  async times(job: string, number: number, queueId?: number): Promise<BuildTimes> {
    const run = await this.get<{ timestamp: number; result: string | null; duration: number; building: boolean }>(
      `/job/${encodeURIComponent(job)}/${number}/api/json?tree=timestamp,result,duration,building`,
    );
    const describe = await this.get<{ stages: Array<{ name: string; status: string; startTimeMillis: number; durationMillis: number }> }>(
      `/job/${encodeURIComponent(job)}/${number}/wfapi/describe`,
    );
    const stages = new Map<number, { start: number; end?: number; status: string }>();
    for (const s of describe.stages) {
      const ref = parseJenkinsNodeName(s.name);
      if (ref?.kind !== 'stage') continue;
      const running = s.status === 'IN_PROGRESS' || s.status === 'PAUSED_PENDING_INPUT';
      stages.set(ref.stage, { start: s.startTimeMillis, end: running ? undefined : s.startTimeMillis + s.durationMillis, status: s.status });
    }
    const item = queueId === undefined ? undefined : await this.get<{ inQueueSince: number }>(`/queue/item/${queueId}/api/json?tree=inQueueSince`, true);
    const endedAt = run.building ? undefined : run.timestamp + run.duration;
    return { job, number, startedAt: run.timestamp, queuedAt: item?.inQueueSince, result: run.result, endedAt, stages };
  }

  private async get<T>(path: string, optional = false): Promise<T> {
    this.auth ??= await this.credentials();
    const res = await fetch(`${this.stack.jenkins.url(this.instance)}${path}`, { headers: { authorization: this.auth } });
    if (optional && res.status === 404) return undefined as T;
    if (!res.ok) throw new Error(`Jenkins double GET ${path}: ${res.status}`);
    return (await res.json()) as T;
  }

  private async credentials(): Promise<string> {
    const secret = (await this.stack.kube.resource(Core.Secret).get(this.instance, 'jenkins-admin')) as { data?: Record<string, string> };
    const decode = (key: string) => Buffer.from(secret.data?.[key] ?? '', 'base64').toString('utf8');
    return `Basic ${Buffer.from(`${decode('username')}:${decode('password')}`).toString('base64')}`;
  }
}
