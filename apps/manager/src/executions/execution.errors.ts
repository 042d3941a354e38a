// Errors of creating and running executions, turned into HTTP answers only at the API's edge.
export const EXECUTION_ERROR_CODES = [
  'PipelineNotFound', // the pipeline named does not exist
  'ExecutionNotFound', // the execution named does not exist
  'InvalidRunTarget', // neither a branch nor a commit, or a malformed one
  'RefNotFound', // the branch or commit does not exist in the repository
  'RepositoryUnavailable', // git could not reach the repository (retryable)
  'RepositoryUnreachable', // reading an existing run's file: git could not reach the repository (retryable; a 502, the repository is the upstream)
  'RepositoryAccessDenied', // the repository refused the pipeline's credential, or wants one and it has none
  'PipelineSuspended', // the pipeline is suspended
  'NotStoppable', // the execution has already finished
  'NoPendingApproval', // approve or reject of a step that does not wait for one (or another user settled it first)
  'InvalidApprovalAnswer', // an approve or reject body that does not name a stage and a step
  'InvalidStopRequest', // a stop body whose reason is not a string of at most STOP_REASON_MAX_LENGTH characters
  'NotAnApprover', // the step's approval names users or groups, and the caller is none of them
  'InvalidIdempotencyKey', // an Idempotency-Key header that is empty, too long or not printable
  'IdempotencyKeyReused', // the Idempotency-Key already made an execution for another request
  'EngineUnavailable', // Jenkins did not answer (retryable)
  'ConfigNotFound', // the run's pipeline file is no longer at its commit (or the run recorded none)
  'ConfigTooLarge', // the run's pipeline file is larger than the API shows
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
