import { JobOutcome } from './delayed-job-queue.port';
import { InMemoryJobQueue } from './in-memory-job-queue';

describe('InMemoryJobQueue', () => {
  it('keeps one job per id and runs it again until it is done', async () => {
    const q = new InMemoryJobQueue<{ n: number }>();
    const seen: number[] = [];
    expect(await q.ensure('a', { n: 1 })).toBe(true);
    expect(await q.ensure('a', { n: 5 })).toBe(false);
    q.startWorker(async (job) => {
      seen.push(job.data.n);
      await job.updateData({ n: job.data.n + 1 });
      return job.data.n >= 3 ? JobOutcome.done() : JobOutcome.again(1);
    });
    while ((await q.ids()).length) await new Promise((r) => setTimeout(r, 5));
    expect(seen).toEqual([1, 2]);
    await q.close();
  });

  it('drops a job whose processor threw, so a resync can add it again', async () => {
    const q = new InMemoryJobQueue<number>();
    q.startWorker(async () => {
      throw new Error('boom');
    });
    await q.ensure('a', 1);
    while ((await q.ids()).length) await new Promise((r) => setTimeout(r, 5));
    expect(await q.ensure('a', 1)).toBe(true);
    await q.close();
  });
});
