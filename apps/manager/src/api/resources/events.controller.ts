// GET /api/v1/events?namespace=: one Server-Sent Events stream with the changes of every kind a console page shows,
// so a browser tab needs one connection (console.md §6.5). Each kind is authorised on its own; the kinds the caller
// may not watch are left out and named in the SUBSCRIBED event.
import { Controller, Get, Query, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ApiHeader, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiProblems } from '../openapi/api-problems';
import { ApiAuthError, ApiAuthGuard, ApiAuthService, RequiresAccess } from '../auth';
import type { FieldError } from '../problem/api-problem';
import { problemOf } from '../problem/problem-mapping';
import { CallerAccess } from './caller-access';
import { RESOURCES, resourceByPlural, type ResourceDef } from './resource-kinds';
import { checkPath } from './resources.controller';
import { WatchService } from './watch.service';

@ApiTags('Events')
@Controller('api/v1/events')
@UseGuards(ApiAuthGuard)
export class EventsController {
  constructor(private readonly watches: WatchService, private readonly auth: ApiAuthService) {}

  /** `namespace` (every namespace when absent), `resources` (plurals, comma-separated; all six by default), `resourceVersion`. */
  @Get()
  @ApiOperation({ summary: 'Watch every kind a console page shows', description: 'One Server-Sent Events stream of the changes of the resource kinds you may watch; those you may not are named in the SUBSCRIBED event.' })
  @ApiQuery({ name: 'namespace', required: false, description: 'One namespace; every namespace when absent.', schema: { type: 'string', maxLength: 63 } })
  @ApiQuery({ name: 'resources', required: false, description: `Plurals, separated by commas; default all: ${RESOURCES.map((r) => r.plural).join(', ')}.`, schema: { type: 'string' } })
  @ApiQuery({ name: 'resourceVersion', required: false, description: 'Start after this version when no Last-Event-ID says where.', schema: { type: 'string', pattern: '^\\d{1,20}$' } })
  @ApiHeader({ name: 'Last-Event-ID', required: false, description: 'Resume after this event id.' })
  @ApiResponse({ status: 200, description: 'The event stream: SUBSCRIBED, then ADDED / MODIFIED / DELETED of each kind; ERROR before the server ends it.', content: { 'text/event-stream': { schema: { type: 'string' } } } })
  @ApiProblems(400)
  @RequiresAccess({ verb: 'watch', resource: '*', authenticateOnly: true })
  async stream(@Query() query: Record<string, unknown>, @Req() req: Request, @Res() res: Response): Promise<void> {
    const { namespace, resources, resourceVersion } = parseEventsQuery(query);
    const access = new CallerAccess(this.auth, req.headers.authorization);
    const decisions = await Promise.all(resources.map((r) => access.may('watch', r.plural, namespace)));
    const granted = resources.filter((_, i) => decisions[i]);
    const refused = resources.filter((_, i) => !decisions[i]).map((r) => r.plural);
    if (namespace !== undefined) {
      if (granted.length === 0) {
        throw new ApiAuthError('Forbidden', `you may not watch any of ${refused.join(', ')} in namespace "${namespace}"`, { details: { namespace, resources: refused } });
      }
      this.watches.start(req, res, { resources: granted, namespace, filters: {}, resourceVersion, clusterWide: new Set(), omitted: refused }, access);
      return;
    }
    // Across namespaces a kind refused at cluster scope stays in: each of its changes is authorised in its namespace.
    this.watches.start(req, res, { resources, filters: {}, resourceVersion, clusterWide: new Set(granted.map((r) => r.plural)) }, access);
  }
}

function parseEventsQuery(query: Record<string, unknown>): { namespace?: string; resources: ResourceDef[]; resourceVersion?: string } {
  const errors: FieldError[] = [];
  for (const key of Object.keys(query)) {
    if (!['namespace', 'resources', 'resourceVersion'].includes(key)) errors.push({ pointer: `/query/${key}`, detail: 'unknown query parameter' });
    else if (typeof query[key] !== 'string') errors.push({ pointer: `/query/${key}`, detail: 'given more than once' });
  }
  const namespace = typeof query.namespace === 'string' ? query.namespace : undefined;
  if (namespace !== undefined) {
    try {
      checkPath(namespace);
    } catch {
      errors.push({ pointer: '/query/namespace', detail: 'not a namespace name' });
    }
  }
  let resources = [...RESOURCES];
  if (typeof query.resources === 'string') {
    const named = query.resources.split(',').map((r) => r.trim());
    const unknown = named.filter((r) => !resourceByPlural(r));
    if (unknown.length) errors.push({ pointer: '/query/resources', detail: `unknown: ${unknown.join(', ')}; expected some of ${RESOURCES.map((r) => r.plural).join(', ')}` });
    else resources = RESOURCES.filter((r) => named.includes(r.plural));
  }
  const resourceVersion = typeof query.resourceVersion === 'string' ? query.resourceVersion : undefined;
  if (resourceVersion !== undefined && !/^\d{1,20}$/.test(resourceVersion)) errors.push({ pointer: '/query/resourceVersion', detail: 'expected a resourceVersion (digits)' });
  if (errors.length) throw problemOf(400, errors.map((e) => `${e.pointer.slice(7)}: ${e.detail}`).join('; '), { errors });
  return { ...(namespace !== undefined && { namespace }), resources, ...(resourceVersion !== undefined && { resourceVersion }) };
}
