import type { CommitState } from '../scm.port';
import { BITBUCKET_STATES, bitbucketKey, GITEA_STATES, GITHUB_STATES, GITLAB_STATES, truncate } from './commit-status.mapping';

const STATES: CommitState[] = ['pending', 'running', 'success', 'failure', 'cancelled', 'error'];

describe('commit states in each provider\'s words', () => {
  it('GitHub knows pending, success, failure, error only', () => {
    expect(STATES.map((s) => GITHUB_STATES[s])).toEqual(['pending', 'pending', 'success', 'failure', 'error', 'error']);
  });

  it('GitLab has running and canceled but no error', () => {
    expect(STATES.map((s) => GITLAB_STATES[s])).toEqual(['pending', 'running', 'success', 'failed', 'canceled', 'failed']);
  });

  it('Gitea has neither running nor cancelled', () => {
    expect(STATES.map((s) => GITEA_STATES[s])).toEqual(['pending', 'pending', 'success', 'failure', 'error', 'error']);
  });

  it('Bitbucket speaks upper case and stops a cancelled build', () => {
    expect(STATES.map((s) => BITBUCKET_STATES[s])).toEqual(['INPROGRESS', 'INPROGRESS', 'SUCCESSFUL', 'FAILED', 'STOPPED', 'FAILED']);
  });
});

describe('truncate', () => {
  it('leaves text within the limit alone', () => {
    expect(truncate('x'.repeat(140), 140)).toBe('x'.repeat(140));
  });

  it('cuts to exactly the limit, ending in an ellipsis', () => {
    const cut = truncate('y'.repeat(300), 140);
    expect(Array.from(cut)).toHaveLength(140);
    expect(cut.endsWith('…')).toBe(true);
  });

  it('never splits a character made of two UTF-16 units', () => {
    const cut = truncate('😀'.repeat(200), 140);
    expect(Array.from(cut)).toHaveLength(140);
    expect(cut).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });
});

describe('bitbucketKey', () => {
  it('keeps a context of up to 40 characters', () => {
    expect(bitbucketKey('keelson/team-a/app')).toBe('keelson/team-a/app');
    expect(bitbucketKey('k'.repeat(40))).toBe('k'.repeat(40));
  });

  it('hashes a longer one into 40 characters, the same every time, distinct for a shared prefix', () => {
    const a = bitbucketKey(`keelson/${'x'.repeat(60)}/one`);
    const b = bitbucketKey(`keelson/${'x'.repeat(60)}/two`);
    expect(a).toHaveLength(40);
    expect(b).toHaveLength(40);
    expect(a).not.toBe(b);
    expect(bitbucketKey(`keelson/${'x'.repeat(60)}/one`)).toBe(a);
    expect(a.startsWith('keelson/')).toBe(true);
  });
});
