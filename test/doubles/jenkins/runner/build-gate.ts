// stallBuilds(): a switch that holds queue items in the queue and running builds where they are.
import type { InterruptScope } from './interrupt-scope';

export class BuildGate {
  private closed = false;
  private holdQueue = true;
  private readonly waiters = new Set<() => void>();

  set(closed: boolean, holdQueue = true): void {
    this.closed = closed;
    this.holdQueue = holdQueue;
    if (!closed) {
      for (const w of [...this.waiters]) w();
      this.waiters.clear();
    }
  }

  get holdsQueue(): boolean {
    return this.closed && this.holdQueue;
  }

  get holdsBuilds(): boolean {
    return this.closed;
  }

  /** Resolves at once when open; otherwise when opened, or rejects when the scope is interrupted. */
  pass(scope: InterruptScope): Promise<void> {
    if (!this.closed) return Promise.resolve();
    return scope.wait<void>((resolve) => {
      this.waiters.add(resolve);
      return () => this.waiters.delete(resolve);
    });
  }
}
