import type { EngineEndpoint } from '@keelson/engine-jenkins';
import type { KubeClient } from '@keelson/kube';

/** What a sync job carries between its runs (kept in Redis; the apiserver holds the truth). */
export interface SyncJobData {
  namespace: string;
  name: string;
  uid: string;
  /** Delay before the next poll; doubles while nothing changes. */
  delayMs?: number;
  /** When the status was last written, to space out progress-only writes. */
  lastWriteAt?: number;
  /** The build pod's node, once seen (the pod may be gone by the time the build ends). */
  node?: string;
  /** When the next poll is due, to measure how late it runs. */
  dueAt?: number;
  /** Since when Jenkins has been unreachable. */
  unreachableSince?: number;
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
  /** Stage-only progress is written at most this often; phase changes and approvals are written at once. */
  progressIntervalMs: number;
}

export const DEFAULT_SYNC_OPTIONS: SyncOptions = { basePollMs: 1_000, maxPollMs: 30_000, progressIntervalMs: 5_000 };
