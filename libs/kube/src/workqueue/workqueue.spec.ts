import { FakeClock } from './fake-clock';
import { ExponentialFailureRateLimiter } from './rate-limiter';
import { Workqueue, type WorkqueueOptions } from './workqueue';
import type { WorkqueueMetrics } from './workqueue-metrics';

/** Lets every promise callback queued so far run. */
const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function buildQueue(overrides: Partial<WorkqueueOptions> = {}): { queue: Workqueue; clock: FakeClock } {
  const clock = new FakeClock(0);
  const queue = new Workqueue({
    name: 'pipelines',
    clock,
    rateLimiter: new ExponentialFailureRateLimiter(),
    ...overrides,
  });
  return { queue, clock };
}

/** Resolves with the key get() hands out, failing the test on a shutdown signal. */
async function take(queue: Workqueue): Promise<string> {
  const item = await queue.get();
  if (item.shutdown) throw new Error('queue shut down');
  return item.key;
}

/** Whether get() would hand something out right now, without leaving a waiter behind. */
const ready = (queue: Workqueue): number => queue.len();

function recordingMetrics(): WorkqueueMetrics & { calls: Array<[string, string, number?]> } {
  const calls: Array<[string, string, number?]> = [];
  const record = (method: string) => (name: string, value?: number) => void calls.push([method, name, value]);
  return {
    calls,
    depth: record('depth'),
    add: record('add'),
    queueDuration: record('queueDuration'),
    workDuration: record('workDuration'),
    retry: record('retry'),
    unfinishedWork: record('unfinishedWork'),
    longestRunningProcessor: record('longestRunningProcessor'),
  };
}

