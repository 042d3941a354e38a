// Every error a route can end with, as one RFC 9457 problem. The typed errors of each domain keep their own
// `code` (finer than the type, stable too) as an extension member, so a client can branch on either.
import { HttpException } from '@nestjs/common';
import { KubeError } from '@keelson/kube';
import { ApiAuthError, type ApiAuthErrorCode } from '../auth/api-auth.errors';
import { ExecutionError, type ExecutionErrorCode } from '../../executions/execution.errors';
import { SourceCodeError, type SourceCodeErrorCode } from '../../source-code/source-code.errors';
import { OidcError, type OidcErrorCode } from '../../oidc/oidc.errors';
import { ApiProblem, type FieldError, type ProblemSlug } from './api-problem';

/** Seconds a client should wait before retrying what failed for a passing reason. */
export const RETRY_AFTER_S = 10;

const BY_STATUS: Record<number, [ProblemSlug, string]> = {
  400: ['invalid-request', 'Invalid request'],
  401: ['unauthenticated', 'Unauthenticated'],
  403: ['forbidden', 'Forbidden'],
  404: ['not-found', 'Not found'],
  405: ['invalid-request', 'Method not allowed'],
  406: ['invalid-request', 'Not acceptable'],
  409: ['conflict', 'Conflict'],
  413: ['payload-too-large', 'Payload too large'],
  415: ['unsupported-media-type', 'Unsupported media type'],
  416: ['invalid-request', 'Range not satisfiable'],
  422: ['validation-failed', 'Validation failed'],
  429: ['too-many-requests', 'Too many requests'],
  500: ['internal', 'Internal error'],
  502: ['repository-unreachable', 'Repository unreachable'],
  503: ['unavailable', 'Service unavailable'],
};

/** A problem with the slug and title its status class stands for. */
export function problemOf(status: number, detail: string, extensions: ApiProblem['extensions'] = {}, headers: Record<string, string> = {}): ApiProblem {
  const [slug, title] = BY_STATUS[status] ?? (status >= 500 ? BY_STATUS[503] : BY_STATUS[400]);
  return new ApiProblem(slug, status, title, detail, extensions, headers);
}

const AUTH_STATUS: Record<ApiAuthErrorCode, number> = {
  MissingCredentials: 401, InvalidToken: 401, Forbidden: 403, ReviewUnavailable: 503, NoAccessRequirement: 500,
};

const EXECUTION_STATUS: Record<ExecutionErrorCode, number> = {
  PipelineNotFound: 404, ExecutionNotFound: 404, InvalidRunTarget: 400, RefNotFound: 422, RepositoryUnavailable: 503,
  RepositoryAccessDenied: 422, PipelineSuspended: 409, NotStoppable: 409, NoPendingApproval: 409,
  InvalidApprovalAnswer: 400, InvalidStopRequest: 400, NotAnApprover: 403, InvalidIdempotencyKey: 400,
  // The IETF Idempotency-Key draft: a key reused with another request is 422.
  IdempotencyKeyReused: 422, EngineUnavailable: 503, RepositoryUnreachable: 502, ConfigNotFound: 404, ConfigTooLarge: 422,
};

const SOURCE_CODE_STATUS: Record<SourceCodeErrorCode, number> = {
  MissingParameter: 400, InvalidState: 400, StateExpired: 400, StateReused: 400, AccessDenied: 400, CodeRefused: 400,
  ProviderNotFound: 404, ProviderDisabled: 409, ProviderNotConfigured: 409, ProviderUnavailable: 503,
  StateKeyUnavailable: 503, StateStoreUnavailable: 503, NotConfigured: 503, CredentialConflict: 409,
  CredentialNotFound: 404, RepositoryNotFound: 404, NotYourCredential: 403, InvalidRequest: 400, PipelineExists: 409,
};

const OIDC_STATUS: Record<OidcErrorCode, number> = {
  OidcNotConfigured: 404, OidcInvalidRequest: 400, OidcInvalidState: 400, OidcAccessDenied: 400, OidcCodeRefused: 400,
  OidcInvalidIdToken: 400, OidcIssuerUnavailable: 503, OidcStateUnavailable: 503,
};

