// One entry for every provider: the provider's event name and decoded body in, Keelson's events out. A
// Bitbucket push may carry several ref changes, so the answer is a list.
import { parseBitbucket } from './parse/bitbucket';
import { parseGitea } from './parse/gitea';
import { parseGithub } from './parse/github';
import { parseGitlab } from './parse/gitlab';
import type { WebhookEvent, WebhookProvider } from './webhook-event';

/** @throws WebhookPayloadError naming the field when the body is not what the provider documents. */
export function parseDelivery(provider: WebhookProvider, event: string, body: unknown): WebhookEvent[] {
  switch (provider) {
    case 'github': return [parseGithub(event, body)];
    case 'gitea': return [parseGitea(event, body)];
    case 'gitlab': return [parseGitlab(event, body)];
    case 'bitbucket': return parseBitbucket(event, body);
  }
}
