import { FakeClock } from './fake-clock';
import { ExponentialFailureRateLimiter } from './rate-limiter';
import type { ReconcileMetrics } from './reconcile-metrics';
import { ReconcileResult } from './reconcile-result';
import {
  ReconcileRunner,
  type ReconcileContext,
  type ReconcileFailure,
  type ReconcileFn,
  type ReconcileRunnerOptions,
} from './reconcile-runner';
import { Workqueue } from './workqueue';

/** Lets every promise callback queued so far run. */
const flush = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
};

interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

function recordingMetrics(): ReconcileMetrics & { calls: Array<[string, ...unknown[]]> } {
  const calls: Array<[string, ...unknown[]]> = [];
  const record = (method: string) => (...args: unknown[]) => void calls.push([method, ...args]);
  return {
    calls,
    reconcileTotal: record('reconcileTotal'),
    reconcileError: record('reconcileError'),
    terminalReconcileError: record('terminalReconcileError'),
    reconcileTime: record('reconcileTime'),
    activeWorkers: record('activeWorkers'),
    maxConcurrentReconciles: record('maxConcurrentReconciles'),
  };
}

/** A runner over a fake clock; `calls` records each reconcile's key and context. */
function buildRunner(reconcile: ReconcileFn, overrides: Partial<ReconcileRunnerOptions> = {}) {
  const clock = new FakeClock(0);
  const queue = new Workqueue({ name: 'pipelines', clock, rateLimiter: new ExponentialFailureRateLimiter() });
  const metrics = recordingMetrics();
  const calls: Array<{ key: string; ctx: ReconcileContext; at: number }> = [];
  let ids = 0;
  const runner = new ReconcileRunner({
    name: 'pipelines',
    queue,
    clock,
    metrics,
    newReconcileId: () => `r${++ids}`,
    reconcile: (key, ctx) => {
      calls.push({ key, ctx, at: clock.now() });
      return reconcile(key, ctx);
    },
    ...overrides,
  });
  return { runner, queue, clock, metrics, calls };
}

const results = (metrics: ReturnType<typeof recordingMetrics>): unknown[] =>
  metrics.calls.filter(([method]) => method === 'reconcileTotal').map(([, , result]) => result);

