// One run of a job (workflow-job WorkflowRun): identity, parameters, console log, flow graph, pending inputs,
// and the build pod the double created for it.
import { ConsoleLog } from './console-log';
import { FlowGraph, type FlowNode, type StatusExt } from './flow-graph';
import type { ParameterValue } from './job';
import type { ScriptInput } from '../script/jenkinsfile.reader';
import { InterruptScope } from '../runner/interrupt-scope';

export type BuildResult = 'SUCCESS' | 'FAILURE' | 'UNSTABLE' | 'ABORTED' | 'NOT_BUILT';

export interface BuildCause {
  userId: string;
  userName: string;
}

export interface PendingInput {
  input: ScriptInput;
  node: FlowNode;
  proceed(user: string): void;
  abort(user: string): void;
}

export interface BuildPodRef {
  namespace: string;
  name: string;
  nodeName?: string;
  /** Real milliseconds from creating the pod to seeing it Running. */
  startMs?: number;
}

export class Build {
  readonly log = new ConsoleLog();
  readonly graph = new FlowGraph();
  readonly scope = new InterruptScope();
  readonly pendingInputs = new Map<string, PendingInput>();
  result?: BuildResult;
  endTime?: number;
  displayName?: string;
  description?: string;
  pod?: BuildPodRef;
  /** Parked on the clock, an input, a stall or done: nothing will happen until something outside moves. */
  parked = false;
  /** Set when the run is over and every side effect (pod finish) is done. */
  settled = false;

  constructor(
    readonly job: string,
    readonly number: number,
    readonly queueId: number,
    readonly params: ParameterValue[],
    readonly cause: BuildCause,
    readonly inQueueSince: number,
    readonly timestamp: number,
  ) {}

  get building(): boolean {
    return this.result === undefined;
  }

  param(name: string): string | undefined {
    return this.params.find((p) => p.name === name)?.value;
  }

  duration(now: number): number {
    return (this.endTime ?? now) - this.timestamp;
  }

  /** Run status in the stage view (RunExt.initStatus). */
  status(): StatusExt {
    switch (this.result) {
      case undefined:
        return this.pendingInputs.size > 0 ? 'PAUSED_PENDING_INPUT' : 'IN_PROGRESS';
      case 'SUCCESS':
        return 'SUCCESS';
      case 'UNSTABLE':
        return 'UNSTABLE';
      case 'ABORTED':
        return 'ABORTED';
      case 'NOT_BUILT':
        return 'NOT_EXECUTED';
      default:
        return 'FAILED';
    }
  }
}
