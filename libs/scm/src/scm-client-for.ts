// The adapter for a configured provider, over one transport bound to that provider's origins.
import type { HostLookup, OutboundPolicy } from '@keelson/outbound';
import { ScmHttp } from './http/scm-http';
import { BitbucketClient } from './providers/bitbucket.client';
import { GiteaClient } from './providers/gitea.client';
import { GitHubClient } from './providers/github.client';
import { GitLabClient } from './providers/gitlab.client';
import type { ProviderContext } from './providers/provider-context';
import { resolveEndpoint } from './scm-endpoint';
import type { ScmClient, ScmEndpoint, ScmProviderType } from './scm.port';

export interface ScmClientOptions {
  /** Where calls may go after DNS; the operator's outbound policy. */
  policy: OutboundPolicy;
  /** How host names are resolved before the check. Default the system resolver. */
  lookup?: HostLookup;
  /** Deadline of one call, redirects and body included. Default 30 s. */
  timeoutMs?: number;
  /** Now, for token expiry and rate-limit waits. Default the system clock. */
  clock?: () => Date;
}

const NAMES: Record<ScmProviderType, string> = { github: 'GitHub', gitlab: 'GitLab', gitea: 'Gitea', bitbucket: 'Bitbucket' };

/** Throws ScmError InvalidEndpoint when the endpoint cannot work. */
export function scmClientFor(endpoint: ScmEndpoint, options: ScmClientOptions): ScmClient {
  const resolved = resolveEndpoint(endpoint);
  const clock = options.clock ?? (() => new Date());
  const http = new ScmHttp({ provider: NAMES[endpoint.type], origins: resolved.origins, policy: options.policy, lookup: options.lookup, timeoutMs: options.timeoutMs, clock });
  const context: ProviderContext = { endpoint, resolved, http, clock };
  switch (endpoint.type) {
    case 'github':
      return new GitHubClient(context);
    case 'gitlab':
      return new GitLabClient(context);
    case 'gitea':
      return new GiteaClient(context);
    case 'bitbucket':
      return new BitbucketClient(context);
  }
}
