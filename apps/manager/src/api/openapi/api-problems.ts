// Error answers in the OpenAPI document: each is application/problem+json with the shared Problem schema. A route
// declares the ones particular to it with @ApiProblems(404, 409); the document builder adds those every route of a
// kind can give (see COMMON_PROBLEMS in openapi-document.ts), so no route repeats them.
import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { PROBLEM_CONTENT_TYPE } from '../problem/problem.filter';
import { PROBLEM } from './api-schemas';

export type ProblemStatus = 400 | 401 | 403 | 404 | 405 | 409 | 410 | 413 | 415 | 416 | 422 | 428 | 429 | 500 | 502 | 503;

/** What each status means in this API; the route-specific causes are in the problem's detail and code. */
const DESCRIPTIONS: Record<ProblemStatus, string> = {
  400: 'The request is malformed: a parameter, header or body the route does not take (detail names it).',
  401: 'No bearer token, or one the cluster does not accept.',
  403: 'The caller may not do this: RBAC (a SubjectAccessReview) or the object itself refuses.',
  404: 'The object named in the path does not exist.',
  405: 'The route does not take this method for this kind (detail says which route does); Allow lists what it takes.',
  409: 'The object is not in a state that allows this (code says which); stale-version: the resourceVersion sent is no longer current.',
  410: 'What the request resumes from has expired (a continue token, a resourceVersion): start again.',
  413: 'The request body is larger than the API takes.',
  415: 'The request has a body that is not JSON.',
  416: 'The requested range is outside the content.',
  422: 'The request is well-formed but refused: errors[] names the invalid fields, or code says why.',
  428: 'The write must be conditional: send the resourceVersion you read (If-Match or metadata.resourceVersion).',
  429: 'Too many requests; wait as Retry-After says.',
  500: 'The manager failed; the answer says nothing of the cause, the manager\'s log does.',
  502: 'The git repository the answer is read from did not answer (repository-unreachable); retry after Retry-After seconds.',
  503: 'A service the manager depends on is unavailable; retry after Retry-After seconds.',
};

const HEADERS: Partial<Record<ProblemStatus, Record<string, { description: string; required: boolean; schema: { type: string } }>>> = {
  401: { 'WWW-Authenticate': { description: 'The Bearer challenge (RFC 6750).', required: true, schema: { type: 'string' } } },
  405: { Allow: { description: 'The methods the route takes.', required: true, schema: { type: 'string' } } },
  429: { 'Retry-After': { description: 'Seconds to wait before retrying.', required: true, schema: { type: 'string' } } },
  502: { 'Retry-After': { description: 'Seconds to wait before retrying.', required: true, schema: { type: 'string' } } },
  503: { 'Retry-After': { description: 'Seconds to wait before retrying.', required: true, schema: { type: 'string' } } },
};

/** The OpenAPI response object of a problem answer with this status. */
export function problemResponse(status: ProblemStatus): Record<string, unknown> {
  return {
    description: DESCRIPTIONS[status],
    ...(HEADERS[status] && { headers: HEADERS[status] }),
    content: { [PROBLEM_CONTENT_TYPE]: { schema: PROBLEM } },
  };
}

/** Declares the problem answers particular to a route (or to every route of a controller). */
export function ApiProblems(...statuses: ProblemStatus[]): MethodDecorator & ClassDecorator {
  return applyDecorators(...statuses.map((status) => ApiResponse({ status, ...problemResponse(status) } as Parameters<typeof ApiResponse>[0])));
}
