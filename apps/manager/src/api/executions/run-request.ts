// Request bodies and headers of the run API, checked by hand: a handful of optional strings needs no validation library.
import { ExecutionError, type ExecutionErrorCode } from '../../executions/execution.errors';
import type { RunTarget } from '../../executions/execution-preparer';
import type { ApprovalAnswer } from '../../executions/execution-actions.service';
import { STOP_REASON_MAX_LENGTH } from '../../executions/stop-reason';
import { defineApiSchema } from '../openapi/api-schemas';

type BodyErrorCode = Extract<ExecutionErrorCode, 'InvalidRunTarget' | 'InvalidApprovalAnswer' | 'InvalidStopRequest'>;

/** Length in code points, as JSON Schema's maxLength and the apiserver count it (an emoji is one, not two). */
const lengthOf = (value: string): number => [...value].length;

function optionalString(body: Record<string, unknown>, field: string, max: number, code: BodyErrorCode): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value.length === 0 || lengthOf(value) > max) {
    throw new ExecutionError(code, `${field} must be a non-empty string of at most ${max} characters`);
  }
  return value;
}

function objectBody(body: unknown, code: BodyErrorCode): Record<string, unknown> {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) throw new ExecutionError(code, 'the request body must be a JSON object');
  return body as Record<string, unknown>;
}

export function parseRunTarget(raw: unknown): RunTarget {
  const body = objectBody(raw, 'InvalidRunTarget');
  const branch = optionalString(body, 'branch', 255, 'InvalidRunTarget');
  const commit = optionalString(body, 'commit', 64, 'InvalidRunTarget');
  if (commit) return { commit, branch };
  if (branch) return { branch };
  throw new ExecutionError('InvalidRunTarget', 'name a branch or a commit: {"branch": "main"} or {"commit": "<sha>"}');
}

export function parseApprovalAnswer(raw: unknown): ApprovalAnswer {
  const body = objectBody(raw, 'InvalidApprovalAnswer');
  const pick = (field: 'stage' | 'step'): string | number => {
    const value = body[field];
    if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value;
    if (typeof value === 'string' && value.length > 0 && lengthOf(value) <= 256) return value;
    throw new ExecutionError('InvalidApprovalAnswer', `${field} must be a name or a 0-based index`);
  };
  return { stage: pick('stage'), step: pick('step'), comment: optionalString(body, 'comment', 4096, 'InvalidApprovalAnswer') };
}

/** A stop's optional reason (no body at all is a stop without one). */
export function parseStopRequest(raw: unknown): { reason?: string } {
  const body = objectBody(raw, 'InvalidStopRequest');
  const reason = optionalString(body, 'reason', STOP_REASON_MAX_LENGTH, 'InvalidStopRequest');
  return reason === undefined ? {} : { reason };
}

export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';
const MAX_IDEMPOTENCY_KEY = 255;

/**
 * The optional Idempotency-Key header (draft-ietf-httpapi-idempotency-key-header): 1 to 255 printable ASCII
 * characters. Express joins a repeated header with ", ", which is then one key like any other.
 */
export function parseIdempotencyKey(raw: string | string[] | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const value = Array.isArray(raw) ? raw.join(', ') : raw;
  if (value.length === 0 || value.length > MAX_IDEMPOTENCY_KEY || !/^[\x20-\x7e]+$/.test(value)) {
    throw new ExecutionError('InvalidIdempotencyKey', `the ${IDEMPOTENCY_KEY_HEADER} header must be 1 to ${MAX_IDEMPOTENCY_KEY} printable ASCII characters`);
  }
  return value;
}

// The same bodies as schemas of the OpenAPI document; a test checks that what they accept the parsers take.
export const RUN_REQUEST_SCHEMA = defineApiSchema('RunRequest', {
  type: 'object',
  description: 'What to run: a branch (its tip), a commit, or both (the commit, reported on the branch).',
  properties: {
    branch: { type: 'string', minLength: 1, maxLength: 255, description: 'Branch name, e.g. main.' },
    commit: { type: 'string', minLength: 1, maxLength: 64, description: 'Commit SHA.' },
  },
  anyOf: [{ required: ['branch'] }, { required: ['commit'] }],
});

const stepRef = (what: string) => ({
  description: `The ${what}: its name, or its 0-based index.`,
  oneOf: [{ type: 'string', minLength: 1, maxLength: 256 }, { type: 'integer', minimum: 0 }],
});

export const APPROVAL_ANSWER_SCHEMA = defineApiSchema('ApprovalAnswer', {
  type: 'object',
  description: 'The approval step answered, and why.',
  required: ['stage', 'step'],
  properties: {
    stage: stepRef('stage'),
    step: stepRef('step within the stage'),
    comment: { type: 'string', minLength: 1, maxLength: 4096, description: 'Recorded with the answer.' },
  },
});

export const STOP_REQUEST_SCHEMA = defineApiSchema('StopRequest', {
  type: 'object',
  description: 'Why the execution is stopped (optional; the body may be left out).',
  properties: {
    reason: { type: 'string', minLength: 1, maxLength: STOP_REASON_MAX_LENGTH, description: 'Shown with the run, with who stopped it, in status.reason.' },
  },
});

export const IDEMPOTENCY_KEY_PARAMETER = {
  name: IDEMPOTENCY_KEY_HEADER,
  required: false,
  description: 'Makes a retried request safe: the same key (per user and pipeline) answers with the execution the first request made (200, Idempotent-Replayed: true); reused for another request it is 422.',
  schema: { type: 'string', minLength: 1, maxLength: MAX_IDEMPOTENCY_KEY, pattern: '^[\\x20-\\x7e]+$' },
};
