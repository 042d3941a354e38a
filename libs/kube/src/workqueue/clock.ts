/**
 * Time, injected. The workqueue and the reconcile runner never call Date.now or setTimeout directly, so backoff,
 * addAfter and drain timeouts are tested with FakeClock instead of sleeping (cert-manager does the same).
 */

/** Opaque handle returned by Clock.setTimeout; only the clock that made it can read it. */
export type TimerHandle = unknown;

export interface TimerOptions {
  /** The timer must not keep the process alive (metrics tickers, drain deadlines). */
  unref?: boolean;
}

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  setTimeout(callback: () => void, ms: number, options?: TimerOptions): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** Node clamps longer timers to 1 ms (a hot loop for a long requeueAfter), so RealClock chains shorter ones. */
const MAX_NODE_TIMER_MS = 2 ** 31 - 1;

interface RealTimer {
  timeout?: NodeJS.Timeout;
}

/** Wall-clock time and Node timers. */
export class RealClock implements Clock {
  now(): number {
    return Date.now();
  }

  setTimeout(callback: () => void, ms: number, options?: TimerOptions): TimerHandle {
    const timer: RealTimer = {};
    const arm = (remaining: number): void => {
      const step = Math.min(Math.max(0, remaining), MAX_NODE_TIMER_MS);
      timer.timeout = setTimeout(() => (remaining > step ? arm(remaining - step) : callback()), step);
      if (options?.unref) timer.timeout.unref();
    };
    arm(ms);
    return timer;
  }

  clearTimeout(handle: TimerHandle): void {
    clearTimeout((handle as RealTimer).timeout);
  }
}

/** Shared default; RealClock holds no state, so one instance serves every queue. */
export const realClock: Clock = new RealClock();
