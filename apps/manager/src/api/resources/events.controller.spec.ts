import type { Request, Response } from 'express';
import { ApiAuthError, type ApiAuthService } from '../auth';
import { ApiProblem } from '../problem/api-problem';
import type { LogSink } from '../logs/log-follower';
import type { FollowableStep, StepLogFollows } from '../logs/step-log-follows';
import { EventsController } from './events.controller';
import type { SseStream } from './sse-stream';
import type { WatchRequest, WatchService } from './watch.service';

/** The controller with its collaborators played: RBAC that refuses what `refuse` names, a follow that records. */
function setup(o: { refuse?: (target: Record<string, unknown>) => boolean; missing?: boolean } = {}) {
  const asked: Array<Record<string, unknown>> = [];
  const auth = {
    authorize: async (_authorization: string | undefined, target: Record<string, unknown>) => {
      asked.push(target);
      if (o.refuse?.(target)) throw new ApiAuthError('Forbidden', 'no', { details: { user: 'alice' } });
      return { username: 'alice', groups: [] };
    },
  } as unknown as ApiAuthService;
  const started: WatchRequest[] = [];
  const watches = { start: (_req: Request, _res: Response, w: WatchRequest) => void started.push(w) } as unknown as WatchService;
  const followed: Array<{ target: FollowableStep; sink: LogSink; start: number }> = [];
  const target = { exe: { metadata: { name: 'web-3' } }, step: { ref: { namespace: 'demo', pipeline: 'web', run: 3, stage: 1, step: 0 } }, store: {} } as unknown as FollowableStep;
  const follows = {
    find: async (ns: string, name: string, selector: { stage: number; step: number }) => {
      if (o.missing) throw new ApiProblem('not-found', 404, 'Not Found', `pipelineexecution ${ns}/${name} has no stage ${selector.stage} step ${selector.step}`);
      return target;
    },
    follow: async (t: FollowableStep, sink: LogSink, start: number) => void followed.push({ target: t, sink, start }),
  } as unknown as StepLogFollows;
  const controller = new EventsController(watches, auth, follows);
  const req = { headers: { authorization: 'Bearer t' } } as unknown as Request;
  const call = (query: Record<string, unknown>) => controller.stream(query, req, {} as Response);
  return { asked, started, followed, call };
}

const isLogAccess = (t: Record<string, unknown>) => t.subresource === 'logs';

describe('GET /api/v1/events with log=', () => {
  it('authorises get pipelineexecutions/logs on the execution, keeps the stream\'s scope, and follows from logFrom', async () => {
    const { asked, started, followed, call } = setup();
    await call({ log: 'demo/web-3/1/0', logFrom: '120' });
    expect(asked).toContainEqual({ verb: 'get', group: 'devops.keelson.dev', resource: 'pipelineexecutions', subresource: 'logs', namespace: 'demo', name: 'web-3' });
    expect(started).toHaveLength(1);
    expect(started[0].namespace).toBeUndefined(); // the resources still come from every namespace
    const companion = started[0].companion!;
    await companion.run({ closed: false, onClose: () => undefined } as unknown as SseStream);
    expect(followed.map((f) => f.start)).toEqual([120]);
    asked.length = 0;
    await companion.recheck(); // every heartbeat asks again
    expect(asked.filter(isLogAccess)).toHaveLength(1);
  });

  it('answers 403 naming log when the caller may watch but not read the step\'s log, before any stream opens', async () => {
    const { started, call } = setup({ refuse: isLogAccess });
    const err = await call({ namespace: 'demo', log: 'demo/web-3/1/0' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiAuthError);
    expect(err).toMatchObject({ code: 'Forbidden', details: { errors: [{ pointer: '/query/log', detail: expect.any(String) }] } });
    expect(started).toHaveLength(0);
  });

  it('answers 404 naming log for a step the execution does not have', async () => {
    const { started, call } = setup({ missing: true });
    const err = await call({ log: 'demo/web-3/9/0' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 404, extensions: { errors: [{ pointer: '/query/log' }] } });
    expect(started).toHaveLength(0);
  });

  it('a recheck that finds the log access gone throws, so the watch ends the stream', async () => {
    let revoked = false;
    const { started, call } = setup({ refuse: (t) => revoked && isLogAccess(t) });
    await call({ log: 'demo/web-3/1/0' });
    revoked = true;
    await expect(started[0].companion!.recheck()).rejects.toMatchObject({ code: 'Forbidden' });
  });

  it('without log the stream carries nothing else', async () => {
    const { started, asked, call } = setup();
    await call({ namespace: 'demo' });
    expect(started[0].companion).toBeUndefined();
    expect(asked.filter(isLogAccess)).toEqual([]);
  });
});
