import { parseTarget } from './registry-path';

describe('parseTarget', () => {
  it('reads the pulls of the distribution API, the project first', () => {
    expect(parseTarget('/v2/')).toEqual({ kind: 'base' });
    expect(parseTarget('/v2/team-a/web/manifests/v1.2')).toEqual({ kind: 'manifests', project: 'team-a', repository: 'web', reference: 'v1.2', query: '' });
    const digest = `sha256:${'a'.repeat(64)}`;
    expect(parseTarget(`/v2/team-a/org/sub/web/blobs/${digest}`)).toEqual({ kind: 'blobs', project: 'team-a', repository: 'org/sub/web', reference: digest, query: '' });
    expect(parseTarget(`/v2/team-a/web/manifests/${digest}`)).toMatchObject({ kind: 'manifests', reference: digest });
    expect(parseTarget(`/v2/team-a/web/referrers/${digest}?artifactType=application%2Fx`)).toMatchObject({ kind: 'referrers', query: '?artifactType=application%2Fx' });
  });

  it('forwards only the tag list\'s own parameters, re-encoded', () => {
    expect(parseTarget('/v2/p/web/tags/list?n=10&last=v1&evil=1')).toMatchObject({ kind: 'tags', query: '?n=10&last=v1' });
    expect(parseTarget('/v2/p/web/tags/list?last=a%26b')).toMatchObject({ query: '?last=a%26b' });
    expect(parseTarget('/v2/p/web/manifests/v1?x=1')).toMatchObject({ kind: 'manifests', query: '' });
  });

  it.each([
    ['/v1/p/web/manifests/v1', 'not a /v2/ path'],
    ['/v2/p/manifests/v1', 'expected /v2/<project>'],
    ['/v2/P/web/manifests/v1', 'DNS label'],
    ['/v2/-p/web/manifests/v1', 'DNS label'],
    [`/v2/${'a'.repeat(64)}/web/manifests/v1`, 'DNS label'],
    ['/v2/p.q/web/manifests/v1', 'DNS label'],
    ['/v2/p/../q/web/manifests/v1', 'repository name'],
    ['/v2/p/web/../../q/manifests/v1', 'repository name'],
    ['/v2/p/%2e%2e/web/manifests/v1', 'repository name'],
    ['/v2/p/web%2Fx/manifests/v1', 'repository name'],
    ['/v2/p//web/manifests/v1', 'repository name'],
    ['/v2/p/Web/manifests/v1', 'repository name'],
    ['/v2/p/web/manifests/..', 'neither a tag nor a digest'],
    ['/v2/p/web/manifests/v1%00', 'neither a tag nor a digest'],
    ['/v2/p/web/blobs/v1', 'not a digest'],
    ['/v2/p/web/blobs/uploads', 'not a digest'],
    ['/v2/p/web/tags/all', 'only tags/list'],
    ['/v2/p/web/catalog/x', 'expected manifests'],
    ['/v2/?x=1', 'no query'],
    [`/v2/p/${'a/'.repeat(1100)}web/manifests/v1`, 'too long'],
  ])('refuses bad target %#', (target, reason) => {
    const parsed = parseTarget(target);
    expect(parsed.kind).toBe('invalid');
    expect((parsed as { reason: string }).reason).toContain(reason);
  });
});
