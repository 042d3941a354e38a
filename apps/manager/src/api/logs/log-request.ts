// The query of a log request, checked field by field: every refusal names the parameter (`/query/<name>`).
import { MAX_PATTERN_LENGTH } from '@keelson/logs';
import { ApiProblem } from '../problem/api-problem';

export interface StepSelector {
  stage: number;
  step: number;
}

/** Where a read starts and ends, in bytes of the stored log. */
export type ReadWindow =
  | { kind: 'all' }
  | { kind: 'offset'; offset: number }
  | { kind: 'tail'; bytes: number }
  | { kind: 'range'; first: number; last?: number }
  | { kind: 'suffix'; bytes: number };

type Query = Record<string, unknown>;

export function invalid(name: string, detail: string): ApiProblem {
  return new ApiProblem('invalid-request', 400, 'Invalid request', `${name}: ${detail}`, { errors: [{ pointer: `/query/${name}`, detail }] });
}

function single(query: Query, name: string): string | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw invalid(name, 'give it once');
  return value;
}

export function integerParam(query: Query, name: string, max: number): number | undefined {
  const raw = single(query, name);
  if (raw === undefined) return undefined;
  if (!/^\d{1,16}$/.test(raw) || Number(raw) > max) throw invalid(name, `must be an integer from 0 to ${max}`);
  return Number(raw);
}

/** `stage` and `step` together, or neither (the whole run). */
export function stepSelector(query: Query): StepSelector | undefined {
  const stage = integerParam(query, 'stage', 255);
  const step = integerParam(query, 'step', 255);
  if (stage === undefined && step === undefined) return undefined;
  if (stage === undefined) throw invalid('stage', 'required with step');
  if (step === undefined) throw invalid('step', 'required with stage');
  return { stage, step };
}

export function flag(query: Query, name: string): boolean {
  const raw = single(query, name);
  if (raw === undefined) return false;
  if (!['1', 'true', '0', 'false', ''].includes(raw)) throw invalid(name, 'must be 1, true, 0 or false');
  return raw === '1' || raw === 'true' || raw === '';
}

/** `offset`, `tail` and a Range header are alternatives: at most one. */
export function readWindow(query: Query, range: string | undefined): ReadWindow {
  const offset = integerParam(query, 'offset', Number.MAX_SAFE_INTEGER);
  const tail = integerParam(query, 'tail', Number.MAX_SAFE_INTEGER);
  const given = [offset !== undefined && 'offset', tail !== undefined && 'tail', range !== undefined && 'Range'].filter(Boolean);
  if (given.length > 1) throw invalid(offset !== undefined ? 'offset' : 'tail', `give only one of offset, tail and a Range header (got ${given.join(', ')})`);
  if (offset !== undefined) return { kind: 'offset', offset };
  if (tail !== undefined) return { kind: 'tail', bytes: tail };
  if (range === undefined) return { kind: 'all' };
  const m = /^bytes=(\d{0,16})-(\d{0,16})$/.exec(range.trim());
  if (!m || (m[1] === '' && m[2] === '')) throw new ApiProblem('invalid-request', 416, 'Range Not Satisfiable', 'Range: only one byte range, `bytes=first-last`, `bytes=first-` or `bytes=-suffix`');
  if (m[1] === '') return { kind: 'suffix', bytes: Number(m[2]) };
  const first = Number(m[1]);
  const last = m[2] === '' ? undefined : Number(m[2]);
  if (last !== undefined && last < first) throw new ApiProblem('invalid-request', 416, 'Range Not Satisfiable', 'Range: the last byte is before the first');
  return { kind: 'range', first, ...(last !== undefined && { last }) };
}

/** `Last-Event-ID`: the byte offset of the last event the client saw. */
export function lastEventId(header: string | undefined): number | undefined {
  if (header === undefined || header === '') return undefined;
  if (!/^\d{1,16}$/.test(header.trim())) throw new ApiProblem('invalid-request', 400, 'Invalid request', 'Last-Event-ID: must be a byte offset this API sent as an event id', { errors: [{ pointer: '/header/last-event-id', detail: 'not a byte offset' }] });
  return Number(header.trim());
}

export interface SearchRequest {
  pattern: string;
  regex: boolean;
  ignoreCase: boolean;
  limit: number;
}

/** `q` (a literal) or `regex` (a pattern), exactly one. */
export function searchRequest(query: Query): SearchRequest {
  const q = single(query, 'q');
  const regex = single(query, 'regex');
  if ((q === undefined) === (regex === undefined)) throw invalid(q === undefined ? 'q' : 'regex', 'give either q (a literal) or regex (a regular expression)');
  const pattern = (q ?? regex) as string;
  const name = q !== undefined ? 'q' : 'regex';
  if (pattern.length === 0) throw invalid(name, 'must not be empty');
  if (pattern.length > MAX_PATTERN_LENGTH) throw invalid(name, `at most ${MAX_PATTERN_LENGTH} characters`);
  return { pattern, regex: regex !== undefined, ignoreCase: flag(query, 'ignoreCase'), limit: integerParam(query, 'limit', 10_000) ?? 1000 };
}