describe('Workqueue', () => {
  describe('adding and taking keys', () => {
    it('hands out keys in the order they were added', async () => {
      const { queue } = buildQueue();
      ['ns/a', 'ns/b', 'ns/c'].forEach((key) => queue.add(key));
      expect([await take(queue), await take(queue), await take(queue)]).toEqual(['ns/a', 'ns/b', 'ns/c']);
    });

    it('ignores adding a key that is already waiting for a worker', async () => {
      const { queue } = buildQueue();
      queue.add('ns/a');
      queue.add('ns/b');
      queue.add('ns/a');
      expect(queue.len()).toBe(2);
      expect([await take(queue), await take(queue)]).toEqual(['ns/a', 'ns/b']);
    });

    it('makes get() wait until a key is added', async () => {
      const { queue } = buildQueue();
      const pending = queue.get();
      let settled = false;
      void pending.then(() => (settled = true));
      await flush();
      expect(settled).toBe(false);
      queue.add('ns/a');
      await expect(pending).resolves.toEqual({ shutdown: false, key: 'ns/a' });
    });

    it('serves waiting get() calls in the order they were made, one key each', async () => {
      const { queue } = buildQueue();
      const first = queue.get();
      const second = queue.get();
      queue.add('ns/a');
      queue.add('ns/b');
      expect((await first).key).toBe('ns/a');
      expect((await second).key).toBe('ns/b');
    });
  });

  describe('one worker per key', () => {
    it('does not hand out a key again while it is being processed', async () => {
      const { queue } = buildQueue();
      queue.add('ns/a');
      await take(queue);
      queue.add('ns/a');
      expect(ready(queue)).toBe(0);
    });

    it('queues a key re-added during processing once more when its processing is done', async () => {
      const { queue } = buildQueue();
      queue.add('ns/a');
      await take(queue);
      queue.add('ns/a');
      queue.add('ns/a');
      queue.add('ns/a');
      queue.done('ns/a');
      expect(ready(queue)).toBe(1);
      expect(await take(queue)).toBe('ns/a');
      queue.done('ns/a');
      expect(ready(queue)).toBe(0);
    });

    it('hands a key re-added during processing to a worker already waiting, when it is done', async () => {
      const { queue } = buildQueue();
      queue.add('ns/a');
      await take(queue);
      queue.add('ns/a');
      const waiter = queue.get();
      queue.done('ns/a');
      await expect(waiter).resolves.toEqual({ shutdown: false, key: 'ns/a' });
    });

    it('forgets a key once it is done and was not re-added', async () => {
      const { queue } = buildQueue();
      queue.add('ns/a');
      await take(queue);
      queue.done('ns/a');
      expect(ready(queue)).toBe(0);
    });

    it('ignores done() for a key that was never handed out, rather than queueing it twice', () => {
      const { queue } = buildQueue();
      queue.add('ns/a');
      queue.done('ns/a');
      expect(queue.len()).toBe(1);
    });
  });

  describe('addAfter', () => {
    it('makes the key ready only once the delay has passed', () => {
      const { queue, clock } = buildQueue();
      queue.addAfter('ns/a', 1_000);
      clock.advance(999);
      expect(queue.len()).toBe(0);
      clock.advance(1);
      expect(queue.len()).toBe(1);
    });

    it('adds the key at once when the delay is zero or negative', () => {
      const { queue } = buildQueue();
      queue.addAfter('ns/a', 0);
      queue.addAfter('ns/b', -5);
      expect(queue.len()).toBe(2);
    });

    it('keeps the earlier time when a key already waiting is added again with a later time', () => {
      const { queue, clock } = buildQueue();
      queue.addAfter('ns/a', 100);
      queue.addAfter('ns/a', 500);
      clock.advance(100);
      expect(queue.len()).toBe(1);
      queue.get();
      queue.done('ns/a');
      clock.advance(1_000);
      expect(queue.len()).toBe(0);
    });

    it('moves a waiting key earlier when it is added again with an earlier time', () => {
      const { queue, clock } = buildQueue();
      queue.addAfter('ns/a', 500);
      queue.addAfter('ns/a', 100);
      clock.advance(100);
      expect(queue.len()).toBe(1);
      expect(clock.pendingTimers()).toBe(0);
    });

    it('leaves a delayed entry in place when the key is also added for now, as client-go does', async () => {
      const { queue, clock } = buildQueue();
      queue.addAfter('ns/a', 100);
      queue.add('ns/a');
      expect(await take(queue)).toBe('ns/a');
      queue.done('ns/a');
      clock.advance(100);
      expect(queue.len()).toBe(1);
    });

    it('makes a delayed key that falls due while still queued a no-op', () => {
      const { queue, clock } = buildQueue();
      queue.add('ns/a');
      queue.addAfter('ns/a', 10);
      clock.advance(10);
      expect(queue.len()).toBe(1);
    });
  });

  describe('addRateLimited', () => {
    it('delays each retry of a key twice as long as the last, from 5 ms', async () => {
      const { queue, clock } = buildQueue();
      const delays: number[] = [];
      for (let attempt = 0; attempt < 4; attempt++) {
        const before = clock.now();
        queue.addRateLimited('ns/a');
        clock.advance(clock.msUntilNextTimer()!);
        delays.push(clock.now() - before);
        await take(queue);
        queue.done('ns/a');
      }
      expect(delays).toEqual([5, 10, 20, 40]);
      expect(queue.numRequeues('ns/a')).toBe(4);
    });

    it('does not make the key ready a millisecond before its backoff ends', () => {
      const { queue, clock } = buildQueue();
      queue.addRateLimited('ns/a');
      clock.advance(4);
      expect(queue.len()).toBe(0);
      clock.advance(1);
      expect(queue.len()).toBe(1);
    });

    it('starts the backoff from the base again after forget', () => {
      const { queue, clock } = buildQueue();
      queue.addRateLimited('ns/a');
      queue.addRateLimited('ns/a');
      queue.forget('ns/a');
      expect(queue.numRequeues('ns/a')).toBe(0);
      clock.advance(5);
      expect(queue.len()).toBe(1);
    });

    it('backs off each key on its own', () => {
      const { queue, clock } = buildQueue();
      queue.addRateLimited('ns/a');
      queue.addRateLimited('ns/a');
      queue.addRateLimited('ns/b');
      expect([queue.numRequeues('ns/a'), queue.numRequeues('ns/b')]).toEqual([2, 1]);
      clock.advance(5);
      expect(queue.len()).toBe(2);
    });
  });

  describe('shutDown', () => {
    it('ignores keys added afterwards, now, later or rate limited', () => {
      const { queue, clock } = buildQueue();
      queue.shutDown();
      queue.add('ns/a');
      queue.addAfter('ns/b', 10);
      queue.addRateLimited('ns/c');
      clock.advance(10_000);
      expect(queue.len()).toBe(0);
      expect(queue.numRequeues('ns/c')).toBe(0);
    });

    it('drops keys still waiting for their delay', () => {
      const { queue, clock } = buildQueue();
      queue.addAfter('ns/a', 10);
      queue.shutDown();
      expect(clock.pendingTimers()).toBe(0);
      clock.advance(10);
      expect(queue.len()).toBe(0);
    });

    it('releases every waiting get() with the shutdown signal', async () => {
      const { queue } = buildQueue();
      const waiters = [queue.get(), queue.get()];
      queue.shutDown();
      await expect(Promise.all(waiters)).resolves.toEqual([{ shutdown: true }, { shutdown: true }]);
      await expect(queue.get()).resolves.toEqual({ shutdown: true });
      expect(queue.isShuttingDown()).toBe(true);
    });

    it('still hands out keys queued before the shutdown, then signals shutdown', async () => {
      const { queue } = buildQueue();
      queue.add('ns/a');
      queue.shutDown();
      expect(await take(queue)).toBe('ns/a');
      await expect(queue.get()).resolves.toEqual({ shutdown: true });
    });
  });

  describe('shutDownWithDrain', () => {
    it('resolves at once when nothing is being processed', async () => {
      const { queue } = buildQueue();
      await expect(queue.shutDownWithDrain(1_000)).resolves.toBe(true);
    });

    it('waits until every key handed out is done', async () => {
      const { queue } = buildQueue();
      queue.add('ns/a');
      queue.add('ns/b');
      await take(queue);
      await take(queue);
      let drained: boolean | undefined;
      void queue.shutDownWithDrain(1_000).then((result) => (drained = result));
      queue.done('ns/a');
      await flush();
      expect(drained).toBeUndefined();
      queue.done('ns/b');
      await flush();
      expect(drained).toBe(true);
    });

    it('gives up with false when the timeout passes first', async () => {
      const { queue, clock } = buildQueue();
      queue.add('ns/a');
      await take(queue);
      const drain = queue.shutDownWithDrain(1_000);
      clock.advance(1_000);
      await expect(drain).resolves.toBe(false);
    });

    it('releases waiting get() calls while it waits', async () => {
      const { queue } = buildQueue();
      queue.add('ns/a');
      await take(queue);
      const waiter = queue.get();
      void queue.shutDownWithDrain(1_000);
      await expect(waiter).resolves.toEqual({ shutdown: true });
    });
  });

  describe('metrics', () => {
    it('reports depth, adds, queue and work durations under the queue name', async () => {
      const metrics = recordingMetrics();
      const { queue, clock } = buildQueue({ metrics, unfinishedWorkUpdatePeriodMs: 0 });
      queue.add('ns/a');
      queue.add('ns/a');
      clock.advance(2_000);
      await take(queue);
      clock.advance(500);
      queue.done('ns/a');
      expect(metrics.calls).toEqual([
        ['add', 'pipelines', undefined],
        ['depth', 'pipelines', 1],
        ['depth', 'pipelines', 0],
        ['queueDuration', 'pipelines', 2],
        ['workDuration', 'pipelines', 0.5],
      ]);
    });

    it('counts every addAfter and addRateLimited as a retry', () => {
      const metrics = recordingMetrics();
      const { queue } = buildQueue({ metrics, unfinishedWorkUpdatePeriodMs: 0 });
      queue.addAfter('ns/a', 10);
      queue.addRateLimited('ns/b');
      expect(metrics.calls.filter(([method]) => method === 'retry')).toHaveLength(2);
    });

    it('refreshes unfinished work and the longest running processor every 500 ms', async () => {
      const metrics = recordingMetrics();
      const { queue, clock } = buildQueue({ metrics });
      queue.add('ns/a');
      await take(queue);
      clock.advance(250);
      queue.add('ns/b');
      await take(queue);
      clock.advance(250);
      const gauges = metrics.calls.filter(([method]) => ['unfinishedWork', 'longestRunningProcessor'].includes(method));
      expect(gauges).toEqual([
        ['unfinishedWork', 'pipelines', 0.75],
        ['longestRunningProcessor', 'pipelines', 0.5],
      ]);
    });

    it('runs no metrics timer when no metrics are bound, and stops it on shutdown', () => {
      expect(buildQueue().clock.pendingTimers()).toBe(0);
      const { queue, clock } = buildQueue({ metrics: recordingMetrics() });
      expect(clock.pendingTimers()).toBe(1);
      queue.shutDown();
      expect(clock.pendingTimers()).toBe(0);
    });
  });
});
