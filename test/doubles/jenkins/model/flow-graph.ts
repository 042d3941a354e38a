// The flow graph of one run, reduced to what the stage-view API shows: stage nodes (block-scoped `stage`s,
// nested step stages included) and atom nodes (sh, writeFile, input, error, ...) with times, errors and logs.
// Ids are allocated in execution order, like Jenkins' FlowNode ids.
import { ConsoleLog } from './console-log';

/** pipeline-stage-view StatusExt, exact spelling. */
export type StatusExt = 'NOT_EXECUTED' | 'ABORTED' | 'SUCCESS' | 'IN_PROGRESS' | 'PAUSED_PENDING_INPUT' | 'FAILED' | 'UNSTABLE';

export const ABORT_EXCEPTION = 'hudson.AbortException';
export const FLOW_INTERRUPTED = 'org.jenkinsci.plugins.workflow.steps.FlowInterruptedException';

export interface NodeError {
  message: string | null;
  type: string;
  /** A FlowInterruptedException that actually interrupted (abort, rejection, timeout): status ABORTED. */
  interrupted: boolean;
}

export interface FlowNode {
  id: string;
  kind: 'stage' | 'atom';
  /** Display name: the stage name, or the step's display name (`Shell Script`). */
  name: string;
  /** The step function (`sh`, `input`, `stage`). */
  functionName: string;
  parameterDescription?: string;
  /** The stage this node runs in (for a stage: its enclosing stage). */
  stageId?: string;
  /** The node before this one in its thread (`parentNodes` in the stage-view API). */
  previousId?: string;
  start: number;
  end?: number;
  error?: NodeError;
  /** `catchError(stageResult: 'NOT_BUILT')` caught an error inside this stage. */
  notBuilt?: boolean;
  pausedSince?: number;
  pauseMs: number;
  /** Atom nodes with a LogAction (sh, input, checkout); stages and blocks have none. */
  log?: ConsoleLog;
}

export class FlowGraph {
  private nextId = 2;
  private readonly nodes = new Map<string, FlowNode>();

  /** Ids also go to nodes the stage view does not show (block starts and ends): keep the numbering realistic. */
  skipIds(count: number): void {
    this.nextId += count;
  }

  get(id: string): FlowNode | undefined {
    return this.nodes.get(id);
  }

  startStage(name: string, now: number, stageId?: string): FlowNode {
    this.skipIds(1); // the outer StepStartNode of a block-scoped stage; the labelled body start is the stage node
    return this.add({ kind: 'stage', name, functionName: 'stage', parameterDescription: name, stageId, start: now });
  }

  atom(functionName: string, name: string, now: number, opts: { stageId?: string; previousId?: string; description?: string; withLog?: boolean } = {}): FlowNode {
    return this.add({
      kind: 'atom', name, functionName, parameterDescription: opts.description, stageId: opts.stageId, previousId: opts.previousId,
      start: now, log: opts.withLog ? new ConsoleLog() : undefined,
    });
  }

  finish(node: FlowNode, now: number, error?: NodeError): void {
    if (node.end !== undefined) return;
    this.resume(node, now);
    node.end = now;
    node.error = error;
  }

  pause(node: FlowNode, now: number): void {
    node.pausedSince = now;
  }

  resume(node: FlowNode, now: number): void {
    if (node.pausedSince === undefined) return;
    node.pauseMs += now - node.pausedSince;
    node.pausedSince = undefined;
  }

  stages(): FlowNode[] {
    return [...this.nodes.values()].filter((n) => n.kind === 'stage');
  }

  /** Atom nodes run directly in a stage, in execution order. */
  atomsOf(stageId: string): FlowNode[] {
    return [...this.nodes.values()].filter((n) => n.kind === 'atom' && n.stageId === stageId);
  }

  /** Every atom inside a stage, nested stages included. */
  private atomsWithin(stageId: string): FlowNode[] {
    const stageIds = new Set([stageId]);
    for (const n of this.nodes.values()) if (n.kind === 'stage' && n.stageId && stageIds.has(n.stageId)) stageIds.add(n.id);
    return [...this.nodes.values()].filter((n) => n.kind === 'atom' && n.stageId !== undefined && stageIds.has(n.stageId));
  }

  status(node: FlowNode): StatusExt {
    if (node.notBuilt) return 'NOT_EXECUTED';
    if (node.end === undefined) {
      if (node.kind === 'atom') return node.pausedSince !== undefined ? 'PAUSED_PENDING_INPUT' : 'IN_PROGRESS';
      const running = this.atomsWithin(node.id).filter((a) => a.end === undefined);
      return running.length > 0 && running.every((a) => a.pausedSince !== undefined) ? 'PAUSED_PENDING_INPUT' : 'IN_PROGRESS';
    }
    if (node.error) return node.error.interrupted ? 'ABORTED' : 'FAILED';
    return 'SUCCESS';
  }

  /** Time spent waiting for input in this node, or in the atoms of this stage. */
  pauseMillis(node: FlowNode, now: number): number {
    const own = (n: FlowNode) => n.pauseMs + (n.pausedSince !== undefined ? now - n.pausedSince : 0);
    return node.kind === 'atom' ? own(node) : this.atomsWithin(node.id).reduce((sum, a) => sum + own(a), 0);
  }

  private add(partial: Omit<FlowNode, 'id' | 'pauseMs'>): FlowNode {
    const node: FlowNode = { ...partial, id: String(this.nextId++), pauseMs: 0 };
    this.nodes.set(node.id, node);
    return node;
  }
}
