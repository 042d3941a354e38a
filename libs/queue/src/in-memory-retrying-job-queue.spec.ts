import { InMemoryRetryingJobQueue } from './in-memory-retrying-job-queue';
import { retryDelayMs } from './retrying-job-queue.port';

describe('InMemoryRetryingJobQueue', () => {
  it('runs a job until it succeeds, within its attempts, and remembers its id afterwards', async () => {
    const q = new InMemoryRetryingJobQueue<string>({ attempts: 3, backoffMs: 5 });
    const runs: number[] = [];
    q.startWorker(async (job) => {
      runs.push(job.attempt);
      if (job.attempt < 2) throw new Error('receiver down');
    });
    expect(await q.add('a', 'x')).toBe(true);
    while (q.pending().length) await new Promise((r) => setTimeout(r, 5));
    expect(runs).toEqual([1, 2]);
    expect(await q.add('a', 'x')).toBe(false);
    await q.close();
  });

  it('stops after its last attempt, and forgets the id once keepFinishedMs has passed', async () => {
    let now = 0;
    const q = new InMemoryRetryingJobQueue<string>({ attempts: 2, backoffMs: 1, keepFinishedMs: 1000 }, () => now);
    let runs = 0;
    q.startWorker(async () => {
      runs++;
      throw new Error('always');
    });
    await q.add('b', 'x');
    while (q.pending().length) await new Promise((r) => setTimeout(r, 5));
    expect(runs).toBe(2);
    expect(await q.add('b', 'x')).toBe(false);
    now = 1000;
    expect(await q.add('b', 'x')).toBe(true);
    await q.close();
  });

  it('doubles the backoff before each further attempt, as BullMQ\'s exponential strategy does', () => {
    expect([1, 2, 3, 4].map((attempt) => retryDelayMs({ backoffMs: 2000 }, attempt))).toEqual([2000, 4000, 8000, 16000]);
  });
});
