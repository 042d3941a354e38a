// API errors: the manager answers application/problem+json (RFC 9457; docs/api-errors.md). ApiError keeps the
// problem's title and detail so every error state can show them.
export interface FieldError {
  pointer: string;
  detail: string;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  code?: string;
  errors?: FieldError[];
}

export class ApiError extends Error {
  constructor(readonly problem: Problem, readonly retryAfterSeconds?: number) {
    super(`${problem.title}: ${problem.detail}`);
    this.name = 'ApiError';
  }

  get status(): number {
    return this.problem.status;
  }

  get unauthenticated(): boolean {
    return this.problem.status === 401;
  }
}

/** Reads an error answer: a problem+json body as it is, anything else (a proxy's HTML page) as a generic problem. */
export async function problemFrom(res: Response): Promise<ApiError> {
  const retry = Number(res.headers.get('Retry-After'));
  const retryAfter = Number.isFinite(retry) && retry > 0 ? retry : undefined;
  const type = res.headers.get('Content-Type') ?? '';
  let text = '';
  try {
    text = await res.text();
  } catch {
    // the body could not be read: the status alone speaks
  }
  if (/json/.test(type)) {
    try {
      const body = JSON.parse(text) as Partial<Problem>;
      if (typeof body.title === 'string') {
        return new ApiError({
          type: body.type ?? 'about:blank', title: body.title, status: body.status ?? res.status,
          detail: typeof body.detail === 'string' ? body.detail : '', instance: body.instance, code: body.code, errors: body.errors,
        }, retryAfter);
      }
    } catch {
      // not JSON after all: fall through
    }
  }
  return new ApiError({
    type: 'about:blank', title: res.statusText || `HTTP ${res.status}`, status: res.status,
    detail: text && !/^\s*</.test(text) ? text.slice(0, 500) : `The server answered ${res.status} without a problem description.`,
  }, retryAfter);
}

/** A network failure (no answer at all), shown like a problem. */
export function networkProblem(err: unknown): ApiError {
  return new ApiError({
    type: 'about:blank', title: 'The manager did not answer', status: 0,
    detail: err instanceof Error ? err.message : String(err),
  });
}
