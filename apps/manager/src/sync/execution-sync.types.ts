import type { EngineEndpoint } from '@keelson/engine-jenkins';
import type { KubeClient } from '@keelson/kube';

/** What a sync job carries between its runs (kept in Redis; the apiserver holds the truth). */
export interface SyncJobData {
  namespace: string;
  name: string;
  uid: string;
  /** Delay before the next poll; doubles while nothing changes. */
  delayMs?: number;
  /** When the status was last written (or the build started), to space out progress-only writes. */
  lastWriteAt?: number;
  /** The build as last seen in Jenkins, before the status says it; recovered by EXECUTION_ID if this is lost. */
  build?: { job: string; queueItem?: number; number?: number };
  /** When this job handed the build to Jenkins: the execution's start time. */
  startedAt?: number;
  /** The build pod's node, once seen (the pod may be gone by the time the build ends). */
  node?: string;
  /** Moments of the build for the execution's timeline, written with the next status write (timeline.ts). */
  moments?: BuildMoments;
  /** When the next poll is due, to measure how late it runs. */
  dueAt?: number;
  /** Since when Jenkins has been unreachable. */
  unreachableSince?: number;
  /** Unexpected failures in a row; at `maxUnexpectedFailures` the execution fails with the error. */
  failures?: number;
}

/** What the timeline needs beyond `startedAt`, `build` and `node` (epoch milliseconds). */
export interface BuildMoments {
  /** Jenkins started the build (it left the queue). */
  buildStartedAt?: number;
  /** The scheduler placed the build pod, and whether on a node the pipeline prefers. */
  scheduledAt?: number;
  warmNode?: boolean;
  /** The first stage started inside the pod. */
  runningAt?: number;
}

/** Where the data plane of a project answers: the endpoint resolver of @keelson/data-plane in production. */
export interface DataPlaneEndpoints {
  jenkins(project: string): Promise<EngineEndpoint>;
  /** The cluster the project's build pods run in. */
  kube(project: string): Promise<KubeClient>;
}

export interface SyncOptions {
  /** First poll delay after a change. */
  basePollMs: number;
  /** Longest delay between polls of a running build (≤ 60 s keeps queue items inside Jenkins' 5-minute window). */
  maxPollMs: number;
  /** Progress (build, node, stages, queue reason) is written at most this often; phase changes and approvals at once. */
  progressIntervalMs: number;
  /** Unexpected failures in a row (backing off up to `maxPollMs`) before the execution fails with the error. */
  maxUnexpectedFailures: number;
}

export const DEFAULT_SYNC_OPTIONS: SyncOptions = { basePollMs: 1_000, maxPollMs: 30_000, progressIntervalMs: 5_000, maxUnexpectedFailures: 8 };
