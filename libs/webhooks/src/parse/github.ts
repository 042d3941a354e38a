// GitHub's push and pull_request deliveries (providers-api.md §1.8). Gitea's payloads share this shape.
import { firstLine, isZeroSha, PayloadReader } from '../payload-reader';
import { checkRefName, checkSha, pushEvent } from '../ref-event';
import type { EventRepository, WebhookEvent } from '../webhook-event';

/** Pull request actions that mean "run it": opened, reopened, new commits (GitHub's `synchronize`). */
const GITHUB_PR_ACTIONS = new Set(['opened', 'reopened', 'synchronize']);

export function parseGithub(event: string, body: unknown): WebhookEvent {
  const payload = new PayloadReader(body);
  switch (event) {
    case 'push': return parseGithubStylePush(payload);
    case 'pull_request': return parseGithubStylePullRequest(payload, GITHUB_PR_ACTIONS);
    case 'ping': return { kind: 'ignored', reason: 'ping' };
    default: return { kind: 'ignored', reason: `event ${JSON.stringify(event.slice(0, 100))} does not start runs` };
  }
}

export function githubStyleRepository(repo: PayloadReader): EventRepository {
  const urls = ['clone_url', 'ssh_url', 'html_url', 'git_url', 'url'].map((k) => repo.optionalString(k)).filter((u): u is string => !!u);
  return { id: repo.optionalString('id'), fullName: repo.string('full_name'), urls, cloneUrl: repo.optionalString('clone_url') };
}

export function parseGithubStylePush(payload: PayloadReader): WebhookEvent {
  const ref = payload.string('ref');
  const repository = githubStyleRepository(payload.child('repository'));
  if (payload.optionalBoolean('deleted') || isZeroSha(payload.optionalString('after'))) {
    return { kind: 'ignored', reason: `${ref} was deleted`, repository };
  }
  const head = payload.has('head_commit') ? payload.child('head_commit') : undefined;
  // For an annotated tag `after` may be the tag object; the head commit is what runs (providers-api.md §1.8).
  const commitField = head?.has('id') ? 'head_commit.id' : 'after';
  const commit = checkSha(payload.string(commitField), commitField);
  const latest = head ?? payload.list('commits').find((c) => c.optionalString('id') === commit);
  const message = latest?.optionalString('message');
  const built = pushEvent(ref, 'ref', commit, repository, {
    author: {
      name: latest?.optionalString('author.name') ?? payload.optionalString('pusher.name'),
      email: latest?.optionalString('author.email') ?? payload.optionalString('pusher.email'),
      avatarUrl: payload.optionalString('sender.avatar_url'),
    },
    title: firstLine(message), message, htmlUrl: latest?.optionalString('url') ?? payload.optionalString('compare') ?? payload.optionalString('compare_url'),
  });
  return typeof built === 'string' ? { kind: 'ignored', reason: built, repository } : built;
}

export function parseGithubStylePullRequest(payload: PayloadReader, runActions: ReadonlySet<string>): WebhookEvent {
  const action = payload.string('action');
  const repository = githubStyleRepository(payload.child('repository'));
  if (!runActions.has(action)) return { kind: 'ignored', reason: `pull request action ${JSON.stringify(action.slice(0, 100))} does not start runs`, repository };
  const pr = payload.child('pull_request');
  const number = pr.has('number') ? pr.integer('number') : payload.integer('number');
  const head = pr.child('head');
  const base = pr.child('base');
  const commit = checkSha(head.string('sha'), 'pull_request.head.sha');
  const targetBranch = checkRefName('branch', base.string('ref'), 'pull_request.base.ref');
  const sourceBranch = checkRefName('branch', head.string('ref'), 'pull_request.head.ref');
  // A deleted fork has no head repository: nothing says it is the base, so it counts as a fork.
  const source = head.has('repo') ? githubStyleRepository(head.child('repo')) : { fullName: '', urls: [] };
  const baseRepo = base.has('repo') ? githubStyleRepository(base.child('repo')) : repository;
  // Fork by repository identity, never by `head.repo.fork`, which describes the repository (providers-api.md §0.1-4).
  const sameRepository = (source.id !== undefined && source.id === baseRepo.id)
    || (head.optionalString('repo_id') !== undefined && head.optionalString('repo_id') === base.optionalString('repo_id'))
    || (source.fullName !== '' && source.fullName.toLowerCase() === baseRepo.fullName.toLowerCase());
  const title = firstLine(pr.optionalString('title'));
  return {
    kind: 'pull_request', ref: `refs/pull/${number}/head`, commit, repository,
    pullRequest: { number, targetBranch, sourceBranch, fork: !sameRepository, source },
    author: { name: pr.optionalString('user.login'), avatarUrl: pr.optionalString('user.avatar_url') },
    title, message: pr.optionalString('body') ?? undefined, htmlUrl: pr.optionalString('html_url'),
  };
}
