// Is the repository a delivery names the one a Pipeline builds? Compared by host and path, whatever the form
// (https, ssh, scp-like `git@host:owner/repo`), case-insensitively and without `.git`: a hook copied from
// another repository, or a secret reused across pipelines, must not start this pipeline's builds.
import type { EventRepository } from './webhook-event';

/** `host/owner/repo`, lowercased; undefined when the text is no repository URL. Ports are ignored (ssh and http differ). */
export function repositoryIdentity(url: string): string | undefined {
  const text = url.trim();
  const scpLike = /^[\w.-]+@([^:/\s]+):(?!\/)(.+)$/.exec(text);
  let host: string;
  let path: string;
  if (scpLike) {
    [host, path] = [scpLike[1], scpLike[2]];
  } else {
    let parsed: URL;
    try {
      parsed = new URL(text);
    } catch {
      return undefined;
    }
    if (!['http:', 'https:', 'ssh:', 'git:'].includes(parsed.protocol) || !parsed.hostname) return undefined;
    [host, path] = [parsed.hostname, decodeURIComponent(parsed.pathname)];
  }
  const cleaned = path.replace(/^\/+|\/+$/g, '').replace(/\.git$/i, '');
  if (cleaned === '') return undefined;
  return `${host.toLowerCase()}/${cleaned.toLowerCase()}`;
}

/** True when any URL of the delivery's repository is the pipeline's repository. */
export function isPipelineRepository(repository: EventRepository, pipelineRepositoryUrl: string): boolean {
  const wanted = repositoryIdentity(pipelineRepositoryUrl);
  return wanted !== undefined && repository.urls.some((url) => repositoryIdentity(url) === wanted);
}
