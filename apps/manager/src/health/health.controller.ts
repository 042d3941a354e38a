import { Controller, Get, Header, HttpStatus, Res } from '@nestjs/common';
import type { Response } from 'express';
import { renderMetrics } from '@keelson/observability';
import { InformersService } from '../kube/informers.service';
import { VERSION_INFO } from '../version';

/** Operations endpoints: liveness, readiness, build version, Prometheus metrics. */
@Controller()
export class HealthController {
  constructor(private readonly informers: InformersService) {}

  @Get('healthz')
  healthz(): { status: string } {
    return { status: 'ok' };
  }

  /** Ready only once every informer has synced, so no controller acts on an empty cache. */
  @Get('readyz')
  readyz(@Res() res: Response): void {
    const waiting = this.informers.unsynced();
    res.status(waiting.length ? HttpStatus.SERVICE_UNAVAILABLE : HttpStatus.OK)
      .json(waiting.length ? { status: 'waiting', informers: waiting } : { status: 'ready' });
  }

  @Get('version')
  version(): typeof VERSION_INFO {
    return VERSION_INFO;
  }

  @Get('metrics')
  @Header('Cache-Control', 'no-store')
  async metrics(@Res() res: Response): Promise<void> {
    const { contentType, body } = await renderMetrics();
    res.type(contentType).send(body);
  }
}
