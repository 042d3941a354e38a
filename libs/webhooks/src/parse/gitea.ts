// Gitea's and Forgejo's deliveries: GitHub's shapes, with Gitea's own words (providers-api.md §3.8). A branch
// deletion comes only as `delete`; a tag also comes as `create` beside its `push`, which is the one that runs.
// Checked against real Gitea 1.26.0 deliveries (test/fixtures/gitea, gitea-fixtures.spec.ts).
import { PayloadReader } from '../payload-reader';
import type { WebhookEvent } from '../webhook-event';
import { githubStyleRepository, parseGithubStylePullRequest, parseGithubStylePush } from './github';

const GITEA_PR_ACTIONS = new Set(['opened', 'reopened', 'synchronized']);

export function parseGitea(event: string, body: unknown): WebhookEvent {
  const payload = new PayloadReader(body);
  switch (event) {
    case 'push':
      // "Test Delivery" (API and web UI) is Gitea's only ping: a push of the default branch's head, or of a fake
      // all-zero commit, with before = after, which no real push has. Like GitHub's ping it starts nothing.
      if (isTestDelivery(payload)) return { kind: 'ignored', reason: 'Gitea test delivery (before equals after): no push to run', repository: optionalRepository(payload) };
      return parseGithubStylePush(payload);
    case 'pull_request': return parseGithubStylePullRequest(payload, GITEA_PR_ACTIONS);
    case 'create':
    case 'delete':
      return { kind: 'ignored', reason: `${event} events do not start runs (a new tag or branch runs from its push)`, repository: optionalRepository(payload) };
    default: return { kind: 'ignored', reason: `event ${JSON.stringify(event.slice(0, 100))} does not start runs`, repository: optionalRepository(payload) };
  }
}

function optionalRepository(payload: PayloadReader) {
  return payload.has('repository.full_name') ? githubStyleRepository(payload.child('repository')) : undefined;
}

function isTestDelivery(payload: PayloadReader): boolean {
  const before = payload.optionalString('before');
  return before !== undefined && before !== '' && before === payload.optionalString('after');
}
