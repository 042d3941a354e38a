import { triggerVerdict } from './trigger-match';
import type { RunEvent } from './webhook-event';

const repository = { fullName: 'acme/widget', urls: [] };
const push = (branch: string): RunEvent => ({ kind: 'push', ref: `refs/heads/${branch}`, branch, commit: 'a'.repeat(40), repository });
const tag = (name: string): RunEvent => ({ kind: 'tag', ref: `refs/tags/${name}`, tag: name, commit: 'a'.repeat(40), repository });
const pr = (target: string): RunEvent => ({
  kind: 'pull_request', ref: 'refs/pull/7/head', commit: 'b'.repeat(40), repository,
  pullRequest: { number: 7, targetBranch: target, sourceBranch: 'feature/x', fork: true, source: repository },
});

describe('triggerVerdict', () => {
  it('runs pushes by default, and pull requests and tags only when enabled', () => {
    expect(triggerVerdict(undefined, push('main'))).toEqual({ run: true });
    expect(triggerVerdict(undefined, tag('v1'))).toEqual({ run: false, reason: 'spec.triggers.tag is not enabled' });
    expect(triggerVerdict({}, pr('main'))).toEqual({ run: false, reason: 'spec.triggers.pullRequest is not enabled' });
    expect(triggerVerdict({ push: { enabled: false } }, push('main'))).toEqual({ run: false, reason: 'spec.triggers.push is not enabled' });
    expect(triggerVerdict({ tag: { enabled: true }, pullRequest: { enabled: true } }, tag('v1'))).toEqual({ run: true });
    expect(triggerVerdict({ pullRequest: { enabled: true } }, pr('main'))).toEqual({ run: true });
  });

  it('filters by globs, `*` within a segment, `**` across, exclude winning', () => {
    const triggers = { push: { filter: { include: ['main', 'release/*'], exclude: ['release/old-*'] } } };
    expect(triggerVerdict(triggers, push('release/1.2'))).toEqual({ run: true });
    expect(triggerVerdict(triggers, push('release/a/b'))).toEqual({ run: false, reason: 'branch "release/a/b" matches no spec.triggers.push.filter.include glob' });
    expect(triggerVerdict(triggers, push('release/old-1'))).toEqual({ run: false, reason: 'branch "release/old-1" matches spec.triggers.push.filter.exclude "release/old-*"' });
    expect(triggerVerdict({ push: { filter: { include: ['release/**'] } } }, push('release/a/b'))).toEqual({ run: true });
  });

  it('filters pull requests by their target branch, not their source', () => {
    const triggers = { pullRequest: { enabled: true, filter: { include: ['main'] } } };
    expect(triggerVerdict(triggers, pr('main'))).toEqual({ run: true });
    expect(triggerVerdict(triggers, pr('develop'))).toEqual({ run: false, reason: 'target branch "develop" matches no spec.triggers.pullRequest.filter.include glob' });
  });
});
