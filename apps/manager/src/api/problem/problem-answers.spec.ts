// Every error class of the API as an HTTP answer, through the manager's own request pipeline (body parsing as
// manager.ts configures it, the global ProblemFilter) on a loopback port: status, content type, the headers each
// class promises, and a body that the document's Problem schema accepts.
import { Body, Controller, Get, HttpStatus, Module, Post, ServiceUnavailableException } from '@nestjs/common';
import { APP_FILTER, NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { KubeError } from '@keelson/kube';
import type { Logger } from '@keelson/observability';
import { ApiAuthError } from '../auth/api-auth.errors';
import { API_BODY_LIMIT_BYTES, configureRequestBodies } from '../api-http';
import { apiSchemas, PROBLEM } from '../openapi/api-schemas';
import type { OpenApiDocument } from '../openapi/openapi-document';
import { OpenApiValidator } from '../openapi/testing/openapi-validator';
import { LOGGER } from '../../tokens';
import { ProblemFilter } from './problem.filter';

const INTERNAL = 'ECONNREFUSED 10.0.0.7:5432 at /srv/keelson/secret-path.ts';
const logged: Array<Record<string, unknown>> = [];
const recorder: Logger = {
  debug() {}, info() {}, warn: (fields) => logged.push(fields), error: (fields) => logged.push(fields),
  child: () => recorder,
};

@Controller('api/v1/test')
class ThrowingController {
  @Get('unauthenticated') unauthenticated(): never {
    throw new ApiAuthError('MissingCredentials', 'no bearer token');
  }

  @Get('forbidden') forbidden(): never {
    throw new ApiAuthError('Forbidden', 'alice may not create pipelineexecutions in demo');
  }

  @Get('stale') stale(): never {
    throw KubeError.fromResponse(409, { kind: 'Status', reason: 'Conflict', message: 'the object has been modified; please apply your changes to the latest version' });
  }

  @Get('invalid') invalid(): never {
    throw KubeError.fromResponse(422, {
      kind: 'Status', reason: 'Invalid', message: 'Pipeline.devops.keelson.dev "web" is invalid',
      details: { causes: [{ field: 'spec.repositoryUrl', message: 'Invalid value: should match pattern', reason: 'FieldValueInvalid' }] },
    });
  }

  @Get('kube-away') kubeAway(): never {
    throw new KubeError(0, 'Unavailable', 'connect ECONNREFUSED 127.0.0.1:6443');
  }

  @Get('nest-unavailable') nestUnavailable(): never {
    throw new ServiceUnavailableException('maintenance');
  }

  @Get('bug') bug(): never {
    throw new TypeError(INTERNAL);
  }

  @Post('echo') echo(@Body() body: unknown): unknown {
    return { received: body ?? null };
  }
}

@Module({
  controllers: [ThrowingController],
  providers: [{ provide: LOGGER, useValue: recorder }, { provide: APP_FILTER, useClass: ProblemFilter }],
})
class ProblemTestModule {}

let app: NestExpressApplication;
let base: string;
const validator = new OpenApiValidator({ openapi: '3.1.0', paths: {}, components: { schemas: apiSchemas(), securitySchemes: {} } } as unknown as OpenApiDocument);

beforeAll(async () => {
  app = await NestFactory.create<NestExpressApplication>(ProblemTestModule, { bodyParser: false, logger: false });
  configureRequestBodies(app);
  await app.listen(0, '127.0.0.1');
  base = await app.getUrl();
});

afterAll(() => app?.close());

interface Answer {
  status: number;
  type: string | null;
  headers: Headers;
  body: Record<string, unknown>;
  text: string;
}

async function call(path: string, init: RequestInit = {}): Promise<Answer> {
  const res = await fetch(`${base.replace('[::1]', '127.0.0.1')}${path}`, init);
  const text = await res.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text);
  } catch {
    // left empty: the assertions on the content type say what went wrong
  }
  return { status: res.status, type: res.headers.get('content-type'), headers: res.headers, body, text };
}

/** The common checks: problem+json, the type and status given, `instance` the path, and the Problem schema holds. */
function expectProblem(answer: Answer, status: number, slug: string, path: string): void {
  expect({ status: answer.status, type: answer.type }).toEqual({ status, type: 'application/problem+json; charset=utf-8' });
  expect(answer.body).toMatchObject({ type: `https://keelson.dev/problems/${slug}`, status, instance: path.split('?')[0] });
  expect(validator.validate(PROBLEM, answer.body)).toEqual([]);
}

