// The run API (DESIGN §8): manual runs, and stop, rerun, approve and reject of an execution. Every route is
// authenticated with a TokenReview and authorised with a SubjectAccessReview by ApiAuthGuard.
import { Body, Controller, Headers, HttpCode, Inject, Param, Post, Res, UseGuards } from '@nestjs/common';
import type { PipelineExecution } from '@keelson/crds';
import type { Response } from 'express';
import { ApiAuthGuard, CurrentUser, RequiresAccess, type ApiUser } from '../auth';
import { ExecutionActions } from '../../executions/execution-actions.service';
import { ExecutionCreator, type RunResult } from '../../executions/execution-creator.service';
import { EXECUTION_ACTIONS, EXECUTION_CREATOR } from '../../pipelines/pipelines.tokens';
import { parseApprovalAnswer, parseIdempotencyKey, parseRunTarget } from './run-request';

/**
 * 201 for a new execution; 200 when an earlier request with the same Idempotency-Key made it, which the header
 * Idempotent-Replayed also says, so a client can tell a retry's answer from a new run. Sent here: Nest would
 * overwrite a status set on a passthrough response with the route's default.
 */
function answer(res: Response, result: RunResult): void {
  if (result.replayed) res.setHeader('Idempotent-Replayed', 'true');
  res.status(result.replayed ? 200 : 201).json(result.execution);
}

@Controller('api/v1/namespaces/:ns')
@UseGuards(ApiAuthGuard)
export class ExecutionsController {
  constructor(
    @Inject(EXECUTION_CREATOR) private readonly creator: ExecutionCreator,
    @Inject(EXECUTION_ACTIONS) private readonly actions: ExecutionActions,
  ) {}

  @Post('pipelines/:name/run')
  @RequiresAccess({ verb: 'create', resource: 'pipelineexecutions', nameParam: false })
  async run(
    @Param('ns') ns: string, @Param('name') name: string, @Body() body: unknown, @CurrentUser() user: ApiUser,
    @Headers('idempotency-key') key: string | undefined, @Res() res: Response,
  ): Promise<void> {
    const idempotencyKey = parseIdempotencyKey(key);
    answer(res, await this.creator.run(ns, name, parseRunTarget(body), user.username, { idempotencyKey }));
  }

  @Post('pipelineexecutions/:name/rerun')
  @RequiresAccess({ verb: 'create', resource: 'pipelineexecutions', nameParam: false })
  async rerun(
    @Param('ns') ns: string, @Param('name') name: string, @CurrentUser() user: ApiUser,
    @Headers('idempotency-key') key: string | undefined, @Res() res: Response,
  ): Promise<void> {
    const idempotencyKey = parseIdempotencyKey(key);
    answer(res, await this.creator.rerun(ns, name, user.username, { idempotencyKey }));
  }

  @Post('pipelineexecutions/:name/stop')
  @HttpCode(200)
  @RequiresAccess({ verb: 'patch', resource: 'pipelineexecutions' })
  stop(@Param('ns') ns: string, @Param('name') name: string, @CurrentUser() user: ApiUser): Promise<PipelineExecution> {
    return this.actions.stop(ns, name, user.username);
  }

  @Post('pipelineexecutions/:name/approve')
  @HttpCode(200)
  @RequiresAccess({ verb: 'patch', resource: 'pipelineexecutions' })
  approve(@Param('ns') ns: string, @Param('name') name: string, @Body() body: unknown, @CurrentUser() user: ApiUser): Promise<PipelineExecution> {
    return this.actions.approve(ns, name, parseApprovalAnswer(body), user);
  }

  @Post('pipelineexecutions/:name/reject')
  @HttpCode(200)
  @RequiresAccess({ verb: 'patch', resource: 'pipelineexecutions' })
  reject(@Param('ns') ns: string, @Param('name') name: string, @Body() body: unknown, @CurrentUser() user: ApiUser): Promise<PipelineExecution> {
    return this.actions.reject(ns, name, parseApprovalAnswer(body), user);
  }
}
