// Interruption of a running build, scoped like Jenkins' step contexts: stopping the build interrupts every
// step; a `timeout` interrupts only its body; an input rejection ends only the waiting step (then unwinds).
import { FLOW_INTERRUPTED, type NodeError } from '../model/flow-graph';

/** A FlowInterruptedException: the result it carries is ABORTED. */
export class Interrupted extends Error {
  constructor(readonly cause: string, readonly reason: 'stopped' | 'rejected' | 'timeout' | 'lost') {
    super(cause);
  }

  toNodeError(): NodeError {
    // FlowInterruptedException carries causes, not a message.
    return { message: null, type: FLOW_INTERRUPTED, interrupted: true };
  }
}

/** A step failure (`error(...)`, a non-zero exit code): hudson.AbortException, result FAILURE. */
export class StepFailure extends Error {
  toNodeError(): NodeError {
    return { message: this.message, type: 'hudson.AbortException', interrupted: false };
  }
}

export function nodeErrorOf(err: unknown): NodeError {
  if (err instanceof Interrupted || err instanceof StepFailure) return err.toNodeError();
  return { message: err instanceof Error ? err.message : String(err), type: 'java.lang.Exception', interrupted: false };
}

export class InterruptScope {
  interrupted?: Interrupted;
  private readonly listeners = new Set<(e: Interrupted) => void>();
  private readonly children = new Set<InterruptScope>();

  constructor(private readonly parent?: InterruptScope) {
    if (parent?.interrupted) this.interrupted = parent.interrupted;
  }

  child(): InterruptScope {
    const scope = new InterruptScope(this);
    this.children.add(scope);
    return scope;
  }

  dispose(): void {
    this.parent?.children.delete(this);
  }

  interrupt(e: Interrupted): void {
    if (this.interrupted) return;
    this.interrupted = e;
    for (const l of [...this.listeners]) l(e);
    for (const c of [...this.children]) c.interrupt(e);
  }

  throwIfInterrupted(): void {
    if (this.interrupted) throw this.interrupted;
  }

  /**
   * Waits for `start` to resolve, or rejects as soon as this scope is interrupted. `start` returns a cleanup
   * that runs either way (clear a timer, drop a waiter).
   */
  wait<T>(start: (resolve: (value: T) => void, reject: (err: unknown) => void) => () => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.interrupted) {
        reject(this.interrupted);
        return;
      }
      let cleanup: (() => void) | undefined;
      let done = false;
      const settle = (fn: () => void) => {
        if (done) return;
        done = true;
        this.listeners.delete(onInterrupt);
        cleanup?.();
        fn();
      };
      const onInterrupt = (e: Interrupted) => settle(() => reject(e));
      this.listeners.add(onInterrupt);
      cleanup = start((v) => settle(() => resolve(v)), (err) => settle(() => reject(err)));
      if (done) cleanup();
    });
  }
}
