import { executionsToPrune, pipelineHistoryLimit, type FinishedExecution } from './history-limits';

const finishedAt = (minute: number) => `2030-01-01T10:${String(minute).padStart(2, '0')}:00Z`;

/** Runs 1..n of a pipeline, run k finished at minute `start + k`. */
function runs(pipeline: string, n: number, start = 0): FinishedExecution[] {
  return Array.from({ length: n }, (_, i) => ({ name: `${pipeline}-${i + 1}`, uid: `uid-${pipeline}-${i + 1}`, pipeline, run: i + 1, finished: finishedAt(start + i + 1) }));
}

const limits = (pipeline: Record<string, number>, project = 1000, fallback = 100) => ({ pipeline: (name: string) => pipeline[name] ?? fallback, project });

describe('executionsToPrune', () => {
  it('prunes the oldest finished runs of a pipeline beyond its limit', () => {
    expect(executionsToPrune(runs('web', 5), limits({ web: 3 }))).toEqual([
      { name: 'web-2', uid: 'uid-web-2', limit: 'pipeline' }, { name: 'web-1', uid: 'uid-web-1', limit: 'pipeline' },
    ]);
  });

  it('goes by finish time, not run number: a long run 1 that finished last is kept', () => {
    const history = runs('web', 3);
    history[0] = { ...history[0], finished: finishedAt(30) };
    expect(executionsToPrune(history, limits({ web: 2 })).map((p) => p.name)).toEqual(['web-2']);
  });

  it('applies each pipeline\'s own limit', () => {
    const pruned = executionsToPrune([...runs('web', 4), ...runs('api', 4)], limits({ web: 1, api: 3 }));
    expect(pruned.map((p) => p.name).sort()).toEqual(['api-1', 'web-1', 'web-2', 'web-3']);
  });

  it('then keeps the project\'s newest across pipelines, oldest first out', () => {
    // web finished at minutes 1-4, api at 11-14: the project keeps 5, so the 3 oldest web runs go.
    const pruned = executionsToPrune([...runs('web', 4), ...runs('api', 4, 10)], limits({}, 5));
    expect(pruned).toEqual([
      { name: 'web-3', uid: 'uid-web-3', limit: 'project' }, { name: 'web-2', uid: 'uid-web-2', limit: 'project' }, { name: 'web-1', uid: 'uid-web-1', limit: 'project' },
    ]);
  });

  it('counts only what the pipeline limits kept against the project limit', () => {
    const pruned = executionsToPrune([...runs('web', 6), ...runs('api', 2, 10)], limits({ web: 2 }, 3));
    expect(pruned.filter((p) => p.limit === 'pipeline').map((p) => p.name)).toEqual(['web-4', 'web-3', 'web-2', 'web-1']);
    expect(pruned.filter((p) => p.limit === 'project').map((p) => p.name)).toEqual(['web-5']);
  });

  it('prunes nothing within the limits', () => {
    expect(executionsToPrune(runs('web', 3), limits({ web: 3 }, 3))).toEqual([]);
  });
});

describe('pipelineHistoryLimit', () => {
  it('takes the Pipeline\'s own limit, else the setting\'s, else 100', () => {
    expect(pipelineHistoryLimit(5, 50)).toBe(5);
    expect(pipelineHistoryLimit(undefined, 50)).toBe(50);
    expect(pipelineHistoryLimit(undefined, undefined)).toBe(100);
  });
});
