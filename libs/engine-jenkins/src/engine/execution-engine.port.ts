// The engine port: what the sync loop needs from the build engine. The Jenkins client implements it; the sync
// loop and its unit tests know only this file. Every call is idempotent or keyed by the execution id, so a
// retry after a crash never doubles a side effect.

/** Stage-view status of a run, a stage or a step (pipeline-stage-view StatusExt, exact spelling). */
export type EngineNodeStatus = 'NOT_EXECUTED' | 'ABORTED' | 'SUCCESS' | 'IN_PROGRESS' | 'PAUSED_PENDING_INPUT' | 'FAILED' | 'UNSTABLE';

/** Jenkins Run result once finished. */
export type EngineBuildResult = 'SUCCESS' | 'FAILURE' | 'UNSTABLE' | 'ABORTED' | 'NOT_BUILT';

/** Where the manager reaches one data plane's Jenkins, and as whom. */
export interface EngineEndpoint {
  /** Jenkins root URL, with its context path, without a trailing slash. */
  url: string;
  username: string;
  /** A password (crumb + session cookie) or an API token (no crumb needed). */
  password: string;
}

export interface EngineJob {
  name: string;
  configXml: string;
}

/** What the engine knows of one execution's build. `number` is absent while it waits in the queue. */
export interface EngineBuildRef {
  job: string;
  queueItem?: number;
  number?: number;
}

export interface EngineStage {
  /** The stage-view node name, as written by the compiler (`checkout`, `stage-0 x`, `step-0-1 y`). */
  name: string;
  /** Jenkins flow node id of the stage (stage-view `id`), where its node APIs live (`execution/node/<id>/...`). */
  id?: string;
  status: EngineNodeStatus;
  startTimeMillis?: number;
  durationMillis?: number;
  /** The error message of a failed or aborted node. */
  error?: string;
}

export interface EnginePendingInput {
  /** Input id as Jenkins reports it (first letter capitalised). */
  id: string;
  message: string;
}

export interface EngineBuildState {
  ref: EngineBuildRef;
  /** `queued`: not started yet; `running`; `finished`: `result` is set. `lost`: Jenkins no longer knows it. */
  state: 'queued' | 'running' | 'finished' | 'lost';
  result?: EngineBuildResult;
  /** Why it waits in the queue (`why` of the queue item), or why it is lost. */
  reason?: string;
  startTimeMillis?: number;
  durationMillis?: number;
  stages: EngineStage[];
  pendingInputs: EnginePendingInput[];
}

export interface EngineLogChunk {
  text: string;
  /** Offset to ask for next (X-Text-Size). */
  nextOffset: number;
  /** False once the build has finished and everything was read. */
  more: boolean;
}

/** A flow node that writes a log (an `sh` step; one per attempt under `retry`), as stage view lists it. */
export interface EngineLogNode {
  id: string;
  status: EngineNodeStatus;
}

/** A flow node's log from an offset, as it streams (progressiveText of the node). */
export interface EngineNodeLog {
  /** Offset to ask for next: Jenkins' raw X-Text-Size, never the length of the text (hidden notes count). */
  nextOffset: number;
  /** True while the node runs (X-More-Data); while it runs Jenkins sends whole lines only. */
  more: boolean;
  /** The text from the offset, notes stripped. Consume it or destroy it. */
  body: AsyncIterable<Buffer> & { destroy(): void };
}

export interface EngineCredential {
  id: string;
  description?: string;
  username: string;
  password: string;
}

export interface ExecutionEngine {
  /** Create the job, or update its config.xml when it exists. */
  ensureJob(endpoint: EngineEndpoint, job: EngineJob): Promise<void>;
  /** Create or update a username/password credential in the system store. */
  ensureCredential(endpoint: EngineEndpoint, credential: EngineCredential): Promise<void>;
  /** Delete a credential of the system store; one already gone is not an error. */
  deleteCredential(endpoint: EngineEndpoint, id: string): Promise<void>;
  /** Queue a build with parameter EXECUTION_ID; a duplicate queue item (303) returns the existing one. */
  start(endpoint: EngineEndpoint, job: string, executionId: string): Promise<EngineBuildRef>;
  /** The build carrying this EXECUTION_ID, found through the queue item or, once it expired, the build list. */
  findBuild(endpoint: EngineEndpoint, job: string, executionId: string, hint?: EngineBuildRef): Promise<EngineBuildRef | undefined>;
  describe(endpoint: EngineEndpoint, ref: EngineBuildRef): Promise<EngineBuildState>;
  /** Abort the build, or cancel its queue item. Stopping a finished build is a no-op. */
  stop(endpoint: EngineEndpoint, ref: EngineBuildRef): Promise<void>;
  answerInput(endpoint: EngineEndpoint, ref: EngineBuildRef, inputId: string, decision: 'proceed' | 'abort'): Promise<void>;
  /** Console text from a byte offset (progressiveText). */
  readLog(endpoint: EngineEndpoint, ref: EngineBuildRef, offset: number): Promise<EngineLogChunk>;
  /** The flow nodes with a log directly inside a stage (a step's stage), in the order they ran. */
  logNodes(endpoint: EngineEndpoint, ref: EngineBuildRef, stageId: string): Promise<EngineLogNode[]>;
  /** One flow node's log from a byte offset (`execution/node/<id>/log/logText/progressiveText`), streamed. */
  readNodeLog(endpoint: EngineEndpoint, ref: EngineBuildRef, nodeId: string, offset: number): Promise<EngineNodeLog>;
  deleteJob(endpoint: EngineEndpoint, job: string): Promise<void>;
  /** The top-level jobs, and whether Keelson made each (the garbage collector deletes only those). */
  listJobs(endpoint: EngineEndpoint): Promise<EngineJobSummary[]>;
}

export interface EngineJobSummary {
  name: string;
  /** Made by Keelson (the job compiler's description says so); other jobs are never touched. */
  managed: boolean;
}
