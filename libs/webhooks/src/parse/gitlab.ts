// GitLab's Push, Tag Push and Merge Request hooks (providers-api.md §2.8).
import { firstLine, isZeroSha, PayloadReader } from '../payload-reader';
import { checkRefName, checkSha, pushEvent } from '../ref-event';
import type { EventRepository, WebhookEvent } from '../webhook-event';

export function parseGitlab(event: string, body: unknown): WebhookEvent {
  const payload = new PayloadReader(body);
  switch (event) {
    case 'Push Hook':
    case 'Tag Push Hook':
      return parsePush(payload);
    case 'Merge Request Hook': return parseMergeRequest(payload);
    default: return { kind: 'ignored', reason: `event ${JSON.stringify(event.slice(0, 100))} does not start runs` };
  }
}

function project(p: PayloadReader): EventRepository {
  const urls = ['git_http_url', 'git_ssh_url', 'web_url', 'http_url', 'ssh_url'].map((k) => p.optionalString(k)).filter((u): u is string => !!u);
  return { id: p.optionalString('id'), fullName: p.string('path_with_namespace'), urls, cloneUrl: p.optionalString('git_http_url') ?? p.optionalString('http_url') };
}

function parsePush(payload: PayloadReader): WebhookEvent {
  const ref = payload.string('ref');
  const repository = project(payload.child('project'));
  if (isZeroSha(payload.optionalString('after')) || !payload.has('checkout_sha')) return { kind: 'ignored', reason: `${ref} was deleted`, repository };
  // For an annotated tag `after` may be the tag object; checkout_sha is the commit.
  const commit = checkSha(payload.string('checkout_sha'), 'checkout_sha');
  const latest = payload.list('commits').find((c) => c.optionalString('id') === commit);
  const message = latest?.optionalString('message');
  const built = pushEvent(ref, 'ref', commit, repository, {
    author: {
      name: latest?.optionalString('author.name') ?? payload.optionalString('user_name'),
      email: latest?.optionalString('author.email') ?? payload.optionalString('user_email'),
      avatarUrl: payload.optionalString('user_avatar'),
    },
    title: firstLine(latest?.optionalString('title') ?? message), message, htmlUrl: latest?.optionalString('url'),
  });
  return typeof built === 'string' ? { kind: 'ignored', reason: built, repository } : built;
}

function parseMergeRequest(payload: PayloadReader): WebhookEvent {
  const repository = project(payload.child('project'));
  const mr = payload.child('object_attributes');
  const action = mr.optionalString('action') ?? '';
  // `update` also fires for a title or label edit: only with `oldrev` did the code change (providers-api.md §0.1-5).
  const runs = action === 'open' || action === 'reopen' || (action === 'update' && mr.has('oldrev'));
  if (!runs) return { kind: 'ignored', reason: `merge request action ${JSON.stringify(action.slice(0, 100))}${action === 'update' ? ' without new commits' : ''} does not start runs`, repository };
  const number = mr.integer('iid');
  const commit = checkSha(mr.string('last_commit.id'), 'object_attributes.last_commit.id');
  const source = mr.has('source.path_with_namespace') ? project(mr.child('source')) : { fullName: '', urls: [] };
  const sameRepository = mr.optionalString('source_project_id') !== undefined && mr.optionalString('source_project_id') === mr.optionalString('target_project_id');
  return {
    kind: 'pull_request', ref: `refs/merge-requests/${number}/head`, commit, repository,
    pullRequest: {
      number, fork: !sameRepository, source,
      targetBranch: checkRefName('branch', mr.string('target_branch'), 'object_attributes.target_branch'),
      sourceBranch: checkRefName('branch', mr.string('source_branch'), 'object_attributes.source_branch'),
    },
    author: { name: mr.optionalString('last_commit.author.name') ?? payload.optionalString('user.name'), email: mr.optionalString('last_commit.author.email'), avatarUrl: payload.optionalString('user.avatar_url') },
    title: firstLine(mr.optionalString('title')), message: mr.optionalString('last_commit.message'), htmlUrl: mr.optionalString('url'),
  };
}
