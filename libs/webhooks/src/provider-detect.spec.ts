import { deliveryId, detectProvider, eventName } from './provider-detect';

describe('detectProvider', () => {
  it('takes Gitea for Gitea even though it sends GitHub\'s headers too', () => {
    const gitea = { 'x-gitea-event': 'push', 'x-github-event': 'push', 'x-gogs-event': 'push', 'x-gitea-delivery': 'd1', 'x-github-delivery': 'd1' };
    expect(detectProvider(gitea)).toBe('gitea');
    expect(detectProvider({ 'x-forgejo-event': 'push', 'x-github-event': 'push' })).toBe('gitea');
  });

  it('tells GitHub, GitLab and Bitbucket apart, and knows nothing else', () => {
    expect(detectProvider({ 'x-github-event': 'push' })).toBe('github');
    expect(detectProvider({ 'x-gitlab-event': 'Push Hook' })).toBe('gitlab');
    expect(detectProvider({ 'x-event-key': 'repo:push' })).toBe('bitbucket');
    expect(detectProvider({ 'user-agent': 'GitHub-Hookshot/1' })).toBeUndefined();
    expect(detectProvider({ 'x-github-event': '' })).toBeUndefined();
  });

  it('reads each provider\'s event and delivery id, GitLab\'s Idempotency-Key before its event UUID', () => {
    expect(eventName('gitlab', { 'x-gitlab-event': 'Merge Request Hook' })).toBe('Merge Request Hook');
    expect(deliveryId('gitlab', { 'idempotency-key': 'k', 'x-gitlab-event-uuid': 'u' })).toBe('k');
    expect(deliveryId('gitlab', { 'x-gitlab-event-uuid': 'u' })).toBe('u');
    expect(deliveryId('bitbucket', { 'x-request-uuid': 'b' })).toBe('b');
    expect(deliveryId('github', { 'x-github-delivery': ['g1', 'g2'] })).toBe('g1');
    expect(deliveryId('gitea', {})).toBeUndefined();
  });
});
