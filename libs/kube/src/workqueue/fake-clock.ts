import type { Clock, TimerHandle } from './clock';

interface FakeTimer {
  id: number;
  dueAt: number;
  callback: () => void;
}

/**
 * A clock that moves only when a test calls advance(). Timers fire in due order (ties in creation order, as Node
 * does), each with now() equal to its due time, and a timer scheduled by a firing callback fires within the same
 * advance() when it falls due before the target. Callbacks run synchronously; a test awaits its own promises.
 */
export class FakeClock implements Clock {
  private current: number;
  private nextId = 1;
  private readonly timers = new Map<number, FakeTimer>();

  constructor(startMs = Date.UTC(2026, 0, 1)) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    const id = this.nextId++;
    this.timers.set(id, { id, dueAt: this.current + Math.max(0, ms), callback });
    return id;
  }

  clearTimeout(handle: TimerHandle): void {
    this.timers.delete(handle as number);
  }

  /** Moves time forward by ms, firing every timer that falls due on the way. */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`FakeClock.advance needs a non-negative duration, got ${ms}`);
    const target = this.current + ms;
    for (let timer = this.nextDue(target); timer; timer = this.nextDue(target)) {
      this.timers.delete(timer.id);
      this.current = timer.dueAt;
      timer.callback();
    }
    this.current = target;
  }

  /** Timers scheduled and not yet fired or cleared. */
  pendingTimers(): number {
    return this.timers.size;
  }

  /** Milliseconds until the earliest pending timer, or undefined when none is pending. */
  msUntilNextTimer(): number | undefined {
    const next = this.nextDue(Number.POSITIVE_INFINITY);
    return next === undefined ? undefined : next.dueAt - this.current;
  }

  private nextDue(limit: number): FakeTimer | undefined {
    let best: FakeTimer | undefined;
    for (const timer of this.timers.values()) {
      if (timer.dueAt > limit) continue;
      if (!best || timer.dueAt < best.dueAt || (timer.dueAt === best.dueAt && timer.id < best.id)) best = timer;
    }
    return best;
  }
}
