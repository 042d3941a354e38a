import { ApiProblem } from '../problem/api-problem';
import { parseEventsQuery } from './events-query';

function refusal(query: Record<string, unknown>): ApiProblem {
  try {
    parseEventsQuery(query);
  } catch (err) {
    return err as ApiProblem;
  }
  throw new Error(`accepted ${JSON.stringify(query)}`);
}

describe('GET /api/v1/events query', () => {
  it('reads a followed log with the namespace in it, from byte 0 unless logFrom says', () => {
    expect(parseEventsQuery({ log: 'demo/web-3/1/0' }).log).toEqual({ namespace: 'demo', execution: 'web-3', stage: 1, step: 0, from: 0 });
    expect(parseEventsQuery({ log: 'demo/web-3/255/2', logFrom: '1048576', namespace: 'other' })).toMatchObject({
      namespace: 'other', log: { namespace: 'demo', execution: 'web-3', stage: 255, step: 2, from: 1_048_576 },
    });
    expect(parseEventsQuery({}).log).toBeUndefined();
  });

  it.each([
    ['web-3/1/0', '/query/log'],
    ['demo/web-3/1', '/query/log'],
    ['demo/web-3/1/0/9', '/query/log'],
    ['demo/Web_3/1/0', '/query/log'],
    ['demo/web-3/256/0', '/query/log'],
    ['demo/web-3/01/0', '/query/log'],
    ['demo/web-3/x/0', '/query/log'],
    ['demo/../1/0', '/query/log'],
  ])('refuses log=%s with a 400 naming %s', (log, pointer) => {
    const problem = refusal({ log });
    expect(problem.status).toBe(400);
    expect(problem.extensions.errors).toEqual([{ pointer, detail: expect.stringContaining('<namespace>/<execution>/<stage>/<step>') }]);
  });

  it('refuses logFrom that is not a byte offset, or without log', () => {
    expect(refusal({ log: 'demo/web-3/0/0', logFrom: '-1' }).extensions.errors).toEqual([{ pointer: '/query/logFrom', detail: 'expected a byte offset (digits)' }]);
    expect(refusal({ logFrom: '5' }).extensions.errors).toEqual([{ pointer: '/query/logFrom', detail: 'only with log' }]);
    expect(refusal({ log: ['demo/a/0/0', 'demo/b/0/0'] }).extensions.errors).toEqual([{ pointer: '/query/log', detail: 'given more than once' }]);
  });

  it('still checks the other fields as before', () => {
    expect(refusal({ resources: 'widgets', colour: 'red' }).extensions.errors!.map((e) => e.pointer)).toEqual(['/query/colour', '/query/resources']);
    expect(parseEventsQuery({ resources: 'pipelines, pipelineexecutions' }).resources.map((r) => r.plural)).toEqual(['pipelines', 'pipelineexecutions']);
  });
});
