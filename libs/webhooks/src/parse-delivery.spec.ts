// Payloads trimmed from each provider's documented examples (providers-api.md §1.8 GitHub, §2.8 GitLab,
// §4.8 Bitbucket); Gitea's come recorded from a real Gitea (test/integration). Only the fields read are kept.
import { parseDelivery } from './parse-delivery';
import { WebhookPayloadError, type RunEvent } from './webhook-event';

const SHA = '0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c';
const SHA2 = '6dcb09b5b57875f334f61aebed695e2e4193db5e';
const ghRepo = (fullName: string, id: number) => ({
  id, full_name: fullName, clone_url: `https://github.com/${fullName}.git`, ssh_url: `git@github.com:${fullName}.git`, html_url: `https://github.com/${fullName}`,
});
const ghPush = (over: Record<string, unknown> = {}) => ({
  ref: 'refs/heads/main', before: SHA2, after: SHA, deleted: false, compare: 'https://github.com/acme/widget/compare/x...y',
  repository: ghRepo('acme/widget', 1), pusher: { name: 'octo', email: 'o@x' }, sender: { avatar_url: 'https://avatars.example/u/1' },
  head_commit: { id: SHA, message: 'Fix the thing\n\nLonger body', url: `https://github.com/acme/widget/commit/${SHA}`, author: { name: 'Octo Cat', email: 'octo@example.com' } },
  ...over,
});
const ghPr = (action: string, headRepo = ghRepo('acme/widget', 1)) => ({
  action, number: 42, repository: ghRepo('acme/widget', 1),
  pull_request: {
    number: 42, title: 'Add feature\nsecond line', body: 'Details', html_url: 'https://github.com/acme/widget/pull/42', user: { login: 'stranger' },
    head: { sha: SHA2, ref: 'feature/x', repo: headRepo }, base: { sha: SHA, ref: 'main', repo: ghRepo('acme/widget', 1) },
  },
});
const run = (events: ReturnType<typeof parseDelivery>): RunEvent => {
  expect(events).toHaveLength(1);
  expect(events[0].kind).not.toBe('ignored');
  return events[0] as RunEvent;
};

