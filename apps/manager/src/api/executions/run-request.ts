// Request bodies of the run API, checked by hand: a handful of optional strings needs no validation library.
import { ExecutionError } from '../../executions/execution.errors';
import type { RunTarget } from '../../executions/execution-preparer';
import type { ApprovalAnswer } from '../../executions/execution-actions.service';

function optionalString(body: Record<string, unknown>, field: string, max: number): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value.length === 0 || value.length > max) {
    throw new ExecutionError('InvalidRunTarget', `${field} must be a non-empty string of at most ${max} characters`);
  }
  return value;
}

function objectBody(body: unknown): Record<string, unknown> {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) throw new ExecutionError('InvalidRunTarget', 'the request body must be a JSON object');
  return body as Record<string, unknown>;
}

export function parseRunTarget(raw: unknown): RunTarget {
  const body = objectBody(raw);
  const branch = optionalString(body, 'branch', 255);
  const commit = optionalString(body, 'commit', 64);
  if (commit) return { commit, branch };
  if (branch) return { branch };
  throw new ExecutionError('InvalidRunTarget', 'name a branch or a commit: {"branch": "main"} or {"commit": "<sha>"}');
}

export function parseApprovalAnswer(raw: unknown): ApprovalAnswer {
  const body = objectBody(raw);
  const pick = (field: 'stage' | 'step'): string | number => {
    const value = body[field];
    if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value;
    if (typeof value === 'string' && value.length > 0 && value.length <= 256) return value;
    throw new ExecutionError('NoPendingApproval', `${field} must be a name or a 0-based index`);
  };
  return { stage: pick('stage'), step: pick('step'), comment: optionalString(body, 'comment', 4096) };
}