describe('problem answers, one per class', () => {
  it('401 unauthenticated, with the Bearer challenge', async () => {
    const answer = await call('/api/v1/test/unauthenticated');
    expectProblem(answer, 401, 'unauthenticated', '/api/v1/test/unauthenticated');
    expect(answer.headers.get('www-authenticate')).toBe('Bearer');
    expect(answer.body.code).toBe('MissingCredentials');
  });

  it('403 forbidden', async () => {
    expectProblem(await call('/api/v1/test/forbidden'), 403, 'forbidden', '/api/v1/test/forbidden');
  });

  it('404 not-found for a path no route has, under /api and elsewhere, any method', async () => {
    expectProblem(await call('/api/v1/nothing/here?x=1'), 404, 'not-found', '/api/v1/nothing/here');
    expectProblem(await call('/api/v1/test/forbidden', { method: 'DELETE' }), 404, 'not-found', '/api/v1/test/forbidden');
    expectProblem(await call('/elsewhere'), 404, 'not-found', '/elsewhere');
  });

  it('400 invalid-request for a body that is not valid JSON', async () => {
    const answer = await call('/api/v1/test/echo', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"branch": ' });
    expectProblem(answer, 400, 'invalid-request', '/api/v1/test/echo');
    expect(answer.body.detail).toBe('the request body is not valid JSON');
  });

  it('409 stale-version for a write on an old resourceVersion', async () => {
    const answer = await call('/api/v1/test/stale');
    expectProblem(answer, 409, 'stale-version', '/api/v1/test/stale');
    expect(answer.body.code).toBe('KubeConflict');
  });

  it('413 payload-too-large for a body over the limit, whether its length is announced or it comes in chunks', async () => {
    const body = JSON.stringify({ pad: 'x'.repeat(API_BODY_LIMIT_BYTES) });
    expectProblem(await call('/api/v1/test/echo', { method: 'POST', headers: { 'content-type': 'application/json' }, body }), 413, 'payload-too-large', '/api/v1/test/echo');
    const chunked = new Blob([body]).stream();
    const init = { method: 'POST', headers: { 'content-type': 'application/json' }, body: chunked, duplex: 'half' } as RequestInit;
    expectProblem(await call('/api/v1/test/echo', init), 413, 'payload-too-large', '/api/v1/test/echo');
    // Just under the limit is read.
    const fits = JSON.stringify({ pad: 'x'.repeat(API_BODY_LIMIT_BYTES - 20) });
    expect((await call('/api/v1/test/echo', { method: 'POST', headers: { 'content-type': 'application/json' }, body: fits })).status).toBe(201);
  });

  it.each([
    ['text/plain', { 'content-type': 'text/plain' }],
    ['a form', { 'content-type': 'application/x-www-form-urlencoded' }],
    ['no Content-Type', {}],
    ['a type that only starts like JSON', { 'content-type': 'application/jsonp' }],
  ])('415 unsupported-media-type for a JSON body sent as %s', async (_what, headers) => {
    const answer = await call('/api/v1/test/echo', { method: 'POST', headers, body: new TextEncoder().encode('{"branch":"main"}') });
    expectProblem(answer, 415, 'unsupported-media-type', '/api/v1/test/echo');
  });

  it('415 for a body in chunks (no Content-Length) that is not JSON', async () => {
    const init = { method: 'POST', headers: { 'content-type': 'text/plain' }, body: new Blob(['{"branch":"main"}']).stream(), duplex: 'half' } as RequestInit;
    expectProblem(await call('/api/v1/test/echo', init), 415, 'unsupported-media-type', '/api/v1/test/echo');
  });

  it('takes JSON under its +json names, and a POST with no body at all', async () => {
    for (const type of ['application/json', 'application/json; charset=utf-8', 'application/merge-patch+json']) {
      const answer = await call('/api/v1/test/echo', { method: 'POST', headers: { 'content-type': type }, body: '{"a":1}' });
      expect({ type, status: answer.status, body: answer.body }).toEqual({ type, status: 201, body: { received: { a: 1 } } });
    }
    expect((await call('/api/v1/test/echo', { method: 'POST' })).status).toBe(201);
  });

  it('422 validation-failed with errors[] as JSON pointers into the body', async () => {
    const answer = await call('/api/v1/test/invalid');
    expectProblem(answer, 422, 'validation-failed', '/api/v1/test/invalid');
    expect(answer.body.errors).toEqual([{ pointer: '/spec/repositoryUrl', detail: 'Invalid value: should match pattern' }]);
  });

  it.each([
    ['the apiserver away', '/api/v1/test/kube-away', '10'],
    ['a Nest ServiceUnavailableException, which sets no header itself', '/api/v1/test/nest-unavailable', '10'],
  ])('503 unavailable with Retry-After for %s', async (_what, path, retryAfter) => {
    const answer = await call(path);
    expectProblem(answer, HttpStatus.SERVICE_UNAVAILABLE, 'unavailable', path);
    expect(answer.headers.get('retry-after')).toBe(retryAfter);
  });

  it('500 internal that tells nothing of the cause, which goes to the log', async () => {
    logged.length = 0;
    const answer = await call('/api/v1/test/bug');
    expectProblem(answer, 500, 'internal', '/api/v1/test/bug');
    expect(answer.text).not.toContain('ECONNREFUSED');
    expect(answer.text).not.toContain('secret-path');
    expect(answer.text).not.toMatch(/TypeError|at \w+ \(/);
    expect(answer.body.detail).toBe('the manager could not complete the request');
    expect(logged).toEqual([expect.objectContaining({ path: '/api/v1/test/bug', err: INTERNAL })]);
  });
});
