// Where a provider's web pages, OAuth endpoints and API live, from the configured endpoint:
// GitHub.com's API is api.github.com, GitHub Enterprise's <url>/api/v3; GitLab <url>/api/v4; Gitea <url>/api/v1;
// Bitbucket Cloud api.bitbucket.org/2.0. The origins found here are the only ones a client ever talks to.
import { ScmError } from './scm.errors';
import { SCM_PROVIDER_TYPES, type ScmEndpoint, type ScmProviderType } from './scm.port';

export interface ResolvedEndpoint {
  type: ScmProviderType;
  /** The web base without a trailing slash: `https://gitlab.example/gitlab`. */
  web: string;
  /** The API base without a trailing slash. */
  api: string;
  /** The origins of web and API. */
  origins: string[];
}

export function resolveEndpoint(endpoint: ScmEndpoint): ResolvedEndpoint {
  if (!SCM_PROVIDER_TYPES.includes(endpoint.type)) {
    throw new ScmError('InvalidEndpoint', `endpoint.type: ${JSON.stringify(endpoint.type)} is not one of ${SCM_PROVIDER_TYPES.join(', ')}`);
  }
  const web = base(endpoint.url, 'endpoint.url');
  const host = new URL(web).hostname.toLowerCase();
  let api: string;
  if (endpoint.apiUrl) api = base(endpoint.apiUrl, 'endpoint.apiUrl');
  else if (endpoint.type === 'github') api = host === 'github.com' || host === 'www.github.com' ? 'https://api.github.com' : `${web}/api/v3`;
  else if (endpoint.type === 'gitlab') api = `${web}/api/v4`;
  else if (endpoint.type === 'gitea') api = `${web}/api/v1`;
  else if (host === 'bitbucket.org' || host === 'www.bitbucket.org') api = 'https://api.bitbucket.org/2.0';
  else throw new ScmError('InvalidEndpoint', `endpoint.apiUrl: required for a Bitbucket endpoint other than https://bitbucket.org (${new URL(web).host})`);
  return { type: endpoint.type, web, api, origins: [...new Set([new URL(web).origin, new URL(api).origin])] };
}

/** The URL without query, fragment, user-info or trailing slash; only http(s). */
function base(text: string, field: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ScmError('InvalidEndpoint', `${field}: ${JSON.stringify(text)} is not an absolute URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ScmError('InvalidEndpoint', `${field}: only http(s) URLs are allowed, not ${url.protocol}`);
  if (url.username || url.password) throw new ScmError('InvalidEndpoint', `${field}: must not carry credentials`);
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}
