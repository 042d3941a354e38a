// Which repository of a provider a clone or web URL names: `acme/app` for https://github.com/acme/app.git,
// git@github.com:acme/app.git or https://user@bitbucket.org/acme/app. A URL of another host is not the provider's.
import { resolveEndpoint } from './scm-endpoint';
import type { ScmEndpoint } from './scm.port';

export function repoRefFromUrl(endpoint: ScmEndpoint, repositoryUrl: string): string | undefined {
  let web: URL;
  try {
    web = new URL(resolveEndpoint(endpoint).web);
  } catch {
    return undefined;
  }
  const parsed = parseRepositoryUrl(repositoryUrl.trim());
  if (!parsed || parsed.hostname.toLowerCase() !== web.hostname.toLowerCase()) return undefined;
  let path = parsed.path;
  if (parsed.port !== undefined) {
    // An http(s) URL names the web server, so its port must be the endpoint's too; ssh ports differ by nature.
    if (parsed.port !== effectivePort(web)) return undefined;
    const prefix = web.pathname.replace(/\/+$/, '');
    if (prefix) {
      if (!path.toLowerCase().startsWith(`${prefix.toLowerCase()}/`)) return undefined;
      path = path.slice(prefix.length);
    }
  }
  const segments = path.replace(/^\/+/, '').replace(/\/+$/, '').replace(/\.git$/i, '').split('/');
  if (segments.some((s) => !s || s === '.' || s === '..')) return undefined;
  // GitLab nests groups (group/sub/project); the others are exactly owner/name.
  const fits = endpoint.type === 'gitlab' ? segments.length >= 2 : segments.length === 2;
  return fits ? segments.join('/') : undefined;
}

interface ParsedRepositoryUrl {
  hostname: string;
  /** Set for http(s) URLs only. */
  port?: number;
  path: string;
}

function parseRepositoryUrl(text: string): ParsedRepositoryUrl | undefined {
  const scp = /^(?:[^@/\s]+@)?([^:/\s]+):(?!\/)(.+)$/.exec(text);
  if (scp && !/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) return { hostname: scp[1], path: `/${scp[2]}` };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  let path: string;
  try {
    path = decodeURIComponent(url.pathname);
  } catch {
    return undefined;
  }
  if (url.protocol === 'ssh:' || url.protocol === 'git+ssh:') return { hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'), path };
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  return { hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'), port: effectivePort(url), path };
}

function effectivePort(url: URL): number {
  return Number(url.port || (url.protocol === 'https:' ? 443 : 80));
}
