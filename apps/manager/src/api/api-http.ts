// How the manager reads request bodies: JSON only, bounded, and every refusal a problem answer. Webhook routes
// (/hooks/) read their raw bytes themselves (the signature is over them) and are left alone here.
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import type { IncomingMessage } from 'node:http';
import { problemOf } from './problem/problem-mapping';
import { requestErrorHandler, send } from './problem/problem.filter';

/**
 * The largest JSON body the API reads; a larger one is 413 before a byte of it is parsed. Our objects are specs of a
 * few KiB; 1 MiB leaves room for a whole object read back and sent again (the apiserver stores at most 1.5 MiB).
 */
export const API_BODY_LIMIT_BYTES = 1024 * 1024;

/** application/json and its +json kinds (merge-patch+json, json-patch+json, ...), with or without parameters. */
const JSON_MEDIA_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

const isWebhook = (req: IncomingMessage) => req.url?.startsWith('/hooks/') ?? false;
const isApi = (req: IncomingMessage) => req.url?.startsWith('/api/') ?? false;

/** A request carries a body when it says so (RFC 9112 §6.3): a non-zero Content-Length or a Transfer-Encoding. */
function hasBody(req: IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}

export function isJsonMediaType(contentType: string | undefined): boolean {
  return JSON_MEDIA_TYPE.test(contentType ?? '');
}

/** 415 for an API request whose body is not JSON, rather than a route that sees no body and answers a puzzling 400. */
function refuseNonJsonBodies(): (req: Request, res: Response, next: NextFunction) => void {
  return (req, res, next) => {
    if (!isApi(req) || !hasBody(req) || isJsonMediaType(req.headers['content-type'])) return next();
    const sent = req.headers['content-type'] ? `Content-Type ${JSON.stringify(req.headers['content-type'].slice(0, 100))}` : 'no Content-Type';
    send(res, problemOf(415, `the request body must be JSON (Content-Type: application/json); it was sent with ${sent}`), req.originalUrl ?? req.url);
  };
}

/** Body parsing for every route but the webhooks: in order, 415 for a body that is not JSON, the JSON parser, its errors as problems. */
export function configureRequestBodies(app: NestExpressApplication): void {
  app.use(refuseNonJsonBodies());
  app.useBodyParser('json', { limit: API_BODY_LIMIT_BYTES, type: (req: IncomingMessage) => !isWebhook(req) && isJsonMediaType(req.headers['content-type']) });
  app.use(requestErrorHandler());
}
