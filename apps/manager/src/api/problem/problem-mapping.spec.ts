import { NotFoundException } from '@nestjs/common';
import { KubeError } from '@keelson/kube';
import { ApiAuthError } from '../auth/api-auth.errors';
import { ExecutionError } from '../../executions/execution.errors';
import { fieldPointer, toProblem } from './problem-mapping';

describe('toProblem', () => {
  it('maps the apiserver\'s Invalid causes to JSON pointers into the body', () => {
    const err = KubeError.fromResponse(422, {
      kind: 'Status', reason: 'Invalid', message: 'Pipeline.devops.keelson.dev "web" is invalid',
      details: { causes: [{ field: 'spec.repositoryUrl', message: 'should match pattern', reason: 'FieldValueInvalid' }, { field: 'spec.triggers.push.branches[0]', message: 'too long' }] },
    });
    expect(toProblem(err)).toMatchObject({
      status: 422, slug: 'validation-failed',
      extensions: { errors: [{ pointer: '/spec/repositoryUrl', detail: 'should match pattern' }, { pointer: '/spec/triggers/push/branches/0', detail: 'too long' }] },
    });
  });

  it('tells a stale resourceVersion apart from other conflicts', () => {
    expect(toProblem(KubeError.fromResponse(409, { reason: 'Conflict', message: 'the object has been modified' }))?.slug).toBe('stale-version');
    expect(toProblem(KubeError.fromResponse(409, { reason: 'AlreadyExists', message: 'exists' }))?.slug).toBe('conflict');
  });

  it('never passes on the manager\'s own refusal by the apiserver as the caller\'s', () => {
    const problem = toProblem(KubeError.fromResponse(403, { reason: 'Forbidden', message: 'system:serviceaccount:keelson:manager cannot get secrets' }));
    expect(problem).toMatchObject({ status: 500 });
    expect(problem?.detail).not.toContain('serviceaccount');
  });

  it('asks for a retry when the apiserver is away', () => {
    expect(toProblem(new KubeError(0, 'Unavailable', 'connect ECONNREFUSED'))).toMatchObject({ status: 503, headers: { 'Retry-After': '10' } });
  });

  it('keeps the domain code and details beside the problem members', () => {
    const problem = toProblem(new ExecutionError('EngineUnavailable', 'Jenkins did not answer', true));
    expect(problem).toMatchObject({ status: 503, slug: 'unavailable', extensions: { code: 'EngineUnavailable' }, headers: { 'Retry-After': '10' } });
  });

  it('answers authentication failures with the challenge header', () => {
    expect(toProblem(new ApiAuthError('InvalidToken', 'the bearer token is not valid'))).toMatchObject({
      status: 401, slug: 'unauthenticated', headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' },
    });
  });

  it('maps Nest\'s own exceptions and body-parser failures', () => {
    expect(toProblem(new NotFoundException('Cannot GET /api/v1/nothing'))).toMatchObject({ status: 404, slug: 'not-found' });
    expect(toProblem(Object.assign(new Error('too big'), { type: 'entity.too.large', status: 413 }))).toMatchObject({ status: 413, slug: 'payload-too-large' });
    expect(toProblem(Object.assign(new Error('Unexpected token'), { type: 'entity.parse.failed', status: 400 }))).toMatchObject({ status: 400, detail: 'the request body is not valid JSON' });
  });

  it('leaves an unforeseen error to the filter\'s 500', () => {
    expect(toProblem(new TypeError('x is undefined'))).toBeUndefined();
  });
});

describe('fieldPointer', () => {
  it('escapes ~ and / as RFC 6901 says', () => {
    expect(fieldPointer('metadata.annotations[a/b~c]')).toBe('/metadata/annotations/a~1b~0c');
    expect(fieldPointer(undefined)).toBe('');
  });
});
