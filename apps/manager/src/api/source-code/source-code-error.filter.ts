// Typed errors of sign-in and of the source-code API become HTTP answers here, at the edge, and nowhere else.
import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { SourceCodeError, type SourceCodeErrorCode } from '../../source-code/source-code.errors';

const STATUS: Record<SourceCodeErrorCode, number> = {
  MissingParameter: 400,
  InvalidState: 400,
  StateExpired: 400,
  StateReused: 400,
  AccessDenied: 400,
  CodeRefused: 400,
  ProviderNotFound: 404,
  ProviderDisabled: 409,
  ProviderNotConfigured: 409,
  ProviderUnavailable: 503,
  StateKeyUnavailable: 503,
  StateStoreUnavailable: 503,
  NotConfigured: 503,
  CredentialConflict: 409,
  CredentialNotFound: 404,
  RepositoryNotFound: 404,
  NotYourCredential: 403,
  InvalidRequest: 400,
  PipelineExists: 409,
};

@Catch(SourceCodeError)
export class SourceCodeErrorFilter implements ExceptionFilter {
  catch(error: SourceCodeError, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const status = STATUS[error.code];
    if (error.retryable) {
      const retryAt = typeof error.details.retryAt === 'string' ? Date.parse(error.details.retryAt) : NaN;
      res.setHeader('Retry-After', String(Number.isFinite(retryAt) ? Math.max(1, Math.ceil((retryAt - Date.now()) / 1000)) : 10));
    }
    res.status(status).json({ ...error.details, statusCode: status, code: error.code, message: error.message });
  }
}
