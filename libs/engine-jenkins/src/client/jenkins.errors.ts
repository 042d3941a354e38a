// Errors of the Jenkins HTTP client, translated in one place (jenkins-http.ts) from HTTP answers and network
// failures. Messages and causes never carry credentials: the cause of a network failure is a fresh Error with
// the failure's code, never the axios error (whose config holds the password and the Authorization header).

export const JENKINS_CLIENT_ERROR_CODES = [
  'Unreachable', // connection refused or reset, DNS, timeout, 5xx: Jenkins is down or starting; retry
  'Unauthorized', // 401: the username or password/token is wrong
  'Forbidden', // 403 even after a fresh crumb: the user lacks a permission
  'NotFound', // 404 on a job, build, queue item or credential the call needs
  'JobDisabled', // 409 on buildWithParameters: the job is not buildable
  'NotParameterized', // 500 "This build is not parameterized!": the job lacks the EXECUTION_ID parameter
  'NothingScheduled', // 302 to "." on buildWithParameters: the queue refused the item
  'InputNotPending', // 404 on an input answer: no such input waits (already answered, or the run moved on)
  'Conflict', // 409 elsewhere
  'BadRequest', // 400: Jenkins refused what we sent
  'BadResponse', // an answer we cannot read (unexpected status, missing header, malformed JSON, too large)
  'InvalidInput', // the caller's arguments cannot be sent (a ref without what the call needs, unrepresentable text)
] as const;
export type JenkinsClientErrorCode = (typeof JENKINS_CLIENT_ERROR_CODES)[number];

export class JenkinsClientError extends Error {
  readonly retryable: boolean;
  /** HTTP status of the answer, when there was one. */
  readonly status?: number;

  constructor(
    readonly code: JenkinsClientErrorCode,
    message: string,
    options: { retryable?: boolean; status?: number; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'JenkinsClientError';
    this.retryable = options.retryable ?? code === 'Unreachable';
    if (options.status !== undefined) this.status = options.status;
  }
}

export const isJenkinsNotFound = (err: unknown): boolean => err instanceof JenkinsClientError && err.code === 'NotFound';
