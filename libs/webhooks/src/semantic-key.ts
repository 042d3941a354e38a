// What makes two deliveries the same run: the repository, the ref, the commit and the event (and the pull
// request). Providers that redeliver under a new id (GitLab before 17.4, Bitbucket's manual resend) still
// name the same push, so the execution's name derives from this key, not from the delivery id.
import { createHash } from 'node:crypto';
import type { ImagePushEvent } from './registry/registry-event';
import type { RunEvent } from './webhook-event';

export function semanticKey(event: RunEvent): string {
  const parts = [event.kind, event.repository.fullName.toLowerCase(), event.ref, event.commit ?? event.shortCommit ?? ''];
  if (event.pullRequest) parts.push(String(event.pullRequest.number));
  return parts.join('\n');
}

/**
 * A short name-safe digest of the key: 10 base-36 characters, ~51 bits, collision-free in any one pipeline's
 * life. `scope` (the pipeline's uid) keeps two pipelines' digests apart.
 */
export function semanticDigest(event: RunEvent, scope = ''): string {
  return shortDigest(`${scope}\n${semanticKey(event)}`);
}

/**
 * An image push is the same run when it names the same manifest in the same repository, whatever the tag and
 * the event id: a digest pushed again, or under a second tag, never runs twice.
 */
export function imageSemanticDigest(event: Pick<ImagePushEvent, 'repository' | 'digest'>, scope = ''): string {
  return shortDigest(`${scope}\nimage\n${event.repository}\n${event.digest}`);
}

function shortDigest(text: string): string {
  const hex = createHash('sha256').update(text).digest('hex').slice(0, 13);
  return BigInt(`0x${hex}`).toString(36).padStart(10, '0').slice(-10);
}