describe('ReconcileRunner', () => {
  it('reconciles an added key with the controller name and a fresh reconcile id each time', async () => {
    const { runner, queue, calls } = buildRunner(async () => ReconcileResult.done());
    runner.start();
    queue.add('ns/a');
    await flush();
    queue.add('ns/a');
    await flush();
    expect(calls.map(({ key, ctx }) => [key, ctx.controller, ctx.reconcileId])).toEqual([
      ['ns/a', 'pipelines', 'r1'],
      ['ns/a', 'pipelines', 'r2'],
    ]);
    await runner.stop();
  });

  it('gives each reconcile a random id by default', async () => {
    const clock = new FakeClock(0);
    const ids: string[] = [];
    const queue = new Workqueue({ name: 'pipelines', clock });
    const runner = new ReconcileRunner({
      name: 'pipelines',
      queue,
      clock,
      reconcile: async (_key, ctx) => (ids.push(ctx.reconcileId), ReconcileResult.done()),
    });
    runner.start();
    queue.add('ns/a');
    queue.add('ns/b');
    await flush();
    expect(ids).toHaveLength(2);
    expect(ids[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(ids[0]).not.toBe(ids[1]);
    await runner.stop();
  });

  it('forgets the backoff and counts success when the reconcile is done', async () => {
    const { runner, queue, metrics } = buildRunner(async () => ReconcileResult.done());
    queue.addRateLimited('ns/a');
    queue.addRateLimited('ns/a');
    queue.add('ns/a');
    runner.start();
    await flush();
    expect(queue.numRequeues('ns/a')).toBe(0);
    expect(results(metrics)).toEqual(['success']);
    await runner.stop();
  });

  it('runs the key again after the requested delay, with the backoff forgotten', async () => {
    const { runner, queue, clock, metrics, calls } = buildRunner(async () => ReconcileResult.requeueAfter(30_000));
    queue.addRateLimited('ns/a');
    clock.advance(5);
    runner.start();
    await flush();
    expect(queue.numRequeues('ns/a')).toBe(0);
    clock.advance(29_999);
    await flush();
    expect(calls).toHaveLength(1);
    clock.advance(1);
    await flush();
    expect(calls.map(({ at }) => at)).toEqual([5, 30_005]);
    expect(results(metrics)).toEqual(['requeue_after', 'requeue_after']);
    await runner.stop();
  });

  it('retries a retryable error with backoff doubling from 5 ms and reports each error', async () => {
    const failures: ReconcileFailure[] = [];
    const boom = new Error('jenkins unreachable');
    const { runner, queue, clock, metrics, calls } = buildRunner(async () => ReconcileResult.retryableError(boom), {
      onRetryableError: (failure) => failures.push(failure),
    });
    runner.start();
    queue.add('ns/a');
    for (let i = 0; i < 4; i++) {
      await flush();
      clock.advance(clock.msUntilNextTimer()!);
    }
    await flush();
    const times = calls.map(({ at }) => at);
    expect(times.slice(1).map((t, i) => t - times[i])).toEqual([5, 10, 20, 40]);
    expect(calls.map(({ ctx }) => ctx.retries)).toEqual([0, 1, 2, 3, 4]);
    expect(failures[0]).toEqual({ controller: 'pipelines', key: 'ns/a', reconcileId: 'r1', error: boom });
    expect(results(metrics)).toEqual(['error', 'error', 'error', 'error', 'error']);
    expect(metrics.calls.filter(([method]) => method === 'reconcileError')).toHaveLength(5);
    await runner.stop();
  });

  it('treats a thrown exception as a retryable error', async () => {
    const failures: ReconcileFailure[] = [];
    const { runner, queue, clock, calls } = buildRunner(
      async () => {
        throw new Error('conflict');
      },
      { onRetryableError: (failure) => failures.push(failure) },
    );
    runner.start();
    queue.add('ns/a');
    await flush();
    expect(queue.numRequeues('ns/a')).toBe(1);
    clock.advance(5);
    await flush();
    expect(calls).toHaveLength(2);
    expect((failures[0].error as Error).message).toBe('conflict');
    await runner.stop();
  });

  it('requeues with backoff and no error when the reconcile asks to requeue', async () => {
    const { runner, queue, metrics } = buildRunner(async () => ReconcileResult.requeue());
    runner.start();
    queue.add('ns/a');
    await flush();
    expect(queue.numRequeues('ns/a')).toBe(1);
    expect(results(metrics)).toEqual(['requeue']);
    expect(metrics.calls.filter(([method]) => method === 'reconcileError')).toHaveLength(0);
    await runner.stop();
  });

  it('reports a terminal error through the callback and never retries it', async () => {
    const failures: ReconcileFailure[] = [];
    const invalid = new Error('spec.stages is empty');
    const { runner, queue, clock, metrics, calls } = buildRunner(async () => ReconcileResult.terminalError(invalid), {
      onTerminalError: (failure) => void failures.push(failure),
    });
    queue.addRateLimited('ns/a');
    clock.advance(5);
    runner.start();
    await flush();
    clock.advance(3_600_000);
    await flush();
    expect(calls).toHaveLength(1);
    expect(failures).toEqual([{ controller: 'pipelines', key: 'ns/a', reconcileId: 'r1', error: invalid }]);
    expect(queue.numRequeues('ns/a')).toBe(0);
    expect(results(metrics)).toEqual(['error']);
    expect(metrics.calls.filter(([method]) => method === 'terminalReconcileError')).toHaveLength(1);
    await runner.stop();
  });

  it('retries a terminal error whose status write failed, so the status is written eventually', async () => {
    const onTerminalError = jest.fn().mockRejectedValueOnce(new Error('409 conflict')).mockResolvedValue(undefined);
    const { runner, queue, clock, calls } = buildRunner(async () => ReconcileResult.terminalError(new Error('bad')), {
      onTerminalError,
    });
    runner.start();
    queue.add('ns/a');
    await flush();
    clock.advance(5);
    await flush();
    clock.advance(10_000);
    await flush();
    expect(calls).toHaveLength(2);
    expect(onTerminalError).toHaveBeenCalledTimes(2);
    await runner.stop();
  });

  it('holds the key while the terminal error is reported, so no reconcile overlaps the status write', async () => {
    const written = deferred<void>();
    const { runner, queue, calls } = buildRunner(async () => ReconcileResult.terminalError(new Error('bad')), {
      workers: 2,
      onTerminalError: () => written.promise,
    });
    runner.start();
    queue.add('ns/a');
    await flush();
    queue.add('ns/a');
    await flush();
    expect(calls).toHaveLength(1);
    written.resolve();
    await flush();
    expect(calls).toHaveLength(2);
    await runner.stop();
  });

  it('never reconciles one key on two workers at once, and runs it once more if re-added meanwhile', async () => {
    const gates: Deferred<ReconcileResult>[] = [];
    const { runner, queue, calls } = buildRunner(() => {
      const gate = deferred<ReconcileResult>();
      gates.push(gate);
      return gate.promise;
    }, { workers: 4 });
    runner.start();
    queue.add('ns/a');
    await flush();
    queue.add('ns/a');
    queue.add('ns/a');
    await flush();
    expect(calls).toHaveLength(1);
    gates[0].resolve(ReconcileResult.done());
    await flush();
    expect(calls).toHaveLength(2);
    gates[1].resolve(ReconcileResult.done());
    await flush();
    expect(calls).toHaveLength(2);
    await runner.stop();
  });

  it('reconciles different keys in parallel up to the worker count, reporting active workers', async () => {
    const gates: Deferred<ReconcileResult>[] = [];
    const { runner, queue, metrics, calls } = buildRunner(() => {
      const gate = deferred<ReconcileResult>();
      gates.push(gate);
      return gate.promise;
    }, { workers: 3 });
    runner.start();
    ['ns/a', 'ns/b', 'ns/c', 'ns/d'].forEach((key) => queue.add(key));
    await flush();
    expect(calls.map(({ key }) => key)).toEqual(['ns/a', 'ns/b', 'ns/c']);
    expect(runner.activeWorkers).toBe(3);
    gates[1].resolve(ReconcileResult.done());
    await flush();
    expect(calls.map(({ key }) => key)).toEqual(['ns/a', 'ns/b', 'ns/c', 'ns/d']);
    const active = metrics.calls.filter(([method]) => method === 'activeWorkers').map(([, , n]) => n);
    expect(active).toEqual([0, 1, 2, 3, 2, 3]);
    expect(metrics.calls).toContainEqual(['maxConcurrentReconciles', 'pipelines', 3]);
    gates.forEach((gate) => gate.resolve(ReconcileResult.done()));
    await runner.stop();
  });

  it('never overlaps a key under concurrent adds on five workers, and reconciles keys after the last add', async () => {
    let seed = 42;
    // Park-Miller: the product stays below 2^53, so the sequence is exact and never collapses.
    const random = (): number => (seed = (seed * 48_271) % 2_147_483_647) / 2_147_483_647;
    const yieldRandomly = async (): Promise<void> => {
      for (let i = Math.floor(random() * 4); i > 0; i--) await new Promise<void>((resolve) => setImmediate(resolve));
    };
    const running = new Set<string>();
    const overlaps: string[] = [];
    const addedSinceStart = new Set<string>();
    let peak = 0;
    // Zero backoff: the retry path re-adds at once instead of waiting on a clock.
    const queue = new Workqueue({
      name: 'pipelines',
      rateLimiter: new ExponentialFailureRateLimiter({ baseDelayMs: 0, maxDelayMs: 0 }),
    });
    const { runner } = buildRunner(
      async (key) => {
        if (running.has(key)) overlaps.push(key);
        running.add(key);
        addedSinceStart.delete(key);
        peak = Math.max(peak, running.size);
        await yieldRandomly();
        running.delete(key);
        // A few failures put the retry path (a delayed re-add) into the mix.
        return random() < 0.1 ? ReconcileResult.requeue() : ReconcileResult.done();
      },
      { workers: 5, queue },
    );
    runner.start();
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        for (let i = 0; i < 100; i++) {
          const key = `ns/p${Math.floor(random() * 8)}`;
          addedSinceStart.add(key);
          queue.add(key);
          await yieldRandomly();
        }
      }),
    );
    // One event-loop turn runs any handed-out key's reconcile to its first await, so idle twice in a row is idle.
    for (let idleChecks = 0; idleChecks < 2; ) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      idleChecks = runner.activeWorkers === 0 && queue.len() === 0 ? idleChecks + 1 : 0;
    }
    expect(overlaps).toEqual([]);
    expect([...addedSinceStart]).toEqual([]);
    expect(peak).toBeGreaterThan(1);
    await runner.stop();
  });

  it('reports each reconcile duration in seconds', async () => {
    const gate = deferred<ReconcileResult>();
    const { runner, queue, clock, metrics } = buildRunner(() => gate.promise);
    runner.start();
    queue.add('ns/a');
    await flush();
    clock.advance(1_500);
    gate.resolve(ReconcileResult.done());
    await flush();
    expect(metrics.calls).toContainEqual(['reconcileTime', 'pipelines', 1.5]);
    await runner.stop();
  });

  describe('stop', () => {
    it('stops taking keys but lets in-flight reconciles finish before resolving true', async () => {
      const gate = deferred<ReconcileResult>();
      const { runner, queue, calls } = buildRunner(() => gate.promise);
      runner.start();
      queue.add('ns/a');
      await flush();
      queue.add('ns/b');
      let stopped: boolean | undefined;
      void runner.stop(10_000).then((result) => (stopped = result));
      await flush();
      expect(stopped).toBeUndefined();
      gate.resolve(ReconcileResult.done());
      await flush();
      expect(stopped).toBe(true);
      expect(calls.map(({ key }) => key)).toEqual(['ns/a']);
      expect(calls[0].ctx.signal.aborted).toBe(false);
    });

    it('resolves false and aborts the reconcile signal when in-flight work outlives the timeout', async () => {
      const { runner, queue, clock, calls } = buildRunner(() => new Promise<ReconcileResult>(() => {}));
      runner.start();
      queue.add('ns/a');
      await flush();
      const stopped = runner.stop(5_000);
      clock.advance(5_000);
      await expect(stopped).resolves.toBe(false);
      expect(calls[0].ctx.signal.aborted).toBe(true);
    });

    it('drops keys waiting for a delay and ignores keys added afterwards', async () => {
      const { runner, queue, clock, calls } = buildRunner(async () => ReconcileResult.requeueAfter(100));
      runner.start();
      queue.add('ns/a');
      await flush();
      await expect(runner.stop()).resolves.toBe(true);
      queue.add('ns/b');
      clock.advance(1_000);
      await flush();
      expect(calls).toHaveLength(1);
    });

    it('returns the same answer to repeated calls and refuses to start again', async () => {
      const { runner } = buildRunner(async () => ReconcileResult.done());
      runner.start();
      const first = runner.stop();
      expect(runner.stop()).toBe(first);
      await expect(first).resolves.toBe(true);
      expect(() => runner.start()).toThrow(/cannot start twice/);
    });
  });

  it('rejects a worker count below one', () => {
    expect(() => buildRunner(async () => ReconcileResult.done(), { workers: 0 })).toThrow(RangeError);
  });
});

describe('ReconcileResult', () => {
  it('rejects a negative, NaN or infinite requeue delay instead of hot-looping', () => {
    expect(() => ReconcileResult.requeueAfter(-1)).toThrow(RangeError);
    expect(() => ReconcileResult.requeueAfter(Number.NaN)).toThrow(RangeError);
    expect(() => ReconcileResult.requeueAfter(Number.POSITIVE_INFINITY)).toThrow(RangeError);
    expect(ReconcileResult.requeueAfter(0)).toEqual({ kind: 'requeueAfter', afterMs: 0 });
  });
});
