// Errors of the Jenkins compiler. Every one of them is caused by the input (the pipeline, its plan or the
// settings), so none is retryable: the execution fails with the message and the user or operator fixes it.

export const JENKINS_COMPILE_ERROR_CODES = [
  'UnrepresentableText', // a character no target language can carry (U+FFFF in Groovy, NUL in shell, ...)
  'PlanMismatch', // the execution plan does not describe the same stages and steps as the config
  'InvalidCommit', // the commit is not a full hexadecimal SHA, so an exact checkout is impossible
  'PrivilegedNotAllowed', // a step asks for a privileged container and the operator has not allowed it
  'InvalidSetting', // a setting the compiler relies on is malformed or missing (cache root, envSecret, ...)
  'InvalidCachePath', // a cache path that would escape its directory
  'InvalidImageReference', // a publish target that is not an image reference
  'InvalidBuildPath', // a build context the image builder would fetch from elsewhere instead of the checkout
  'InvalidRef', // a git ref that is not a valid ref name
  'InvalidName', // a resource name that is not the DNS name Kubernetes guarantees
  'InvalidQuantity', // a CPU or memory request or limit that is not a Kubernetes quantity
] as const;
export type JenkinsCompileErrorCode = (typeof JENKINS_COMPILE_ERROR_CODES)[number];

export class JenkinsCompileError extends Error {
  readonly retryable = false;

  constructor(
    readonly code: JenkinsCompileErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'JenkinsCompileError';
  }
}