/** The problem an error stands for; undefined for an error nobody foresaw (the filter answers 500 and logs it). */
export function toProblem(err: unknown): ApiProblem | undefined {
  if (err instanceof ApiProblem) return err;
  if (err instanceof ApiAuthError) return authProblem(err);
  if (err instanceof ExecutionError) {
    return problemOf(EXECUTION_STATUS[err.code], err.message, { ...err.details, code: err.code }, err.retryable ? { 'Retry-After': String(RETRY_AFTER_S) } : {});
  }
  if (err instanceof SourceCodeError) {
    return problemOf(SOURCE_CODE_STATUS[err.code], err.message, { ...err.details, code: err.code }, err.retryable ? { 'Retry-After': retryAfter(err.details.retryAt) } : {});
  }
  if (err instanceof OidcError) {
    return problemOf(OIDC_STATUS[err.code], err.message, { code: err.code }, err.retryable ? { 'Retry-After': String(RETRY_AFTER_S) } : {});
  }
  if (err instanceof KubeError) return kubeProblem(err);
  if (err instanceof HttpException) return httpProblem(err);
  const parserStatus = bodyParserStatus(err);
  if (parserStatus) return problemOf(parserStatus, parserStatus === 413 ? 'the request body is too large' : 'the request body is not valid JSON');
  return undefined;
}

function authProblem(err: ApiAuthError): ApiProblem {
  const status = AUTH_STATUS[err.code];
  const headers: Record<string, string> = {};
  if (err.code === 'MissingCredentials') headers['WWW-Authenticate'] = 'Bearer';
  if (err.code === 'InvalidToken') headers['WWW-Authenticate'] = 'Bearer error="invalid_token"';
  if (err.code === 'ReviewUnavailable') headers['Retry-After'] = '5';
  const detail = err.code === 'NoAccessRequirement' ? 'this route declares no access requirement' : err.message;
  return problemOf(status, detail, { ...err.details, code: err.code }, headers);
}

/**
 * The apiserver's answer to a write the API passed on: its 404/409/422 are the caller's to fix, with the causes of
 * an Invalid as JSON pointers into the body; anything else is the server's trouble and says only that.
 */
function kubeProblem(err: KubeError): ApiProblem {
  if (err.status === 422 || err.reason === 'Invalid' || err.reason === 'BadRequest') {
    const errors: FieldError[] = err.causes.map((c) => ({ pointer: fieldPointer(c.field), detail: c.message ?? c.reason ?? 'invalid' }));
    return problemOf(err.status === 400 ? 400 : 422, err.message, { code: `Kube${err.reason}`, errors });
  }
  if (err.status === 404) return problemOf(404, err.message, { code: 'KubeNotFound' });
  if (err.status === 409) {
    // A resourceVersion precondition that failed: the caller's copy is stale (the ETag contract).
    if (err.reason === 'Conflict') return new ApiProblem('stale-version', 409, 'Stale resourceVersion', err.message, { code: 'KubeConflict' });
    return problemOf(409, err.message, { code: `Kube${err.reason}` });
  }
  if (err.status === 429 || err.retryable) return problemOf(503, 'the Kubernetes API is unavailable; retry', { code: 'KubeUnavailable' }, { 'Retry-After': String(RETRY_AFTER_S) });
  // 401/403 from the apiserver are the manager's own identity lacking a right: the operator's to fix, not the caller's.
  return problemOf(500, 'the manager could not complete the request', { code: `Kube${err.reason}` });
}

function httpProblem(err: HttpException): ApiProblem {
  const status = err.getStatus();
  const body = err.getResponse();
  const message = typeof body === 'string' ? body : (body as { message?: unknown }).message;
  const detail = typeof message === 'string' ? message : Array.isArray(message) ? message.join('; ') : err.message;
  return problemOf(status, status >= 500 ? 'the manager could not complete the request' : detail);
}

/** `spec.triggers.push.branches[0]` → `/spec/triggers/push/branches/0` (RFC 6901, with its escapes). */
export function fieldPointer(field: string | undefined): string {
  if (!field) return '';
  const tokens = field.replace(/\[(\d+)\]/g, '.$1').replace(/\[([^\]]*)\]/g, '.$1').split('.').filter(Boolean);
  return tokens.map((t) => `/${t.replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

/** body-parser errors carry `type` and `status`, not an HttpException. */
function bodyParserStatus(err: unknown): number | undefined {
  const e = err as { type?: unknown; status?: unknown } | undefined;
  if (e?.type === 'entity.too.large') return 413;
  if (e?.type === 'entity.parse.failed' || e?.type === 'encoding.unsupported' || e?.type === 'charset.unsupported') return 400;
  return undefined;
}

function retryAfter(retryAt: unknown): string {
  const at = typeof retryAt === 'string' ? Date.parse(retryAt) : NaN;
  return String(Number.isFinite(at) ? Math.max(1, Math.ceil((at - Date.now()) / 1000)) : RETRY_AFTER_S);
}
