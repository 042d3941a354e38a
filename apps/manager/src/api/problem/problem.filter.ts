// The one place an error becomes an HTTP answer: `application/problem+json` (RFC 9457) for every route, with the
// request path as `instance`. What no mapping foresaw is a 500 that says nothing of its cause; the log has it.
import { ArgumentsHost, Catch, ExceptionFilter, Inject } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Logger } from '@keelson/observability';
import { LOGGER } from '../../tokens';
import { ApiProblem } from './api-problem';
import { problemOf, RETRY_AFTER_S, toProblem } from './problem-mapping';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger: Logger;

  constructor(@Inject(LOGGER) logger: Logger) {
    this.logger = logger.child({ component: 'api-errors' });
  }

  catch(err: unknown, host: ArgumentsHost): void {
    const req = host.switchToHttp().getRequest<Request>();
    const res = host.switchToHttp().getResponse<Response>();
    let problem = toProblem(err);
    if (!problem) {
      this.logger.error({ method: req.method, path: req.path, err: (err as Error)?.message, stack: (err as Error)?.stack }, 'unexpected error in a route');
      problem = problemOf(500, 'the manager could not complete the request');
    } else if (problem.status >= 500) {
      this.logger.warn({ method: req.method, path: req.path, status: problem.status, detail: problem.detail }, 'request failed');
    }
    // A stream (SSE, a log download) already under way cannot change its status: end it.
    if (res.headersSent) {
      res.end();
      return;
    }
    send(res, problem, req.originalUrl ?? req.url);
  }
}

/**
 * Headers a status always comes with (the OpenAPI document promises them): a 401 names the scheme (RFC 9110 §11.6.1),
 * a 429 or 503 says when to retry. A problem that set its own keeps it.
 */
const REQUIRED_HEADERS: Record<number, [string, string]> = {
  401: ['WWW-Authenticate', 'Bearer'],
  429: ['Retry-After', String(RETRY_AFTER_S)],
  503: ['Retry-After', String(RETRY_AFTER_S)],
};

export function send(res: Response, problem: ApiProblem, instance: string): void {
  const required = REQUIRED_HEADERS[problem.status];
  const headers = required && !Object.keys(problem.headers).some((h) => h.toLowerCase() === required[0].toLowerCase())
    ? { ...problem.headers, [required[0]]: required[1] } : problem.headers;
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify({
    ...problem.extensions, type: problem.type, title: problem.title, status: problem.status, detail: problem.detail,
    instance: instance.split('?')[0],
  }));
}

/**
 * Express middleware for what fails before Nest routes a request (the JSON body parser): the same problem answers.
 * Registered right after the body parser, since Express hands an error to the next error handler in its stack.
 */
export function requestErrorHandler(): (err: unknown, req: Request, res: Response, next: (err?: unknown) => void) => void {
  return (err, req, res, next) => {
    const problem = toProblem(err);
    if (!problem || res.headersSent) return next(err);
    send(res, problem, req.originalUrl ?? req.url);
  };
}
