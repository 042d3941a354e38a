// Bitbucket Cloud's repo:push and pullrequest:* deliveries (providers-api.md §4.8). One push delivery can hold
// several ref changes: each is its own event. A pull request names its head by a 12-character hash, which the
// manager expands before the run (providers-api.md §0.1-3).
import { firstLine, PayloadReader, splitAuthor } from '../payload-reader';
import { checkRefName, checkShortSha, checkSha, pushEvent } from '../ref-event';
import type { EventRepository, RunEvent, WebhookEvent } from '../webhook-event';

const PR_EVENTS = new Set(['pullrequest:created', 'pullrequest:updated']);

export function parseBitbucket(event: string, body: unknown): WebhookEvent[] {
  const payload = new PayloadReader(body);
  if (event === 'repo:push') return parsePush(payload);
  if (PR_EVENTS.has(event)) return [parsePullRequest(payload)];
  return [{ kind: 'ignored', reason: `event ${JSON.stringify(event.slice(0, 100))} does not start runs` }];
}

function repository(repo: PayloadReader): EventRepository {
  const fullName = repo.string('full_name');
  // No clone URL in Bitbucket's payloads: it is built from the full name, as go-scm does.
  const cloneUrl = `https://bitbucket.org/${fullName}.git`;
  const urls = [cloneUrl, repo.optionalString('links.html.href')].filter((u): u is string => !!u);
  return { id: repo.optionalString('uuid'), fullName, urls, cloneUrl };
}

function parsePush(payload: PayloadReader): WebhookEvent[] {
  const repo = repository(payload.child('repository'));
  const changes = payload.list('push.changes');
  if (changes.length === 0) return [{ kind: 'ignored', reason: 'the push changed no ref', repository: repo }];
  return changes.map((change, i): WebhookEvent => {
    if (!change.has('new')) return { kind: 'ignored', reason: `push.changes[${i}] deleted ${change.optionalString('old.name') ?? 'a ref'}`, repository: repo };
    const type = change.string('new.type');
    const name = change.string('new.name');
    if (type !== 'branch' && type !== 'tag') return { kind: 'ignored', reason: `push.changes[${i}].new.type ${JSON.stringify(type.slice(0, 50))} does not start runs`, repository: repo };
    const ref = `refs/${type === 'branch' ? 'heads' : 'tags'}/${name}`;
    const message = change.optionalString('new.target.message');
    const built = pushEvent(ref, `push.changes[${i}].new.name`, checkSha(change.string('new.target.hash'), `push.changes[${i}].new.target.hash`), repo, {
      author: { ...splitAuthor(change.optionalString('new.target.author.raw')), avatarUrl: change.optionalString('new.target.author.user.links.avatar.href') },
      title: firstLine(message), message, htmlUrl: change.optionalString('new.target.links.html.href'),
    });
    return typeof built === 'string' ? { kind: 'ignored', reason: built, repository: repo } : built;
  });
}

function parsePullRequest(payload: PayloadReader): RunEvent {
  const repo = repository(payload.child('repository'));
  const pr = payload.child('pullrequest');
  const number = pr.integer('id');
  const source = pr.has('source.repository.full_name') ? repository(pr.child('source.repository')) : { fullName: '', urls: [] };
  const target = pr.has('destination.repository.full_name') ? repository(pr.child('destination.repository')) : repo;
  const sameRepository = (source.id !== undefined && source.id === target.id) || source.fullName.toLowerCase() === target.fullName.toLowerCase();
  const sourceBranch = checkRefName('branch', pr.string('source.branch.name'), 'pullrequest.source.branch.name');
  return {
    kind: 'pull_request', ref: `refs/heads/${sourceBranch}`, shortCommit: checkShortSha(pr.string('source.commit.hash'), 'pullrequest.source.commit.hash'), repository: repo,
    pullRequest: {
      number, fork: !sameRepository, source, sourceBranch,
      targetBranch: checkRefName('branch', pr.string('destination.branch.name'), 'pullrequest.destination.branch.name'),
    },
    author: { name: pr.optionalString('author.display_name'), avatarUrl: pr.optionalString('author.links.avatar.href') },
    title: firstLine(pr.optionalString('title')), message: pr.optionalString('description'), htmlUrl: pr.optionalString('links.html.href'),
  };
}
