// The one place where git's stderr becomes a GitSourceError. git runs with LC_ALL=C, so its messages are the
// English ones matched here. Every message is scrubbed of the credentials before it leaves.
import { GitRunFailure } from './git-runner';
import { GitSourceError, GitSourceErrorCode } from './git-source.errors';

export type GitOperation = 'ls-remote' | 'fetch' | 'read';

const PATTERNS: Array<[RegExp, GitSourceErrorCode, GitOperation[]?]> = [
  [/Authentication failed|could not read (Username|Password)|terminal prompts disabled|returned error: 40[13]|Access denied/i, 'AuthFailed'],
  [/not our ref|no such remote ref|couldn't find remote ref|unadvertised object|bad object|did not send all necessary objects/i, 'CommitNotFound', ['fetch']],
  [/repository '.*' not found|does not appear to be a git repository|not a git repository|returned error: 404/i, 'RepositoryNotFound'],
  [/returned error: 30[1-8]/i, 'DestinationRefused'], // a redirect, which git was told not to follow
  [/Could not resolve (host|proxy)|Connection refused|Failed to connect|Connection timed out|Connection reset|Operation timed out|returned error: 5\d\d|Empty reply|early EOF|hung up unexpectedly|transfer closed|unable to access/i, 'Unreachable'],
];

/** Replaces every occurrence of the secrets (raw and URL-encoded) and any URL user-info. */
export function scrub(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) {
    if (secret.length === 0) continue;
    for (const form of new Set([secret, encodeURIComponent(secret)])) result = result.split(form).join('***');
  }
  return result.replace(/([a-zA-Z][a-zA-Z0-9+.-]*:\/\/)[^\s/@'"]*@/g, '$1***@');
}

/** The last meaningful line git printed, scrubbed and bounded. */
function gitSaid(stderr: string, secrets: readonly string[]): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter((l) => l.length > 0);
  const line = lines.reverse().find((l) => /^(fatal|error|remote):/i.test(l)) ?? lines[0] ?? '';
  return scrub(line, secrets).slice(0, 500);
}

export function translateGitFailure(
  failure: unknown, operation: GitOperation, context: { what: string; timeoutMs: number; secrets: readonly string[] },
): GitSourceError {
  if (failure instanceof GitSourceError) return failure;
  if (!(failure instanceof GitRunFailure)) {
    return new GitSourceError('GitFailed', `${context.what}: ${scrub(String(failure), context.secrets)}`);
  }
  if (failure.reason === 'timeout') return new GitSourceError('Timeout', `${context.what}: git ${operation} did not finish within ${context.timeoutMs} ms`);
  if (failure.reason === 'spawn') {
    return new GitSourceError('GitFailed', `${context.what}: could not run git (${failure.spawnError?.message ?? 'unknown error'})`);
  }
  const said = gitSaid(failure.stderr, context.secrets);
  // The cause carries only scrubbed text: raw stderr or argv never leave this function.
  const cause = new Error(scrub(failure.stderr, context.secrets).slice(-2000));
  for (const [pattern, code, operations] of PATTERNS) {
    if (pattern.test(failure.stderr) && (!operations || operations.includes(operation))) {
      const hint = code === 'DestinationRefused' ? ' (the server redirects elsewhere; redirects are never followed, so name the repository\'s own URL)' : '';
      return new GitSourceError(code, `${context.what}: ${said}${hint}`, { cause });
    }
  }
  return new GitSourceError('GitFailed', `${context.what}: git ${operation} failed (exit ${failure.exitCode}): ${said}`, { cause });
}
