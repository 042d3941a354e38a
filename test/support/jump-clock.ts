// Wall-clock time that a test can move forward at once: builds in the Jenkins double sleep in real time, while a
// fault test can still make "ten minutes" pass (queue items expire after five) without waiting for them.
import type { Clock, TimerHandle, TimerOptions } from '@keelson/kube';

interface JumpTimer {
  id: number;
  dueAt: number;
  callback: () => void;
  unref: boolean;
  timeout?: NodeJS.Timeout;
}

export class JumpClock implements Clock {
  private offsetMs = 0;
  private nextId = 1;
  private readonly timers = new Map<number, JumpTimer>();

  now(): number {
    return Date.now() + this.offsetMs;
  }

  setTimeout(callback: () => void, ms: number, options?: TimerOptions): TimerHandle {
    const timer: JumpTimer = { id: this.nextId++, dueAt: this.now() + Math.max(0, ms), callback, unref: options?.unref === true };
    this.timers.set(timer.id, timer);
    this.arm(timer);
    return timer.id;
  }

  clearTimeout(handle: TimerHandle): void {
    const timer = this.timers.get(handle as number);
    if (!timer) return;
    clearTimeout(timer.timeout);
    this.timers.delete(timer.id);
  }

  /** Moves time forward by ms: timers that fall due on the way fire now, in due order; the others wait less. */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`JumpClock.advance needs a non-negative duration, got ${ms}`);
    this.offsetMs += ms;
    const due = [...this.timers.values()].filter((t) => t.dueAt <= this.now()).sort((a, b) => a.dueAt - b.dueAt || a.id - b.id);
    for (const timer of due) {
      clearTimeout(timer.timeout);
      this.timers.delete(timer.id);
    }
    for (const timer of this.timers.values()) this.arm(timer);
    for (const timer of due) timer.callback();
  }

  /** How far this clock is ahead of the wall clock. */
  get aheadMs(): number {
    return this.offsetMs;
  }

  private arm(timer: JumpTimer): void {
    clearTimeout(timer.timeout);
    // Node clamps delays above 2^31-1 ms to 1 ms; a pipeline timeout is far below that, but stay safe.
    const delay = Math.min(Math.max(0, timer.dueAt - this.now()), 2 ** 31 - 1);
    timer.timeout = setTimeout(() => {
      if (timer.dueAt > this.now()) return this.arm(timer);
      this.timers.delete(timer.id);
      timer.callback();
    }, delay);
    if (timer.unref) timer.timeout.unref();
  }
}
