// Typed errors of the execution machinery become HTTP answers here, at the edge, and nowhere else.
import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { ExecutionError, type ExecutionErrorCode } from '../../executions/execution.errors';

const STATUS: Record<ExecutionErrorCode, number> = {
  PipelineNotFound: 404,
  ExecutionNotFound: 404,
  InvalidRunTarget: 400,
  RefNotFound: 422,
  RepositoryUnavailable: 503,
  RepositoryAccessDenied: 422,
  PipelineSuspended: 409,
  NotStoppable: 409,
  NoPendingApproval: 409,
  InvalidApprovalAnswer: 400,
  NotAnApprover: 403,
  InvalidIdempotencyKey: 400,
  // The IETF Idempotency-Key draft: a key reused with another request is 422.
  IdempotencyKeyReused: 422,
  EngineUnavailable: 503,
};

@Catch(ExecutionError)
export class ExecutionErrorFilter implements ExceptionFilter {
  catch(error: ExecutionError, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const status = STATUS[error.code];
    if (error.retryable) res.setHeader('Retry-After', '10');
    res.status(status).json({ ...error.details, code: error.code, message: error.message });
  }
}
