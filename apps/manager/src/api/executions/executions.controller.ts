// The run API (DESIGN §8): manual runs, and stop, rerun, approve and reject of an execution. Every route is
// authenticated with a TokenReview and authorised with a SubjectAccessReview by ApiAuthGuard.
import { applyDecorators, Body, Controller, Headers, HttpCode, Inject, Param, Post, Res, UseGuards } from '@nestjs/common';
import type { PipelineExecution } from '@keelson/crds';
import { ApiBody, ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ApiAuthGuard, CurrentUser, RequiresAccess, type ApiUser } from '../auth';
import { ExecutionActions } from '../../executions/execution-actions.service';
import { ExecutionCreator, type RunResult } from '../../executions/execution-creator.service';
import { EXECUTION_ACTIONS, EXECUTION_CREATOR } from '../../pipelines/pipelines.tokens';
import { ApiProblems } from '../openapi/api-problems';
import { resourceSchema } from '../openapi/api-schemas';
import {
  APPROVAL_ANSWER_SCHEMA, IDEMPOTENCY_KEY_PARAMETER, parseApprovalAnswer, parseIdempotencyKey, parseRunTarget, parseStopRequest, RUN_REQUEST_SCHEMA, STOP_REQUEST_SCHEMA,
} from './run-request';

const EXECUTION = resourceSchema('PipelineExecution');
/** The answers of run and rerun: a new execution, or the one an earlier request with the same key made. */
const RunAnswers = () => applyDecorators(
  ApiHeader(IDEMPOTENCY_KEY_PARAMETER),
  ApiResponse({ status: 201, description: 'The execution made.', schema: EXECUTION }),
  ApiResponse({
    status: 200, description: 'The execution an earlier request with the same Idempotency-Key made.', schema: EXECUTION,
    headers: { 'Idempotent-Replayed': { description: 'Always true: this answers a retry.', required: true, schema: { type: 'string', enum: ['true'] } } },
  }),
);

/**
 * 201 for a new execution; 200 when an earlier request with the same Idempotency-Key made it, which the header
 * Idempotent-Replayed also says, so a client can tell a retry's answer from a new run. Sent here: Nest would
 * overwrite a status set on a passthrough response with the route's default.
 */
function answer(res: Response, result: RunResult): void {
  if (result.replayed) res.setHeader('Idempotent-Replayed', 'true');
  res.status(result.replayed ? 200 : 201).json(result.execution);
}

@ApiTags('Executions')
@Controller('api/v1/namespaces/:ns')
@UseGuards(ApiAuthGuard)
export class ExecutionsController {
  constructor(
    @Inject(EXECUTION_CREATOR) private readonly creator: ExecutionCreator,
    @Inject(EXECUTION_ACTIONS) private readonly actions: ExecutionActions,
  ) {}

  @Post('pipelines/:name/run')
  @ApiOperation({ summary: 'Run a pipeline', description: 'Makes an execution of the pipeline for a branch or a commit.' })
  @ApiBody({ schema: RUN_REQUEST_SCHEMA })
  @RunAnswers()
  @ApiProblems(404, 409, 422)
  @RequiresAccess({ verb: 'create', resource: 'pipelineexecutions', nameParam: false })
  async run(
    @Param('ns') ns: string, @Param('name') name: string, @Body() body: unknown, @CurrentUser() user: ApiUser,
    @Headers('idempotency-key') key: string | undefined, @Res() res: Response,
  ): Promise<void> {
    const idempotencyKey = parseIdempotencyKey(key);
    answer(res, await this.creator.run(ns, name, parseRunTarget(body), user.username, { idempotencyKey }));
  }

  @Post('pipelineexecutions/:name/rerun')
  @ApiOperation({ summary: 'Run an execution again', description: 'Makes a new execution of the same pipeline at the same commit, from the same configuration snapshot.' })
  @RunAnswers()
  @ApiProblems(404, 409, 422)
  @RequiresAccess({ verb: 'create', resource: 'pipelineexecutions', nameParam: false })
  async rerun(
    @Param('ns') ns: string, @Param('name') name: string, @CurrentUser() user: ApiUser,
    @Headers('idempotency-key') key: string | undefined, @Res() res: Response,
  ): Promise<void> {
    const idempotencyKey = parseIdempotencyKey(key);
    answer(res, await this.creator.rerun(ns, name, user.username, { idempotencyKey }));
  }

  @Post('pipelineexecutions/:name/stop')
  @ApiOperation({ summary: 'Stop an execution', description: 'Asks a queued or running execution to stop, with an optional reason; the execution as it now is. Who stopped it and why end up in status.reason (`stopped by "alice": <reason>`).' })
  @ApiBody({ schema: STOP_REQUEST_SCHEMA, required: false })
  @ApiResponse({ status: 200, description: 'The execution, asked to stop.', schema: EXECUTION })
  @ApiProblems(400, 404, 409)
  @HttpCode(200)
  @RequiresAccess({ verb: 'patch', resource: 'pipelineexecutions' })
  stop(@Param('ns') ns: string, @Param('name') name: string, @Body() body: unknown, @CurrentUser() user: ApiUser): Promise<PipelineExecution> {
    return this.actions.stop(ns, name, user.username, parseStopRequest(body).reason);
  }

  @Post('pipelineexecutions/:name/approve')
  @ApiOperation({ summary: 'Approve a waiting step', description: 'Answers a manual approval step with yes; only a user the step names may.' })
  @ApiBody({ schema: APPROVAL_ANSWER_SCHEMA })
  @ApiResponse({ status: 200, description: 'The execution with the answer recorded.', schema: EXECUTION })
  @ApiProblems(404, 409)
  @HttpCode(200)
  @RequiresAccess({ verb: 'patch', resource: 'pipelineexecutions' })
  approve(@Param('ns') ns: string, @Param('name') name: string, @Body() body: unknown, @CurrentUser() user: ApiUser): Promise<PipelineExecution> {
    return this.actions.approve(ns, name, parseApprovalAnswer(body), user);
  }

  @Post('pipelineexecutions/:name/reject')
  @ApiOperation({ summary: 'Reject a waiting step', description: 'Answers a manual approval step with no; the run ends (Aborted) and the stages after it are skipped.' })
  @ApiBody({ schema: APPROVAL_ANSWER_SCHEMA })
  @ApiResponse({ status: 200, description: 'The execution with the answer recorded.', schema: EXECUTION })
  @ApiProblems(404, 409)
  @HttpCode(200)
  @RequiresAccess({ verb: 'patch', resource: 'pipelineexecutions' })
  reject(@Param('ns') ns: string, @Param('name') name: string, @Body() body: unknown, @CurrentUser() user: ApiUser): Promise<PipelineExecution> {
    return this.actions.reject(ns, name, parseApprovalAnswer(body), user);
  }
}