describe('parseDelivery: GitHub', () => {
  it('reads a branch push: commit, branch, author, title, link', () => {
    expect(run(parseDelivery('github', 'push', ghPush()))).toMatchObject({
      kind: 'push', ref: 'refs/heads/main', branch: 'main', commit: SHA, title: 'Fix the thing', message: 'Fix the thing\n\nLonger body',
      author: { name: 'Octo Cat', email: 'octo@example.com', avatarUrl: 'https://avatars.example/u/1' }, htmlUrl: `https://github.com/acme/widget/commit/${SHA}`,
      repository: { fullName: 'acme/widget', id: '1', cloneUrl: 'https://github.com/acme/widget.git' },
    });
  });

  it('runs the head commit of an annotated tag, not the tag object in `after`', () => {
    const tagObject = 'f'.repeat(40);
    expect(run(parseDelivery('github', 'push', ghPush({ ref: 'refs/tags/v1.0', after: tagObject })))).toMatchObject({ kind: 'tag', tag: 'v1.0', commit: SHA });
  });

  it('ignores a branch deletion, a ping and an unknown event with the reason', () => {
    expect(parseDelivery('github', 'push', ghPush({ deleted: true, after: '0'.repeat(40), head_commit: null }))).toMatchObject([{ kind: 'ignored', reason: 'refs/heads/main was deleted' }]);
    expect(parseDelivery('github', 'ping', { zen: 'x' })).toEqual([{ kind: 'ignored', reason: 'ping' }]);
    expect(parseDelivery('github', 'issues', {})).toEqual([{ kind: 'ignored', reason: 'event "issues" does not start runs' }]);
    expect(parseDelivery('github', 'push', ghPush({ ref: 'refs/notes/x' }))).toMatchObject([{ kind: 'ignored', reason: 'ref "refs/notes/x" is neither a branch nor a tag' }]);
  });

  it('runs pull requests opened, reopened and synchronized, and ignores other actions', () => {
    for (const action of ['opened', 'reopened', 'synchronize']) {
      expect(run(parseDelivery('github', 'pull_request', ghPr(action)))).toMatchObject({
        kind: 'pull_request', ref: 'refs/pull/42/head', commit: SHA2, title: 'Add feature', htmlUrl: 'https://github.com/acme/widget/pull/42',
        pullRequest: { number: 42, targetBranch: 'main', sourceBranch: 'feature/x', fork: false },
      });
    }
    expect(parseDelivery('github', 'pull_request', ghPr('closed'))).toMatchObject([{ kind: 'ignored', reason: 'pull request action "closed" does not start runs' }]);
    expect(parseDelivery('github', 'pull_request', ghPr('edited'))).toMatchObject([{ kind: 'ignored' }]);
  });

  it('knows a fork by repository identity, a deleted fork included', () => {
    expect(run(parseDelivery('github', 'pull_request', ghPr('opened', ghRepo('stranger/widget', 99)))).pullRequest).toMatchObject({
      fork: true, source: { fullName: 'stranger/widget', cloneUrl: 'https://github.com/stranger/widget.git' },
    });
    const deleted = ghPr('synchronize');
    delete (deleted.pull_request.head as { repo?: unknown }).repo;
    expect(run(parseDelivery('github', 'pull_request', deleted)).pullRequest!.fork).toBe(true);
  });

  it('refuses hostile refs and malformed fields, naming the field', () => {
    const cases: Array<[unknown, RegExp]> = [
      [ghPush({ ref: 'refs/heads/a..b' }), /field ref: branch "a\.\.b"/],
      [ghPush({ ref: 'refs/heads/-rf' }), /field ref: branch "-rf"/],
      [ghPush({ head_commit: { id: 'not-a-sha' } }), /field head_commit\.id is not a full commit SHA/],
      [ghPush({ ref: { x: 1 } }), /field ref must be a string/],
      [ghPush({ repository: { full_name: ['x'] } }), /field repository\.full_name must be a string/],
      [{ ...ghPr('opened'), pull_request: { ...ghPr('opened').pull_request, base: { ref: '--upload-pack=x', repo: ghRepo('acme/widget', 1) } } }, /field pull_request\.base\.ref/],
    ];
    for (const [payload, message] of cases) {
      const event = 'pull_request' in (payload as object) ? 'pull_request' : 'push';
      expect(() => parseDelivery('github', event, payload)).toThrow(WebhookPayloadError);
      expect(() => parseDelivery('github', event, payload)).toThrow(message);
    }
  });
});

describe('parseDelivery: GitLab', () => {
  const project = (path: string, id: number) => ({ id, path_with_namespace: path, git_http_url: `https://gitlab.example/${path}.git`, git_ssh_url: `git@gitlab.example:${path}.git`, web_url: `https://gitlab.example/${path}` });
  const push = (over: Record<string, unknown> = {}) => ({
    object_kind: 'push', ref: 'refs/heads/main', before: SHA2, after: SHA, checkout_sha: SHA, user_name: 'Jane', user_email: 'jane@example', project: project('group/widget', 5),
    commits: [{ id: SHA, message: 'Fix\n\nbody', title: 'Fix', url: `https://gitlab.example/group/widget/-/commit/${SHA}`, author: { name: 'Jane Doe', email: 'jane@example.com' } }],
    ...over,
  });
  const mr = (attrs: Record<string, unknown>, sourceProject = 5) => ({
    object_kind: 'merge_request', user: { name: 'Jane', avatar_url: 'https://gitlab.example/a.png' }, project: project('group/widget', 5),
    object_attributes: {
      iid: 3, action: 'open', title: 'MR title', url: 'https://gitlab.example/group/widget/-/merge_requests/3', target_branch: 'main', source_branch: 'topic',
      source_project_id: sourceProject, target_project_id: 5, source: project(sourceProject === 5 ? 'group/widget' : 'jane/widget', sourceProject),
      last_commit: { id: SHA2, message: 'work', author: { name: 'Jane Doe', email: 'jane@example.com' } }, ...attrs,
    },
  });

  it('reads a push and a tag push at checkout_sha', () => {
    expect(run(parseDelivery('gitlab', 'Push Hook', push()))).toMatchObject({ kind: 'push', branch: 'main', commit: SHA, title: 'Fix', author: { name: 'Jane Doe' } });
    expect(run(parseDelivery('gitlab', 'Tag Push Hook', push({ ref: 'refs/tags/v2', after: 'e'.repeat(40) })))).toMatchObject({ kind: 'tag', tag: 'v2', commit: SHA });
  });

  it('ignores a deleted branch (no checkout_sha)', () => {
    expect(parseDelivery('gitlab', 'Push Hook', push({ after: '0'.repeat(40), checkout_sha: null }))).toMatchObject([{ kind: 'ignored', reason: 'refs/heads/main was deleted' }]);
  });

  it('runs a merge request opened, reopened or updated with new commits, not a title edit', () => {
    expect(run(parseDelivery('gitlab', 'Merge Request Hook', mr({})))).toMatchObject({
      kind: 'pull_request', ref: 'refs/merge-requests/3/head', commit: SHA2, pullRequest: { number: 3, targetBranch: 'main', sourceBranch: 'topic', fork: false },
    });
    expect(run(parseDelivery('gitlab', 'Merge Request Hook', mr({ action: 'update', oldrev: SHA })))).toMatchObject({ kind: 'pull_request' });
    expect(parseDelivery('gitlab', 'Merge Request Hook', mr({ action: 'update' }))).toMatchObject([{ kind: 'ignored', reason: 'merge request action "update" without new commits does not start runs' }]);
    expect(parseDelivery('gitlab', 'Merge Request Hook', mr({ action: 'merge' }))).toMatchObject([{ kind: 'ignored' }]);
  });

  it('knows a fork by project id', () => {
    expect(run(parseDelivery('gitlab', 'Merge Request Hook', mr({}, 77))).pullRequest).toMatchObject({ fork: true, source: { fullName: 'jane/widget' } });
  });
});

