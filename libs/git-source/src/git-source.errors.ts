// Errors of reading configuration from git. Input errors (a bad ref, path or URL, a missing commit) are
// permanent; only a remote that cannot be reached or answers too slowly is worth retrying.

export const GIT_SOURCE_ERROR_CODES = [
  'InvalidRef', // a branch name git would refuse, or one that looks like an option
  'InvalidCommit', // not a full 40- or 64-hex SHA
  'InvalidPath', // a config path that is absolute, escapes the repository, or is not a regular file
  'InvalidUrl', // a repository URL with a refused scheme, embedded credentials or control characters
  'DestinationRefused', // the outbound policy refuses the host (an address, plain http) or the server redirected
  'RefNotFound', // the branch does not exist at the remote
  'CommitNotFound', // the remote does not have (or will not serve) that commit
  'RepositoryNotFound', // no repository at that URL
  'FileTooLarge', // the file is bigger than the configured cap
  'SymlinkRefused', // the path is a symbolic link in the commit; links are never followed
  'AuthFailed', // the remote refused the credentials, or asked for some and none were given
  'Unreachable', // network failure or a 5xx from the remote
  'Timeout', // git did not finish in time
  'GitFailed', // any other failure of git itself
] as const;
export type GitSourceErrorCode = (typeof GIT_SOURCE_ERROR_CODES)[number];

const RETRYABLE: ReadonlySet<GitSourceErrorCode> = new Set(['Unreachable', 'Timeout']);

export class GitSourceError extends Error {
  readonly retryable: boolean;

  constructor(
    readonly code: GitSourceErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'GitSourceError';
    this.retryable = RETRYABLE.has(code);
  }
}

/** A user-supplied value, quoted and escaped for an error message, and cut short so a 4 KB path stays readable. */
export function quote(value: string, max = 200): string {
  return JSON.stringify(value.length > max ? `${value.slice(0, max)}…` : value);
}
