// The BullMQ driver against a real, private redis-server: one job per id, self-rescheduling, never run twice at
// once across workers, and rebuildable after Redis loses everything.
import { BullmqJobQueue, JobOutcome } from '@keelson/queue';
import { RedisServer, waitFor } from '@keelson/servers';
import IORedis from 'ioredis';

describe('BullMQ delayed job queue', () => {
  let redis: RedisServer;
  const queues: BullmqJobQueue<{ n: number }>[] = [];
  const open = (name: string) => {
    const q = new BullmqJobQueue<{ n: number }>({ name, redisUrl: redis.url, prefix: 'keelson-test' });
    queues.push(q);
    return q;
  };

  beforeAll(async () => {
    redis = await RedisServer.start();
  });
  afterEach(async () => {
    await Promise.all(queues.splice(0).map((q) => q.close()));
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('keeps one job per id however often it is ensured', async () => {
    const q = open('dedupe');
    const added = await Promise.all([q.ensure('a', { n: 1 }, 60_000), q.ensure('a', { n: 2 }, 60_000)]);
    await q.ensure('a', { n: 3 }, 60_000);
    expect(await q.ids()).toEqual(['a']);
    expect(added.filter(Boolean).length).toBeGreaterThanOrEqual(1);
  });

  it('runs a job again after the delay it asks for, with the data it saved, until it is done', async () => {
    const q = open('again');
    const seen: number[] = [];
    q.startWorker(async (job) => {
      seen.push(job.data.n);
      if (job.data.n >= 3) return JobOutcome.done();
      await job.updateData({ n: job.data.n + 1 });
      return JobOutcome.again(50);
    });
    await q.ensure('x', { n: 1 });
    await waitFor('three runs', async () => seen.length === 3 && (await q.ids()).length === 0, { timeoutMs: 20_000 });
    expect(seen).toEqual([1, 2, 3]);
    expect(await q.ensure('x', { n: 9 }, 60_000)).toBe(true);
  });

  it('shows data saved during a run to the rest of that run, and keeps what was saved last', async () => {
    const q = open('same-run');
    const within: number[] = [];
    const seen: number[] = [];
    q.startWorker(async (job) => {
      seen.push(job.data.n);
      if (job.data.n >= 20) return JobOutcome.done();
      // Two saves in one run, the second built on the first (as the sync loop does).
      await job.updateData({ n: job.data.n + 1 });
      within.push(job.data.n);
      await job.updateData({ ...job.data, n: job.data.n * 10 });
      return JobOutcome.again(20);
    });
    await q.ensure('y', { n: 1 });
    await waitFor('the job to end', async () => seen.length === 2 && (await q.ids()).length === 0, { timeoutMs: 20_000 });
    expect(within).toEqual([2]);
    expect(seen).toEqual([1, 20]);
  });

  it('never runs one id in two workers at once', async () => {
    const a = open('exclusive');
    const b = open('exclusive');
    let running = 0;
    let overlap = false;
    let runs = 0;
    const processor = async () => {
      running++;
      if (running > 1) overlap = true;
      await new Promise((r) => setTimeout(r, 30));
      running--;
      return ++runs >= 8 ? JobOutcome.done() : JobOutcome.again(0);
    };
    a.startWorker(processor);
    b.startWorker(processor);
    await a.ensure('only', { n: 0 });
    await waitFor('eight runs', async () => runs >= 8, { timeoutMs: 30_000 });
    expect(overlap).toBe(false);
  });

  it('forgets every job when Redis is wiped, and takes them back when ensured again', async () => {
    const q = open('wipe');
    await q.ensure('e1', { n: 1 }, 60_000);
    await q.ensure('e2', { n: 2 }, 60_000);
    const admin = new IORedis(redis.url);
    await admin.flushall();
    await admin.quit();
    expect(await q.ids()).toEqual([]);
    expect(await q.ensure('e1', { n: 1 }, 60_000)).toBe(true);
    expect(await q.ids()).toEqual(['e1']);
  });
});

describe('BullMQ delayed job queue nudges', () => {
  it('runs a delayed job at once when nudged', async () => {
    const redis = await RedisServer.start();
    const q = new BullmqJobQueue<{ n: number }>({ name: 'nudge', redisUrl: redis.url, prefix: 'keelson-test' });
    try {
      let runs = 0;
      q.startWorker(async () => {
        runs++;
        return JobOutcome.done();
      });
      await q.ensure('late', { n: 1 }, 600_000);
      await new Promise((r) => setTimeout(r, 300));
      expect(runs).toBe(0);
      await q.nudge('late');
      await waitFor('the nudged run', async () => runs === 1, { timeoutMs: 10_000 });
    } finally {
      await q.close();
      await redis.stop();
    }
  });
});
