// The webhook routes. No API authentication: a git delivery proves itself by its signature, checked by the
// intake against the secret the route's pipeline owns; a registry notification by the token of the route's
// project. The body is read here, raw (the JSON parser skips /hooks/).
import { Controller, Inject, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Logger } from '@keelson/observability';
import { LOGGER } from '../tokens';
import { HookError } from './hook-error';
import { readRawBody } from './raw-body.reader';
import { RegistryIntake } from './registry-intake.service';
import { WebhookIntake, type HookAnswer } from './webhook-intake.service';
import { REGISTRY_INTAKE, WEBHOOK_INTAKE } from './hooks.tokens';

@Controller('hooks')
export class WebhooksController {
  constructor(
    @Inject(WEBHOOK_INTAKE) private readonly intake: WebhookIntake,
    @Inject(REGISTRY_INTAKE) private readonly registry: RegistryIntake,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @Post('pipelines/:ns/:name')
  async pipeline(@Param('ns') ns: string, @Param('name') name: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    await this.answer(req, res, { namespace: ns, pipeline: name }, (body) => this.intake.receive(ns, name, req.headers, body));
  }

  /** Notifications of the project's data-plane registry (CNCF Distribution event envelopes). */
  @Post('registry/:ns')
  async registryEvents(@Param('ns') ns: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    await this.answer(req, res, { namespace: ns, route: 'registry' }, (body) => this.registry.receive(ns, req.headers, body));
  }

  private async answer(req: Request, res: Response, where: Record<string, string>, receive: (body: Buffer) => Promise<HookAnswer>): Promise<void> {
    try {
      const body = await readRawBody(req);
      const answer = await receive(body);
      res.status(answer.status).json(answer.body);
    } catch (err) {
      if (err instanceof HookError) {
        // The body was not read to its end: close the connection rather than keep a slow sender's socket.
        if (err.status === 408 || err.status === 413 || err.status === 415) res.setHeader('Connection', 'close');
        res.status(err.status).json({ outcome: 'refused', message: err.message });
        return;
      }
      // Never the body or a header: an unexpected failure names only where it happened.
      this.logger.error({ ...where, err: (err as Error).message }, 'webhook delivery failed');
      res.setHeader('Retry-After', '10');
      res.status(503).json({ outcome: 'refused', message: 'the delivery could not be processed now; retry' });
    }
  }
}
