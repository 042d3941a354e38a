import { FakeClock } from './fake-clock';
import { ExponentialFailureRateLimiter } from './rate-limiter';
import { Workqueue } from './workqueue';

/** mulberry32: a seeded generator, so a failing interleaving can be replayed from its seed. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Yields to the event loop a random number of times, mixing microtask and macrotask turns. */
async function jitter(random: () => number): Promise<void> {
  const turns = Math.floor(random() * 4);
  for (let i = 0; i < turns; i++) {
    if (random() < 0.5) await Promise.resolve();
    else await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/**
 * Records adds and processing per key. It sees a run start when the worker resumes, a little after the queue
 * handed the key out; that only makes "added after the run started" stricter, so the checks stay sound.
 */
class KeyTracker {
  private readonly inFlight = new Map<string, number>();
  private readonly addedSinceStart = new Set<string>();
  readonly violations: string[] = [];
  readonly runs = new Map<string, number>();
  readonly adds = new Map<string, number>();
  maxParallel = 0;

  added(key: string): void {
    this.addedSinceStart.add(key);
    this.adds.set(key, (this.adds.get(key) ?? 0) + 1);
  }

  started(key: string, worker: number): void {
    const holder = this.inFlight.get(key);
    if (holder !== undefined) this.violations.push(`${key} taken by worker ${worker} while worker ${holder} had it`);
    this.addedSinceStart.delete(key);
    this.inFlight.set(key, worker);
    this.runs.set(key, (this.runs.get(key) ?? 0) + 1);
    this.maxParallel = Math.max(this.maxParallel, this.inFlight.size);
  }

  finished(key: string): void {
    this.inFlight.delete(key);
  }

  /** Keys run more often than they were added: a run the queue invented. */
  overRun(): string[] {
    return [...this.runs].filter(([key, runs]) => runs > (this.adds.get(key) ?? 0)).map(([key]) => key);
  }

  /** Keys added after their last processing started and never processed since. */
  unprocessed(): string[] {
    return [...this.addedSinceStart];
  }
}

async function runScenario(seed: number): Promise<KeyTracker> {
  const random = seededRandom(seed);
  const queue = new Workqueue({
    name: 'concurrency',
    clock: new FakeClock(0),
    rateLimiter: new ExponentialFailureRateLimiter(),
  });
  const tracker = new KeyTracker();
  const keys = Array.from({ length: 12 }, (_, i) => `ns/key-${i}`);
  const workerCount = 6;
  let idleWorkers = 0;

  const worker = async (id: number): Promise<void> => {
    for (;;) {
      idleWorkers++;
      const item = await queue.get();
      idleWorkers--;
      if (item.shutdown) return;
      tracker.started(item.key, id);
      await jitter(random);
      tracker.finished(item.key);
      queue.done(item.key);
    }
  };

  const producer = async (): Promise<void> => {
    for (let i = 0; i < 150; i++) {
      const key = keys[Math.floor(random() * keys.length)];
      // Recorded before add(): a worker may take the key synchronously inside add().
      tracker.added(key);
      queue.add(key);
      await jitter(random);
    }
  };

  const workers = Array.from({ length: workerCount }, (_, id) => worker(id));
  await Promise.all(Array.from({ length: 5 }, producer));
  // Quiescent: every worker is parked in get() and nothing is queued, so no re-add is still pending.
  while (!(idleWorkers === workerCount && queue.len() === 0)) {
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  queue.shutDown();
  await Promise.all(workers);
  return tracker;
}

describe('Workqueue under concurrent adds and workers', () => {
  const seeds = [1, 7, 42, 1234, 99_991, 31_337, 2_026, 65_535];

  it.each(seeds)(
    'never gives one key to two workers, and processes again every key added after its last run started (seed %i)',
    async (seed) => {
      const tracker = await runScenario(seed);
      expect(tracker.violations).toEqual([]);
      expect(tracker.unprocessed()).toEqual([]);
      expect(tracker.overRun()).toEqual([]);
      // The scenario must actually overlap work, or it proves nothing.
      expect(tracker.maxParallel).toBeGreaterThan(1);
      expect([...tracker.runs.values()].reduce((sum, n) => sum + n, 0)).toBeGreaterThan(12);
    },
  );
});
