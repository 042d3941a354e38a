// The deliveries a pipeline received, newest first, with their outcome: what the console shows beside
// "why did my push not run?".
import { Controller, Get, Inject, NotFoundException, Param, Query, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Keelson, KubeClient } from '@keelson/kube';
import type { DeliveryLog, DeliveryOutcome, DeliveryRecord } from '@keelson/queue';
import { ApiAuthGuard, RequiresAccess } from '../auth';
import { ApiProblems } from '../openapi/api-problems';
import { defineApiSchema } from '../openapi/api-schemas';
import { DELIVERY_LOG } from '../../hooks/hooks.tokens';
import { KUBE } from '../../tokens';

// A Record, so a new outcome fails to compile until the document names it.
const OUTCOMES: Record<DeliveryOutcome, string> = {
  created: 'it made at least one execution', duplicate: 'received before, or its executions existed; nothing new made',
  ignored: 'nothing ran (reason says why: no trigger matched, suspended, ...)',
  refused: 'not accepted (no secret, a bad signature, a malformed payload, another repository)',
};

const DELIVERY_LIST = defineApiSchema('DeliveryList', {
  type: 'object',
  required: ['items'],
  properties: {
    items: {
      type: 'array',
      description: 'Newest first.',
      items: {
        type: 'object',
        required: ['outcome', 'status', 'time'],
        properties: {
          id: { type: 'string', description: 'The provider\'s delivery id, when it sent one.' },
          provider: { type: 'string' },
          event: { type: 'string' },
          outcome: { type: 'string', enum: Object.keys(OUTCOMES), description: Object.entries(OUTCOMES).map(([k, v]) => `${k}: ${v}`).join('; ') },
          reason: { type: 'string', description: 'Why it was ignored or refused.' },
          executions: { type: 'array', items: { type: 'string' }, description: 'Executions it made or found.' },
          status: { type: 'integer', description: 'The HTTP status the delivery was answered with.' },
          time: { type: 'string', format: 'date-time' },
        },
      },
    },
  },
});

@ApiTags('Pipelines')
@Controller('api/v1/namespaces/:ns/pipelines/:name/deliveries')
@UseGuards(ApiAuthGuard)
export class DeliveriesController {
  constructor(@Inject(DELIVERY_LOG) private readonly deliveries: DeliveryLog, @Inject(KUBE) private readonly kube: KubeClient) {}

  @Get()
  @ApiOperation({ summary: 'List webhook deliveries of a pipeline', description: 'The webhook deliveries the pipeline received, newest first, and what became of each.' })
  @ApiQuery({ name: 'limit', required: false, description: 'At most this many (1 to 200; default 200).', schema: { type: 'integer', minimum: 1, maximum: 200 } })
  @ApiOkResponse({ description: 'The deliveries.', schema: DELIVERY_LIST })
  @ApiProblems(404)
  @RequiresAccess({ verb: 'get', resource: 'pipelines' })
  async list(@Param('ns') ns: string, @Param('name') name: string, @Query('limit') limit?: string): Promise<{ items: DeliveryRecord[] }> {
    if (!(await this.kube.resource(Keelson.Pipeline).find(ns, name))) throw new NotFoundException(`pipeline ${ns}/${name} not found`);
    const count = limit === undefined ? undefined : Math.max(1, Math.min(200, Number.parseInt(limit, 10) || 200));
    return { items: await this.deliveries.list(ns, name, count) };
  }
}
