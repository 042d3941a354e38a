import type { ConcurrencyCandidate } from './pipeline-concurrency';
import { heldByPipelineLimit, supersededBy, supersededRuns, supersessionLine } from './pipeline-concurrency';

/** A run of pipeline `x` on branch main, numbered `run`, named `x-<run>`. */
function aRun(run: number, phase: ConcurrencyCandidate['phase'], more: Partial<ConcurrencyCandidate> = {}): ConcurrencyCandidate {
  return { name: `x-${run}`, pipeline: 'x', run, phase, line: 'branch:main', ...more };
}

describe('heldByPipelineLimit', () => {
  it('holds a run back while its pipeline has limit runs going, naming them', () => {
    const held = heldByPipelineLimit([aRun(12, 'Running', { limit: 2 }), aRun(13, 'Provisioning', { limit: 2 }), aRun(14, 'Queued', { limit: 2 })]);
    expect(held).toEqual(new Map([['x-14', 'waiting: 2 of 2 runs of pipeline x are running: x-12, x-13']]));
  });

  it('lets the lowest run numbers start first when slots free, whatever their creation order', () => {
    const held = heldByPipelineLimit([aRun(1, 'Succeeded', { limit: 1 }), aRun(3, undefined, { limit: 1 }), aRun(2, 'Queued', { limit: 1 })]);
    expect(held.has('x-2')).toBe(false);
    expect(held.get('x-3')).toBe('waiting: older runs go first: x-2 (limit 1 of pipeline x)');
  });

  it('counts a run waiting for an approval, and a stopped run whose build has not ended, as running', () => {
    const held = heldByPipelineLimit([aRun(1, 'Running', { limit: 2, stop: true }), aRun(2, 'Running', { limit: 2 }), aRun(3, 'Pending', { limit: 2 })]);
    expect(held.get('x-3')).toBe('waiting: 2 of 2 runs of pipeline x are running: x-1, x-2');
  });

  it('says which older runs wait ahead when the running ones leave no room for this one', () => {
    const held = heldByPipelineLimit([aRun(1, 'Running', { limit: 2 }), aRun(2, 'Queued', { limit: 2 }), aRun(3, 'Queued', { limit: 2 })]);
    expect(held.has('x-2')).toBe(false);
    expect(held.get('x-3')).toBe('waiting: 1 of 2 runs of pipeline x is running: x-1; older runs go first: x-2');
  });

  it('judges each run by the limit of its own config, and holds nothing back without one', () => {
    const held = heldByPipelineLimit([aRun(1, 'Running'), aRun(2, 'Running'), aRun(3, 'Queued'), aRun(4, 'Queued', { limit: 3 }), aRun(5, 'Queued', { limit: 1 })]);
    expect(held.has('x-3')).toBe(false);
    expect(held.get('x-4')).toMatch(/^waiting: 2 of 3 runs of pipeline x are running: x-1, x-2; older runs go first: x-3$/);
    expect(held.get('x-5')).toMatch(/^waiting: 2 of 1 run of pipeline x are running/);
  });

  it('keeps pipelines apart, and ignores stopped runs and runs without a number in the queue', () => {
    const other = (run: number, phase: ConcurrencyCandidate['phase']) => ({ ...aRun(run, phase, { limit: 1 }), name: `y-${run}`, pipeline: 'y' });
    const held = heldByPipelineLimit([
      aRun(1, 'Running', { limit: 1 }), other(1, 'Queued'), aRun(2, 'Queued', { limit: 1, stop: true }), aRun(3, 'Queued', { limit: 1, run: undefined, name: 'x-hand' }),
    ]);
    expect([...held.keys()]).toEqual([]);
  });

  it('lists at most five names and counts the rest', () => {
    const runs = Array.from({ length: 8 }, (_, i) => aRun(i + 1, 'Running', { limit: 8 }));
    const held = heldByPipelineLimit([...runs, aRun(9, 'Queued', { limit: 8 })]);
    expect(held.get('x-9')).toBe('waiting: 8 of 8 runs of pipeline x are running: x-1, x-2, x-3, x-4, x-5 and 3 more');
  });
});

describe('supersessionLine', () => {
  it.each([
    ['a push to a branch', { event: 'push', branch: 'main', ref: 'refs/heads/main' }, 'branch:main'],
    ['a manual run of a branch', { event: 'manual', branch: 'main' }, 'branch:main'],
    ['a pull request, by its ref (its branch is the target branch)', { event: 'pull_request', branch: 'main', ref: 'refs/pull/7/head' }, 'pull:refs/pull/7/head'],
    ['a tag', { event: 'tag', branch: 'v1.0', tag: 'v1.0', ref: 'refs/tags/v1.0' }, undefined],
    ['a run of a commit without a branch', { event: 'manual' }, undefined],
  ])('puts %s in its line', (_what, facts, line) => {
    expect(supersessionLine(facts)).toBe(line);
  });
});

describe('supersededBy', () => {
  it('names the newest later run of the same branch whose config cancels superseded runs', () => {
    const runs = [aRun(12, 'Running'), aRun(13, 'Queued', { cancelSuperseded: true }), aRun(14, undefined, { cancelSuperseded: true })];
    expect(supersededBy(runs[0], runs)).toBe('x-14');
    expect(supersededBy(runs[1], runs)).toBe('x-14');
    expect(supersededBy(runs[2], runs)).toBeUndefined();
  });

  it('leaves alone runs of other branches, tags, other pipelines, finished runs, and newer runs without cancelSuperseded', () => {
    const newer = aRun(20, 'Running', { cancelSuperseded: true });
    expect(supersededBy(aRun(10, 'Running', { line: 'branch:dev' }), [newer])).toBeUndefined();
    expect(supersededBy(aRun(10, 'Running', { line: undefined }), [newer])).toBeUndefined();
    expect(supersededBy({ ...aRun(10, 'Running'), pipeline: 'y' }, [newer])).toBeUndefined();
    expect(supersededBy(aRun(10, 'Succeeded'), [newer])).toBeUndefined();
    expect(supersededBy(aRun(10, 'Running'), [aRun(20, 'Running')])).toBeUndefined();
  });

  it('never lets an older run supersede a newer one', () => {
    expect(supersededBy(aRun(5, 'Queued'), [aRun(4, 'Running', { cancelSuperseded: true })])).toBeUndefined();
  });
});

describe('supersededRuns', () => {
  it('lists the older runs of its branch that have not ended', () => {
    const newer = aRun(14, undefined, { cancelSuperseded: true });
    const runs = [aRun(11, 'Succeeded'), aRun(12, 'Running'), aRun(13, 'Queued'), aRun(9, 'Running', { line: 'branch:dev' }), newer, aRun(15, 'Queued')];
    expect(supersededRuns(newer, runs)).toEqual(['x-12', 'x-13']);
  });

  it('lists nothing for a run whose config does not cancel superseded runs', () => {
    expect(supersededRuns(aRun(14, undefined), [aRun(12, 'Running')])).toEqual([]);
  });
});
