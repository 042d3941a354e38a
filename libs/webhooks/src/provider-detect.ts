// Which provider sent a delivery, from its headers alone. Gitea and Forgejo also send GitHub's headers
// (X-GitHub-Event, X-Hub-Signature-256), so they are recognised first.
import type { WebhookProvider } from './webhook-event';

export type Headers = Record<string, string | string[] | undefined>;

export function header(headers: Headers, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** The provider whose event header is there and not empty. */
export function detectProvider(headers: Headers): WebhookProvider | undefined {
  const has = (name: string) => (header(headers, name) ?? '') !== '';
  if (has('x-gitea-event') || has('x-forgejo-event')) return 'gitea';
  if (has('x-gitlab-event')) return 'gitlab';
  if (has('x-github-event')) return 'github';
  if (has('x-event-key')) return 'bitbucket';
  return undefined;
}

/** The provider's event name: coarse for Gitea (push, pull_request, create, delete, ...). */
export function eventName(provider: WebhookProvider, headers: Headers): string {
  switch (provider) {
    case 'gitea': return header(headers, 'x-gitea-event') ?? header(headers, 'x-forgejo-event') ?? '';
    case 'gitlab': return header(headers, 'x-gitlab-event') ?? '';
    case 'github': return header(headers, 'x-github-event') ?? '';
    case 'bitbucket': return header(headers, 'x-event-key') ?? '';
  }
}

/**
 * The provider's id of this delivery, the same on a redelivery (webhooks.md): GitLab's Idempotency-Key (17.4+)
 * before its event UUID, which recursive hooks share.
 */
export function deliveryId(provider: WebhookProvider, headers: Headers): string | undefined {
  const first = (...names: string[]) => names.map((n) => header(headers, n)).find((v) => v !== undefined && v !== '');
  switch (provider) {
    case 'gitea': return first('x-gitea-delivery', 'x-forgejo-delivery');
    case 'gitlab': return first('idempotency-key', 'x-gitlab-event-uuid');
    case 'github': return first('x-github-delivery');
    case 'bitbucket': return first('x-request-uuid', 'x-request-id');
  }
}
