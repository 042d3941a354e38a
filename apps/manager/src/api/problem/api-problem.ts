// An error answer of the REST API in RFC 9457's terms. Routes throw it (or a typed error of their domain that
// the problem filter maps); the filter writes `application/problem+json`. Each `type` is stable: clients branch
// on it, so a new error class gets a new type and docs/api-errors.md says what it means.

/** Where the problem types live; `type` is this plus the slug. */
export const PROBLEM_TYPE_BASE = 'https://keelson.dev/problems/';

/** Stable slugs of the error classes; docs/api-errors.md says what each means (a test keeps the two in step). */
export const PROBLEM_SLUGS = [
  'unauthenticated', 'forbidden', 'not-found', 'invalid-request', 'validation-failed', 'conflict',
  'stale-version', 'unsupported-media-type', 'payload-too-large', 'repository-unreachable', 'unavailable', 'too-many-requests', 'internal',
] as const;
export type ProblemSlug = (typeof PROBLEM_SLUGS)[number];

/** One invalid field: a JSON pointer into the request body (or query: `/query/<name>`) and what is wrong. */
export interface FieldError {
  pointer: string;
  detail: string;
}

export interface ProblemExtensions {
  errors?: FieldError[];
  [member: string]: unknown;
}

export class ApiProblem extends Error {
  constructor(
    readonly slug: ProblemSlug,
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly extensions: ProblemExtensions = {},
    /** Response headers that go with it, e.g. Retry-After or WWW-Authenticate. */
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
    this.name = 'ApiProblem';
  }

  get type(): string {
    return `${PROBLEM_TYPE_BASE}${this.slug}`;
  }
}
