// Worker concurrency changed while the worker runs (config reload of SYNC_WORKERS / REPORT_WORKERS), on the BullMQ
// drivers against a private redis-server: after the change, no more and no fewer jobs run at once than asked.
import { BullmqJobQueue, BullmqRetryingJobQueue, JobOutcome } from '@keelson/queue';
import { RedisServer, waitFor } from '@keelson/servers';

/** Jobs that hold until released, counting how many run at once. */
const gates: Gate[] = [];
class Gate {
  running = 0;
  started = 0;
  private waiters: Array<() => void> = [];

  constructor() {
    gates.push(this);
  }

  private opened = false;

  async hold(): Promise<void> {
    this.running++;
    this.started++;
    if (!this.opened) await new Promise<void>((resolve) => this.waiters.push(resolve));
    this.running--;
  }

  /** Releases every job, those still to come too. */
  open(): void {
    this.opened = true;
    this.release(Infinity);
  }

  release(n: number): void {
    for (const w of this.waiters.splice(0, Math.min(n, this.waiters.length))) w();
  }
}

const settle = () => new Promise((r) => setTimeout(r, 700));

describe('BullMQ worker concurrency changed at runtime', () => {
  let redis: RedisServer;
  const closing: Array<{ close(): Promise<void> }> = [];

  beforeAll(async () => {
    redis = await RedisServer.start();
  });
  afterEach(async () => {
    // A failed assertion leaves jobs held, and a worker's close waits for its running jobs.
    for (const g of gates.splice(0)) g.open();
    await Promise.all(closing.splice(0).map((q) => q.close()));
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('raises and lowers how many sync jobs run at once', async () => {
    const q = new BullmqJobQueue<{ n: number }>({ name: 'concurrency', redisUrl: redis.url, prefix: 'keelson-concurrency' });
    closing.push(q);
    const gate = new Gate();
    q.startWorker(async () => {
      await gate.hold();
      return JobOutcome.done();
    }, { concurrency: 1 });
    for (let i = 0; i < 12; i++) await q.ensure(`job-${i}`, { n: i });
    await waitFor('the first job', () => gate.running === 1, { timeoutMs: 10_000 });
    await settle();
    expect(gate.running).toBe(1);

    q.setConcurrency(4);
    // BullMQ looks at the limit when it fetches: the next finish lets it fill up to the new one.
    gate.release(1);
    await waitFor('four at once', () => gate.running === 4, { timeoutMs: 10_000 });
    await settle();
    expect(gate.running).toBe(4);

    q.setConcurrency(2);
    gate.release(4);
    await waitFor('two at once', () => gate.running === 2, { timeoutMs: 10_000 });
    await settle();
    expect(gate.running).toBe(2);
    gate.open();
    expect(() => q.setConcurrency(0)).toThrow(/whole number from 1/);
  });

  it('raises how many deliveries run at once, and keeps a value set before the worker started', async () => {
    const q = new BullmqRetryingJobQueue<{ n: number }>({ name: 'concurrency-reports', redisUrl: redis.url, prefix: 'keelson-concurrency' });
    closing.push(q);
    const gate = new Gate();
    q.setConcurrency(3);
    q.startWorker(() => gate.hold(), { concurrency: 1 });
    for (let i = 0; i < 8; i++) await q.add(`delivery-${i}`, { n: i });
    await waitFor('three at once', () => gate.running === 3, { timeoutMs: 10_000 });
    await settle();
    expect(gate.running).toBe(3);
    q.setConcurrency(5);
    gate.release(1);
    await waitFor('five at once', () => gate.running === 5, { timeoutMs: 10_000 });
    gate.open();
    await waitFor('all delivered', () => gate.started === 8 && gate.running === 0, { timeoutMs: 10_000 });
  });
});
