// Errors of creating and running executions, turned into HTTP answers only at the API's edge.
export const EXECUTION_ERROR_CODES = [
  'PipelineNotFound', // the pipeline named does not exist
  'ExecutionNotFound', // the execution named does not exist
  'InvalidRunTarget', // neither a branch nor a commit, or a malformed one
  'RefNotFound', // the branch or commit does not exist in the repository
  'RepositoryUnavailable', // git could not reach the repository (retryable)
  'RepositoryAccessDenied', // the repository refused the pipeline's credential, or wants one and it has none
  'PipelineSuspended', // the pipeline is suspended
  'NotStoppable', // the execution has already finished
  'NoPendingApproval', // approve or reject of a step that does not wait for one (or another user settled it first)
  'InvalidApprovalAnswer', // an approve or reject body that does not name a stage and a step
  'NotAnApprover', // the step's approval names users or groups, and the caller is none of them
  'InvalidIdempotencyKey', // an Idempotency-Key header that is empty, too long or not printable
  'IdempotencyKeyReused', // the Idempotency-Key already made an execution for another request
  'EngineUnavailable', // Jenkins did not answer (retryable)
] as const;
export type ExecutionErrorCode = (typeof EXECUTION_ERROR_CODES)[number];

export class ExecutionError extends Error {
  /** What the caller may be told beside the message (for example who may approve). */
  readonly details: Record<string, unknown>;

  constructor(
    readonly code: ExecutionErrorCode,
    message: string,
    readonly retryable = false,
    options?: { cause?: unknown; details?: Record<string, unknown> },
  ) {
    super(message, options);
    this.name = 'ExecutionError';
    this.details = options?.details ?? {};
  }
}
