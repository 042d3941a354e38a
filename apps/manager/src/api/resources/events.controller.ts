// GET /api/v1/events?namespace=: one Server-Sent Events stream with the changes of every kind a console page shows,
// so a browser tab needs one connection (console.md §6.5). Each kind is authorised on its own; the kinds the caller
// may not watch are left out and named in the SUBSCRIBED event. With `log=` the same stream also carries one step's
// log as it is stored (LOG frames), so a page following a live step still holds one connection.
import { Controller, Get, Inject, Query, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ApiHeader, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiProblems } from '../openapi/api-problems';
import { ApiAuthError, ApiAuthGuard, ApiAuthService, RequiresAccess } from '../auth';
import { ApiProblem } from '../problem/api-problem';
import { logEventSink } from '../logs/log-event-sink';
import { StepLogFollows, type FollowableStep } from '../logs/step-log-follows';
import { CallerAccess } from './caller-access';
import { parseEventsQuery, type FollowedLogRequest } from './events-query';
import { RESOURCES } from './resource-kinds';
import { WatchService, type WatchCompanion } from './watch.service';

const LOG_ACCESS = { verb: 'get', resource: 'pipelineexecutions', subresource: 'logs' } as const;

@ApiTags('Events')
@Controller('api/v1/events')
@UseGuards(ApiAuthGuard)
export class EventsController {
  constructor(
    private readonly watches: WatchService, private readonly auth: ApiAuthService,
    @Inject(StepLogFollows) private readonly follows: StepLogFollows,
  ) {}

  /** `namespace` (every namespace when absent), `resources` (plurals, comma-separated; all six by default), `resourceVersion`, `log` and `logFrom`. */
  @Get()
  @ApiOperation({
    summary: 'Watch every kind a console page shows',
    description: 'One Server-Sent Events stream of the changes of the resource kinds you may watch; those you may not are named in the SUBSCRIBED event. '
      + 'With `log`, the same stream also follows that step\'s log: `LOG` frames `{namespace, execution, stage, step, offset, text}` (whole lines; `offset` is the byte after them), '
      + '`LOG_UNAVAILABLE` while the log store does not answer, `LOG_END` `{offset, size, complete}` once nothing more will come. Log frames carry no id: '
      + 'Last-Event-ID stays the resources\' position, and a reconnect asks for the log again with `logFrom` = the bytes received. docs/logs.md.',
  })
  @ApiQuery({ name: 'namespace', required: false, description: 'One namespace; every namespace when absent.', schema: { type: 'string', maxLength: 63 } })
  @ApiQuery({ name: 'resources', required: false, description: `Plurals, separated by commas; default all: ${RESOURCES.map((r) => r.plural).join(', ')}.`, schema: { type: 'string' } })
  @ApiQuery({ name: 'resourceVersion', required: false, description: 'Start after this version when no Last-Event-ID says where.', schema: { type: 'string', pattern: '^\\d{1,20}$' } })
  @ApiQuery({ name: 'log', required: false, description: 'Also follow this step\'s log: `<namespace>/<execution>/<stage>/<step>` (indexes from 0). Needs `get pipelineexecutions/logs` on the execution.', schema: { type: 'string', pattern: '^[^/]+/[^/]+/\\d{1,3}/\\d{1,3}$' } })
  @ApiQuery({ name: 'logFrom', required: false, description: 'With log: the byte to start the log at (default 0), the offset of the last LOG frame received.', schema: { type: 'integer', minimum: 0 } })
  @ApiHeader({ name: 'Last-Event-ID', required: false, description: 'Resume after this event id.' })
  @ApiResponse({ status: 200, description: 'The event stream: SUBSCRIBED, then ADDED / MODIFIED / DELETED of each kind (and LOG, LOG_UNAVAILABLE, LOG_END with `log`); ERROR before the server ends it.', content: { 'text/event-stream': { schema: { type: 'string' } } } })
  @ApiProblems(400, 404)
  @RequiresAccess({ verb: 'watch', resource: '*', authenticateOnly: true })
  async stream(@Query() query: Record<string, unknown>, @Req() req: Request, @Res() res: Response): Promise<void> {
    const { namespace, resources, resourceVersion, log } = parseEventsQuery(query);
    const access = new CallerAccess(this.auth, req.headers.authorization);
    const companion = log && await this.followedLog(log, access);
    const decisions = await Promise.all(resources.map((r) => access.may('watch', r.plural, namespace)));
    const granted = resources.filter((_, i) => decisions[i]);
    const refused = resources.filter((_, i) => !decisions[i]).map((r) => r.plural);
    if (namespace !== undefined) {
      if (granted.length === 0) {
        throw new ApiAuthError('Forbidden', `you may not watch any of ${refused.join(', ')} in namespace "${namespace}"`, { details: { namespace, resources: refused } });
      }
      this.watches.start(req, res, { resources: granted, namespace, filters: {}, resourceVersion, clusterWide: new Set(), omitted: refused, companion }, access);
      return;
    }
    // Across namespaces a kind refused at cluster scope stays in: each of its changes is authorised in its namespace.
    this.watches.start(req, res, { resources, filters: {}, resourceVersion, clusterWide: new Set(granted.map((r) => r.plural)), companion }, access);
  }

  /** The followed step, checked before the stream opens: 403 naming `log` without access, 404 for no such step. */
  private async followedLog(log: FollowedLogRequest, access: CallerAccess): Promise<WatchCompanion> {
    const mayRead = () => access.require(LOG_ACCESS.verb, LOG_ACCESS.resource, log.namespace, { name: log.execution, subresource: LOG_ACCESS.subresource });
    try {
      await mayRead();
    } catch (err) {
      if (err instanceof ApiAuthError && err.code === 'Forbidden') {
        throw new ApiAuthError('Forbidden', `log: you may not read the logs of pipelineexecution ${log.namespace}/${log.execution}`, {
          details: { ...err.details, errors: [{ pointer: '/query/log', detail: 'get pipelineexecutions/logs is not granted' }] },
        });
      }
      throw err;
    }
    let target: FollowableStep;
    try {
      target = await this.follows.find(log.namespace, log.execution, log);
    } catch (err) {
      if (err instanceof ApiProblem && err.status === 404) {
        throw new ApiProblem('not-found', 404, 'Not Found', `log: ${err.detail}`, { errors: [{ pointer: '/query/log', detail: err.detail }] });
      }
      throw err;
    }
    return {
      recheck: mayRead,
      run: (stream) => this.follows.follow(target, logEventSink(stream, log.execution, target.step.ref), log.from),
    };
  }
}
