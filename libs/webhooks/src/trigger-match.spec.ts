import type { ImagePushEvent } from './registry/registry-event';
import { imagePushVerdict, triggerVerdict } from './trigger-match';
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

describe('imagePushVerdict', () => {
  const image = (repository: string, tag: string): ImagePushEvent => ({ kind: 'image', id: 'e', repository, tag, digest: `sha256:${'c'.repeat(64)}`, mediaType: 'application/vnd.oci.image.manifest.v1+json' });

  it('runs only when the trigger is on and names the pushed repository exactly', () => {
    expect(imagePushVerdict(undefined, image('team/app', 'v1'))).toEqual({ run: false, reason: 'spec.triggers.imagePush is not enabled' });
    expect(imagePushVerdict({ imagePush: { enabled: false, repository: 'team/app' } }, image('team/app', 'v1'))).toEqual({ run: false, reason: 'spec.triggers.imagePush is not enabled' });
    expect(imagePushVerdict({ imagePush: { enabled: true, repository: 'team/app' } }, image('team/app', 'v1'))).toEqual({ run: true });
    expect(imagePushVerdict({ imagePush: { enabled: true, repository: 'team/app' } }, image('team/app-2', 'v1')))
      .toEqual({ run: false, reason: 'repository "team/app-2" is not spec.triggers.imagePush.repository "team/app"' });
  });

  it('filters by tag globs, exclude winning', () => {
    const triggers = { imagePush: { enabled: true, repository: 'app', filter: { include: ['v*', 'release-**'], exclude: ['*-rc*'] } } };
    expect(imagePushVerdict(triggers, image('app', 'v1.2'))).toEqual({ run: true });
    expect(imagePushVerdict(triggers, image('app', 'latest'))).toEqual({ run: false, reason: 'tag "latest" matches no spec.triggers.imagePush.filter.include glob' });
    expect(imagePushVerdict(triggers, image('app', 'v2-rc1'))).toEqual({ run: false, reason: 'tag "v2-rc1" matches spec.triggers.imagePush.filter.exclude "*-rc*"' });
  });
});
