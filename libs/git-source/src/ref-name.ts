// Branch names and commit SHAs reach git as arguments, so they are checked before git runs (git argument
// injection, scenario B9): the rules of `git check-ref-format --branch`, plus a refusal of a leading `-`.
import { GitSourceError, quote } from './git-source.errors';

const MAX_BRANCH_LENGTH = 1024;
// Control characters, space and the characters git reserves for revision syntax and globs.
const FORBIDDEN_CHARACTER = /[\x00-\x20\x7f~^:?*[\\]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why `name` is not a valid branch name, or `undefined` when it is one. */
export function branchNameProblem(name: string): string | undefined {
  if (typeof name !== 'string' || name.length === 0) return 'is empty';
  if (name.length > MAX_BRANCH_LENGTH) return `is longer than ${MAX_BRANCH_LENGTH} characters`;
  if (name.startsWith('-')) return 'starts with "-"';
  if (FORBIDDEN_CHARACTER.test(name)) return 'contains a space, a control character or one of ~^:?*[\\';
  if (LONE_SURROGATE.test(name)) return 'is not valid Unicode';
  if (name.includes('..')) return 'contains ".."';
  if (name.includes('@{')) return 'contains "@{"';
  if (name === '@') return 'is "@"';
  // Newer git refuses HEAD as a branch name; refs/heads/HEAD only confuses revision parsing.
  if (name === 'HEAD') return 'is "HEAD"';
  if (name.startsWith('/') || name.endsWith('/') || name.includes('//')) return 'has an empty path component';
  if (name.endsWith('.')) return 'ends with "."';
  for (const component of name.split('/')) {
    if (component.startsWith('.')) return 'has a component starting with "."';
    if (component.endsWith('.lock')) return 'has a component ending with ".lock"';
  }
  return undefined;
}

/** The branch name, unchanged, when `git check-ref-format --branch` would accept it; throws `InvalidRef` otherwise. */
export function validateBranchName(name: string): string {
  const problem = branchNameProblem(name);
  if (problem) throw new GitSourceError('InvalidRef', `branch ${quote(String(name))} ${problem}`);
  return name;
}

/** A full SHA-1 (40 hex) or SHA-256 (64 hex) object name, lowercased; throws `InvalidCommit` otherwise. */
export function validateCommitSha(sha: string): string {
  if (typeof sha !== 'string' || !/^(?:[0-9a-fA-F]{40}|[0-9a-fA-F]{64})$/.test(sha)) {
    throw new GitSourceError('InvalidCommit', `commit ${quote(String(sha))} is not a full 40- or 64-character hexadecimal SHA`);
  }
  return sha.toLowerCase();
}