describe('parseDelivery: Bitbucket Cloud', () => {
  const repo = (fullName: string, uuid: string) => ({ full_name: fullName, uuid, links: { html: { href: `https://bitbucket.org/${fullName}` } } });
  const change = (type: string, name: string, hash = SHA) => ({
    new: { type, name, target: { hash, message: 'Commit msg\nmore', author: { raw: 'Ann Lee <ann@example.com>' }, links: { html: { href: `https://bitbucket.org/acme/widget/commits/${hash}` } } } },
  });

  it('makes one event per ref change of a push, deletions ignored', () => {
    const events = parseDelivery('bitbucket', 'repo:push', {
      repository: repo('acme/widget', '{r1}'),
      push: { changes: [change('branch', 'main'), change('tag', 'v3', SHA2), { old: { name: 'gone' }, new: null }] },
    });
    expect(events).toMatchObject([
      { kind: 'push', branch: 'main', commit: SHA, author: { name: 'Ann Lee', email: 'ann@example.com' }, title: 'Commit msg', repository: { cloneUrl: 'https://bitbucket.org/acme/widget.git' } },
      { kind: 'tag', tag: 'v3', commit: SHA2 },
      { kind: 'ignored', reason: 'push.changes[2] deleted gone' },
    ]);
  });

  it('keeps a pull request\'s short hash for the manager to expand, and knows a fork by uuid', () => {
    const pr = (sourceRepo: object) => ({
      repository: repo('acme/widget', '{r1}'),
      pullrequest: {
        id: 9, title: 'PR', links: { html: { href: 'https://bitbucket.org/acme/widget/pull-requests/9' } }, author: { display_name: 'Ann' },
        source: { branch: { name: 'topic' }, commit: { hash: SHA2.slice(0, 12) }, repository: sourceRepo },
        destination: { branch: { name: 'main' }, repository: repo('acme/widget', '{r1}') },
      },
    });
    const same = run(parseDelivery('bitbucket', 'pullrequest:updated', pr(repo('acme/widget', '{r1}'))));
    expect(same).toMatchObject({ kind: 'pull_request', shortCommit: SHA2.slice(0, 12), pullRequest: { number: 9, targetBranch: 'main', sourceBranch: 'topic', fork: false } });
    expect(same.commit).toBeUndefined();
    expect(run(parseDelivery('bitbucket', 'pullrequest:created', pr(repo('ann/widget', '{r2}')))).pullRequest!.fork).toBe(true);
    expect(parseDelivery('bitbucket', 'pullrequest:fulfilled', {})).toMatchObject([{ kind: 'ignored' }]);
  });
});
