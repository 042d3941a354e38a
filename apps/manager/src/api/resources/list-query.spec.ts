import { hasObjectFilters, matchesFilters } from './list-filters';
import { ApiProblem } from '../problem/api-problem';
import { parseListQuery } from './list-query';
import { EXECUTIONS, PIPELINES, REPOSITORIES } from './resource-kinds';

function problem(fn: () => unknown): ApiProblem {
  try {
    fn();
  } catch (err) {
    if (err instanceof ApiProblem) return err;
    throw err;
  }
  throw new Error('no problem');
}

describe('parseListQuery', () => {
  it('has a default page of 100 and no filters', () => {
    expect(parseListQuery(PIPELINES, {})).toEqual({ limit: 100, filters: {}, watch: false });
  });

  it('reads every execution filter', () => {
    const q = parseListQuery(EXECUTIONS, {
      limit: '50', continue: 'abc', labelSelector: 'a=b', pipeline: 'web', phase: 'Running,Queued', branch: 'feature/x', event: 'push', user: 'alice',
      since: '2030-01-01T00:00:00Z', until: '2030-01-02T00:00:00+02:00',
    });
    expect(q).toMatchObject({
      limit: 50, continue: 'abc', selector: { raw: 'a=b' }, watch: false,
      filters: { pipeline: 'web', phase: ['Running', 'Queued'], branch: 'feature/x', event: 'push', user: 'alice', since: Date.UTC(2030, 0, 1), until: Date.UTC(2030, 0, 1, 22) },
    });
  });

  it('keeps, with user, only the executions that user started', () => {
    const run = (user?: string) => ({ metadata: { name: 'x' }, spec: { trigger: { event: 'manual', ...(user && { user }) } } });
    const filters = parseListQuery(EXECUTIONS, { user: 'alice' }).filters;
    expect([run('alice'), run('bob'), run()].map((e) => matchesFilters(e as never, filters))).toEqual([true, false, false]);
    expect(hasObjectFilters(filters)).toBe(true);
    expect(problem(() => parseListQuery(EXECUTIONS, { user: 'u'.repeat(254) })).extensions.errors).toEqual([{ pointer: '/query/user', detail: 'expected a user name of 1 to 253 characters' }]);
    expect(problem(() => parseListQuery(PIPELINES, { user: 'alice' })).extensions.errors).toEqual([{ pointer: '/query/user', detail: 'pipelines cannot be filtered by user' }]);
  });

  it('names every bad parameter at once, as pointers into the query', () => {
    const p = problem(() => parseListQuery(EXECUTIONS, { limit: '501', phase: 'Sleeping', since: 'yesterday', labelSelector: 'a in (', shoe: 'size', branch: ['a', 'b'] }));
    expect(p.status).toBe(400);
    expect(p.extensions.errors!.map((e) => e.pointer).sort()).toEqual(['/query/branch', '/query/labelSelector', '/query/limit', '/query/phase', '/query/shoe', '/query/since']);
  });

  it('refuses a filter the kind does not have, saying so', () => {
    const p = problem(() => parseListQuery(PIPELINES, { phase: 'Running' }));
    expect(p.extensions.errors).toEqual([{ pointer: '/query/phase', detail: 'pipelines cannot be filtered by phase' }]);
  });

  it('turns credential into the label the credential controller sets', () => {
    expect(parseListQuery(REPOSITORIES, { credential: 'alice-github', labelSelector: 'x=y' }).selector?.raw).toBe('x=y,keelson.dev/credential=alice-github');
    expect(parseListQuery(REPOSITORIES, { credential: 'alice-github' }).selector?.raw).toBe('keelson.dev/credential=alice-github');
  });

  it('lets a watch follow only what never changes, and refuses paging', () => {
    expect(parseListQuery(EXECUTIONS, { watch: 'true', pipeline: 'web', branch: 'main', event: 'push', resourceVersion: '42' }))
      .toMatchObject({ watch: true, resourceVersion: '42', filters: { pipeline: 'web', branch: 'main', event: 'push' } });
    const p = problem(() => parseListQuery(EXECUTIONS, { watch: '1', phase: 'Running', since: '2030-01-01T00:00:00Z', limit: '5', continue: 'x' }));
    expect(p.extensions.errors!.map((e) => e.pointer).sort()).toEqual(['/query/continue', '/query/limit', '/query/phase', '/query/since']);
  });

  it('refuses a resourceVersion that is not one', () => {
    expect(problem(() => parseListQuery(PIPELINES, { watch: 'true', resourceVersion: '12a' })).extensions.errors).toEqual([
      { pointer: '/query/resourceVersion', detail: expect.any(String) },
    ]);
  });
});
