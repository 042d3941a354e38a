/** A failed apiserver call, translated in one place from the HTTP answer (a metav1.Status body). */
/** metav1.StatusCause. */
export interface KubeErrorCause {
  field?: string;
  message?: string;
  reason?: string;
}

export class KubeError extends Error {
  readonly code: string;

  constructor(
    readonly status: number,
    /** metav1.Status reason: NotFound, AlreadyExists, Conflict, Invalid, Gone, Forbidden, ... */
    readonly reason: string,
    message: string,
    /** Field paths the apiserver named (for Invalid), e.g. `spec.repositoryUrl`. */
    readonly fields: string[] = [],
    /** The apiserver's causes (for Invalid): which field, and what is wrong with it. */
    readonly causes: KubeErrorCause[] = [],
  ) {
    super(message);
    this.name = 'KubeError';
    this.code = `Kube${reason || status}`;
  }

  /** Worth retrying as is: the server was busy, unreachable or timed out. */
  get retryable(): boolean {
    return this.status === 0 || this.status === 429 || this.status >= 500;
  }

  static fromResponse(status: number, body: unknown): KubeError {
    const s = (body && typeof body === 'object' ? body : {}) as {
      reason?: string; message?: string; details?: { causes?: Array<{ field?: unknown; message?: unknown; reason?: unknown }> };
    };
    const causes: KubeErrorCause[] = (Array.isArray(s.details?.causes) ? s.details.causes : []).map((c) => ({
      ...(typeof c?.field === 'string' && { field: c.field }),
      ...(typeof c?.message === 'string' && { message: c.message }),
      ...(typeof c?.reason === 'string' && { reason: c.reason }),
    }));
    const fields = causes.map((c) => c.field).filter((f): f is string => !!f);
    const message = s.message ?? (typeof body === 'string' && body ? body.slice(0, 500) : `HTTP ${status}`);
    return new KubeError(status, s.reason ?? reasonOf(status), message, fields, causes);
  }
}

function reasonOf(status: number): string {
  return ({ 400: 'BadRequest', 401: 'Unauthorized', 403: 'Forbidden', 404: 'NotFound', 409: 'Conflict', 410: 'Gone',
    422: 'Invalid', 429: 'TooManyRequests' } as Record<number, string>)[status] ?? (status >= 500 ? 'InternalError' : '');
}

export const isNotFound = (err: unknown): boolean => err instanceof KubeError && err.status === 404;
export const isConflict = (err: unknown): boolean => err instanceof KubeError && err.status === 409 && err.reason === 'Conflict';
export const isAlreadyExists = (err: unknown): boolean => err instanceof KubeError && err.reason === 'AlreadyExists';
export const isGone = (err: unknown): boolean => err instanceof KubeError && err.status === 410;
