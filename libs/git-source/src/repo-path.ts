// The config file path comes from the Pipeline spec, i.e. from a user. It names a file inside the commit's tree
// and nothing else (path traversal, scenario B7): relative, without "..", without encoded tricks, bounded.
import { GitSourceError, quote } from './git-source.errors';

const MAX_PATH_LENGTH = 1024;
const CONTROL_CHARACTER = /[\x00-\x1f\x7f]/;

/** Why `path` is not an acceptable repository path, or `undefined` when it is one. */
function repoPathProblem(path: string): string | undefined {
  if (typeof path !== 'string' || path.length === 0) return 'is empty';
  if (path.length > MAX_PATH_LENGTH) return `is longer than ${MAX_PATH_LENGTH} characters`;
  if (CONTROL_CHARACTER.test(path)) return 'contains a control character';
  if (path.includes('\\')) return 'contains a backslash';
  if (path.startsWith('/')) return 'is absolute';
  if (/%c[01]/i.test(path)) return 'contains an overlong UTF-8 percent-encoding';
  // A later layer (an URL, a log key) might decode it: refuse what decodes to traversal.
  for (const decoded of percentDecodings(path)) {
    if (decoded.split(/[\\/]/).includes('..')) return 'contains a ".." segment';
    if (decoded !== path && (decoded.startsWith('/') || decoded.includes('\\') || CONTROL_CHARACTER.test(decoded))) {
      return 'contains a percent-encoded separator or control character';
    }
  }
  if (path.split('/').includes('')) return 'has an empty segment';
  return undefined;
}

/** The path and its percent-decodings, up to three levels deep (so `%252e` is seen as `.`). */
function percentDecodings(path: string): string[] {
  const all = [path];
  let current = path;
  for (let i = 0; i < 3 && /%[0-9a-fA-F]{2}/.test(current); i++) {
    current = current.replace(/%[0-9a-fA-F]{2}/g, (hex) => String.fromCharCode(parseInt(hex.slice(1), 16)));
    all.push(current);
  }
  return all;
}

/**
 * The path normalised (`./` segments dropped), when it names a file inside the repository; throws
 * `InvalidPath` otherwise. Whether the path is a regular file is only known at a commit (symlinks are refused there).
 */
export function validateRepoPath(path: string): string {
  const problem = repoPathProblem(path);
  if (problem) throw new GitSourceError('InvalidPath', `path ${quote(String(path))} ${problem}`);
  const normalised = path.split('/').filter((segment) => segment !== '.').join('/');
  if (normalised.length === 0) throw new GitSourceError('InvalidPath', `path ${quote(path)} names no file`);
  return normalised;
}
