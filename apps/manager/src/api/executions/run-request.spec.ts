import Ajv2020 from 'ajv/dist/2020';
import fc from 'fast-check';
import { ExecutionError } from '../../executions/execution.errors';
import { apiSchemas } from '../openapi/api-schemas';
import { parseApprovalAnswer, parseIdempotencyKey, parseRunTarget, parseStopRequest } from './run-request';

function codeOf(parse: () => unknown): string | undefined {
  try {
    parse();
  } catch (err) {
    if (err instanceof ExecutionError) return err.code;
    throw err;
  }
  return undefined;
}

describe('parseApprovalAnswer', () => {
  it('takes names or 0-based indexes and an optional comment', () => {
    expect(parseApprovalAnswer({ stage: 'prod', step: 0, comment: 'ok' })).toEqual({ stage: 'prod', step: 0, comment: 'ok' });
  });

  it.each<[string, unknown]>([
    ['no body', undefined],
    ['a list', [1, 2]],
    ['a string', 'approve'],
    ['no step', { stage: 'prod' }],
    ['a negative index', { stage: -1, step: 0 }],
    ['a fractional index', { stage: 0.5, step: 0 }],
    ['an empty name', { stage: '', step: 0 }],
    ['a comment that is not a string', { stage: 0, step: 0, comment: 7 }],
  ])('refuses %s as InvalidApprovalAnswer (400), not as a missing approval (409)', (_what, body) => {
    expect(codeOf(() => parseApprovalAnswer(body))).toBe('InvalidApprovalAnswer');
  });
});

describe('parseRunTarget', () => {
  it('keeps answering InvalidRunTarget for a malformed run body', () => {
    expect(codeOf(() => parseRunTarget([]))).toBe('InvalidRunTarget');
    expect(codeOf(() => parseRunTarget({ branch: 5 }))).toBe('InvalidRunTarget');
  });
});

describe('parseIdempotencyKey', () => {
  it('is optional', () => {
    expect(parseIdempotencyKey(undefined)).toBeUndefined();
  });

  it('takes 1 to 255 printable ASCII characters, spaces included', () => {
    expect(parseIdempotencyKey('8e03978e-40d5-43e8-bc93-6894a57f9324')).toBe('8e03978e-40d5-43e8-bc93-6894a57f9324');
    expect(parseIdempotencyKey('retry #1 of "deploy"')).toBe('retry #1 of "deploy"');
    expect(parseIdempotencyKey('k'.repeat(255))).toHaveLength(255);
  });

  it.each<[string, string]>([
    ['an empty key', ''],
    ['a key of 256 characters', 'k'.repeat(256)],
    ['a tab', 'a\tb'],
    ['a non-ASCII character', 'clé'],
    ['a control character', 'a\u0001b'],
  ])('refuses %s with a 400 naming the header', (_what, raw) => {
    let error: unknown;
    try {
      parseIdempotencyKey(raw);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ExecutionError);
    expect((error as ExecutionError).code).toBe('InvalidIdempotencyKey');
    expect((error as ExecutionError).message).toContain('Idempotency-Key');
  });
});

describe('the documented request schemas', () => {
  const ajv = new Ajv2020({ strict: false });
  const schemas = apiSchemas();
  // Short strings of any characters, and strings at the length bound, where an astral character counts once in
  // JSON Schema's maxLength (code points) and twice in a JavaScript string's length.
  const text = (max: number) => fc.oneof(
    fc.string({ unit: 'grapheme', maxLength: 8 }),
    fc.string({ unit: fc.constantFrom('a', '\u{1F600}'), minLength: Math.max(0, max - 3), maxLength: max + 1 }),
  );
  const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
  // Each field: absent, a string near its bounds, or something else a client might send.
  const field = (max: number) => fc.oneof(optional(text(max)), fc.integer(), fc.constant(null), fc.constant(''), fc.constant('x'.repeat(max)));

  it('RunRequest: every body the document accepts, the run API takes', () => {
    const accepts = ajv.compile(schemas.RunRequest);
    fc.assert(fc.property(fc.record({ branch: field(255), commit: field(64) }, { requiredKeys: [] }), (body) => {
      if (accepts(body)) expect(() => parseRunTarget(body)).not.toThrow();
    }), { numRuns: 2000 });
  });

  it('ApprovalAnswer: every body the document accepts, approve and reject take', () => {
    const accepts = ajv.compile(schemas.ApprovalAnswer);
    const ref = fc.oneof(field(256), fc.integer({ min: -2, max: 5 }), fc.double());
    fc.assert(fc.property(fc.record({ stage: ref, step: ref, comment: field(4096) }, { requiredKeys: [] }), (body) => {
      if (accepts(body)) expect(() => parseApprovalAnswer(body)).not.toThrow();
    }), { numRuns: 2000 });
  });

  it('StopRequest: every body the document accepts, stop takes', () => {
    const accepts = ajv.compile(schemas.StopRequest);
    fc.assert(fc.property(fc.record({ reason: field(500) }, { requiredKeys: [] }), (body) => {
      if (accepts(body)) expect(() => parseStopRequest(body)).not.toThrow();
    }), { numRuns: 2000 });
  });
});

describe('parseStopRequest', () => {
  it('takes no body, an empty one, or a reason of up to 500 characters', () => {
    expect(parseStopRequest(undefined)).toEqual({});
    expect(parseStopRequest({})).toEqual({});
    expect(parseStopRequest({ reason: 'r'.repeat(500) })).toEqual({ reason: 'r'.repeat(500) });
  });

  it('refuses a reason that is too long or not a string, naming the field', () => {
    for (const body of [{ reason: 'r'.repeat(501) }, { reason: 42 }, { reason: '' }, 'stop']) {
      expect(() => parseStopRequest(body)).toThrow(expect.objectContaining({ code: 'InvalidStopRequest' }));
    }
    expect(() => parseStopRequest({ reason: 7 })).toThrow(/reason/);
  });
});
