// The parts of Jenkins' JSON answers the client reads (reference: /work/shared/reference/jenkins-api.md).
// Everything is optional: the client checks what it uses rather than trusting a shape.

/** `GET /queue/item/<id>/api/json` and the items of `GET /queue/api/json`. */
export interface QueueItemJson {
  id?: number;
  why?: string | null;
  /** One `\nNAME=value` line per parameter. */
  params?: string;
  task?: { name?: string; url?: string };
  /** Only once the item has left the queue. */
  cancelled?: boolean;
  executable?: { number?: number; url?: string } | null;
}

export interface QueueJson {
  items?: QueueItemJson[];
}

/** `GET /job/<name>/<n>/api/json`. */
export interface BuildJson {
  number?: number;
  building?: boolean;
  result?: string | null;
  timestamp?: number;
  duration?: number;
  queueId?: number;
}

/** `GET /job/<name>/api/json?tree=builds[number,queueId,actions[parameters[name,value]]]`. */
export interface JobBuildsJson {
  builds?: Array<{
    number?: number;
    queueId?: number;
    actions?: Array<{ _class?: string; parameters?: Array<{ name?: string; value?: unknown }> } | null>;
  }>;
}

/** A stage of `wfapi/describe` (pipeline-stage-view RunExt / StageNodeExt). */
export interface StageJson {
  id?: string;
  name?: string;
  status?: string;
  startTimeMillis?: number;
  durationMillis?: number;
  error?: { message?: string; type?: string };
}

/** `GET /job/<name>/<n>/wfapi/describe`. */
export interface RunJson {
  status?: string;
  startTimeMillis?: number;
  durationMillis?: number;
  stages?: StageJson[];
}

/** An entry of `GET /job/<name>/<n>/wfapi/pendingInputActions`. */
export interface PendingInputJson {
  id?: string;
  message?: string;
}

/** `GET …/execution/node/<id>/wfapi/log`. */
export interface NodeLogJson {
  nodeId?: string;
  nodeStatus?: string;
  length?: number;
  hasMore?: boolean;
  text?: string;
  consoleUrl?: string;
}

/** `GET …/execution/node/<stageId>/wfapi/describe` (StageNodeExt with its AtomFlowNodeExt children). */
export interface StageNodesJson {
  id?: string;
  stageFlowNodes?: Array<{ id?: string; name?: string; status?: string; _links?: { log?: { href?: string } } } | null>;
}
