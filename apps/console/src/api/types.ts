// The subset of the API's schemas (docs/openapi.json) the console reads. Fields are optional where the API may
// leave them out; pages must render without them.
export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  creationTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface ListMeta {
  resourceVersion?: string;
  continue?: string;
  remainingItemCount?: number;
}

export interface List<T> {
  kind: string;
  metadata: ListMeta;
  items: T[];
}

export interface Project {
  name: string;
  pipelines: number;
  running: number | null;
  queued: number | null;
}

export interface Pipeline {
  kind?: 'Pipeline';
  metadata: ObjectMeta;
  spec: { displayName?: string; repositoryUrl: string; configPath?: string; suspend?: boolean; credentialRef?: { name: string } };
  status?: {
    nextRun?: number;
    webhook?: { url?: string; secretName?: string; id?: string };
    lastExecution?: { name?: string; run?: number; phase?: string; startTime?: string; completionTime?: string };
    conditions?: Condition[];
    [k: string]: unknown;
  };
  /** Added by the API (read-only): the newest execution at a glance, with its stages' names and phases. */
  summary?: { lastExecution?: LastExecutionSummary | null };
}

export interface LastExecutionSummary {
  name: string;
  run?: number;
  phase: string;
  startTime?: string;
  completionTime?: string;
  stages?: Array<{ name: string; phase: string }>;
}

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime: string;
}

export type ExecutionPhase = 'Pending' | 'Queued' | 'Provisioning' | 'Running' | 'Succeeded' | 'Failed' | 'Aborted';
export type StepPhase = 'Pending' | 'Running' | 'Waiting' | 'Succeeded' | 'Failed' | 'Aborted' | 'Skipped';

export interface StepLog {
  object: string;
  size: number;
  sha256: string;
  lines?: number;
  partial?: boolean;
}

export interface StepStatus {
  name: string;
  phase: StepPhase;
  startTime?: string;
  completionTime?: string;
  message?: string;
  log?: StepLog;
  approval?: { decision: 'Approved' | 'Rejected'; user: string; time: string; comment?: string };
}

export interface StageStatus {
  name: string;
  phase: StepPhase;
  startTime?: string;
  completionTime?: string;
  steps: StepStatus[];
}

export interface TimelineEntry {
  type: string;
  time: string;
  message?: string;
}

export interface PipelineExecution {
  kind?: 'PipelineExecution';
  metadata: ObjectMeta;
  spec: {
    pipelineRef: { name: string };
    run?: number;
    trigger?: { event: string; user?: string; deliveryId?: string; rerunOf?: string };
    repositoryUrl?: string;
    commit?: string;
    branch?: string;
    tag?: string;
    ref?: string;
    author?: { name?: string; email?: string };
    title?: string;
    message?: string;
    htmlUrl?: string;
    configPath?: string;
    fork?: boolean;
    stop?: boolean;
    /** The parsed .devops.yml at the commit (PipelineConfig of @keelson/pipeline-config); read defensively. */
    config?: unknown;
  };
  status?: {
    phase?: ExecutionPhase;
    reason?: string;
    queuedTime?: string;
    startTime?: string;
    completionTime?: string;
    stages?: StageStatus[];
    timeline?: TimelineEntry[];
    node?: string;
    warmNode?: boolean;
    conditions?: Condition[];
    configWarnings?: Array<{ file: string; line: number; column: number; message: string }>;
  };
}

/** GET /api/v1/whoami: the caller as the cluster authenticated the token. */
export interface WhoAmI {
  username: string;
  groups: string[];
}

/** A place in a pipeline file and what is said about it. */
export interface ConfigMessage {
  line: number;
  column: number;
  message: string;
}

/** GET …/pipelineexecutions/{name}/config: the run's pipeline file at its commit. */
export interface ExecutionConfig {
  path: string;
  commit: string;
  text: string;
  warnings: ConfigMessage[];
  errors: ConfigMessage[];
}

export interface SourceCodeRepository {
  metadata: ObjectMeta;
  spec: { url: string; fullName?: string; defaultBranch?: string };
}

export interface QueueEntry {
  name: string;
  pipeline: string;
  run?: number;
  phase: string;
  position: number;
  created?: string;
  waitingSeconds?: number;
  cause: string;
  message: string;
  [k: string]: unknown;
}

export interface ProjectQueue {
  namespace: string;
  limit: number;
  admitted: number;
  queued: QueueEntry[];
  running: Array<{
    name: string; pipeline: string; run?: number; startTime?: string; node?: string; warmNode?: boolean;
    startLatency: Partial<Record<'queued' | 'provisioning' | 'jenkinsQueue' | 'podScheduling' | 'podStartup' | 'total', number>>;
  }>;
}

export interface LogLineIndex {
  every: number;
  lines: number;
  size: number;
  complete: boolean;
  offsets: number[];
  /** `[line, epochMs]`: when the lines were stored (docs/logs.md); absent from an older manager. */
  times?: Array<[number, number]>;
}
