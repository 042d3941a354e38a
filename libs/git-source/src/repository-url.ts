// The repository URL is passed to git, which understands far more than URLs (scp-like `host:path`, `ext::`
// commands, local paths). Only http(s) URLs pass, and file:// when the operator allows it (tests, local mode).
import { GitSourceError, quote } from './git-source.errors';

const MAX_URL_LENGTH = 2048;

/** The URL with any user:password part removed, safe for a message. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-zA-Z][a-zA-Z0-9+.-]*:\/\/)[^/@]*@/, '$1***@');
}

/** The URL, unchanged, when git may fetch from it; throws `InvalidUrl` otherwise. */
export function validateRepositoryUrl(url: string, options: { allowFileProtocol: boolean }): string {
  const refuse = (problem: string): never => {
    throw new GitSourceError('InvalidUrl', `repository URL ${quote(redactUrl(String(url)))} ${problem}`);
  };
  if (typeof url !== 'string' || url.length === 0) return refuse('is empty');
  if (url.length > MAX_URL_LENGTH) return refuse(`is longer than ${MAX_URL_LENGTH} characters`);
  if (/[\x00-\x20\x7f]/.test(url)) return refuse('contains a space or a control character');
  if (!/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(url)) return refuse('is not an absolute URL');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return refuse('is not a valid URL');
  }
  const allowed = options.allowFileProtocol ? ['https:', 'http:', 'file:'] : ['https:', 'http:'];
  if (!allowed.includes(parsed.protocol)) return refuse(`uses a scheme other than ${allowed.map((p) => p.slice(0, -1)).join(', ')}`);
  if (parsed.username || parsed.password || /^[^/]*\/\/[^/]*@/.test(url)) return refuse('carries credentials; pass them as auth');
  if (parsed.protocol !== 'file:' && !parsed.hostname) return refuse('has no host');
  if (parsed.protocol === 'file:' && (parsed.hostname || parsed.pathname === '/')) return refuse('is not a local repository path');
  return url;
}
