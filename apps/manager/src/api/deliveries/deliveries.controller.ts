// The deliveries a pipeline received, newest first, with their outcome: what the console shows beside
// "why did my push not run?".
import { Controller, Get, Inject, NotFoundException, Param, Query, UseGuards } from '@nestjs/common';
import { Keelson, KubeClient } from '@keelson/kube';
import type { DeliveryLog, DeliveryRecord } from '@keelson/queue';
import { ApiAuthGuard, RequiresAccess } from '../auth';
import { DELIVERY_LOG } from '../../hooks/hooks.tokens';
import { KUBE } from '../../tokens';

@Controller('api/v1/namespaces/:ns/pipelines/:name/deliveries')
@UseGuards(ApiAuthGuard)
export class DeliveriesController {
  constructor(@Inject(DELIVERY_LOG) private readonly deliveries: DeliveryLog, @Inject(KUBE) private readonly kube: KubeClient) {}

  @Get()
  @RequiresAccess({ verb: 'get', resource: 'pipelines' })
  async list(@Param('ns') ns: string, @Param('name') name: string, @Query('limit') limit?: string): Promise<{ items: DeliveryRecord[] }> {
    if (!(await this.kube.resource(Keelson.Pipeline).find(ns, name))) throw new NotFoundException(`pipeline ${ns}/${name} not found`);
    const count = limit === undefined ? undefined : Math.max(1, Math.min(200, Number.parseInt(limit, 10) || 200));
    return { items: await this.deliveries.list(ns, name, count) };
  }
}
