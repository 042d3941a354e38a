import { credentialName, pipelineName, repositoryName, slug } from './source-code-names';

const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

describe('source code names', () => {
  it('names a credential by provider and a hash of the user, the same each time', () => {
    expect(credentialName('github', 'alice')).toMatch(/^github-[0-9a-f]{12}$/);
    expect(credentialName('github', 'alice')).toBe(credentialName('github', 'alice'));
    expect(credentialName('github', 'alice')).not.toBe(credentialName('github', 'bob'));
    expect(credentialName('github', 'system:serviceaccount:demo:ci')).not.toContain('serviceaccount');
  });

  it('keeps names of dotted or long providers valid', () => {
    for (const name of [credentialName('git.example.com', 'alice'), credentialName('a'.repeat(253), 'alice')]) {
      expect(name).toMatch(DNS_1123_LABEL);
      expect(name.length).toBeLessThanOrEqual(63);
    }
  });

  it('names a repository after its full name, apart per credential and for full names that slug alike', () => {
    expect(repositoryName('github-abc', 'Acme/Web_App')).toMatch(/^acme-web-app-[0-9a-f]{8}$/);
    expect(repositoryName('github-abc', 'acme/app')).not.toBe(repositoryName('github-def', 'acme/app'));
    expect(repositoryName('c', 'a/b-c')).not.toBe(repositoryName('c', 'a-b/c'));
    expect(repositoryName('c', 'acme/app')).toBe(repositoryName('c', 'acme/app'));
  });

  it('keeps repository names valid whatever the full name holds', () => {
    for (const full of ['group/sub/deep/project', '---/...', `acme/${'x'.repeat(300)}`, 'ÄÖÜ/日本', 'a/-b-']) {
      const name = repositoryName('github-abc', full);
      expect(name).toMatch(DNS_1123_LABEL);
      expect(name.length).toBeLessThanOrEqual(63);
    }
  });

  it('names a pipeline after the repository\'s own name', () => {
    expect(pipelineName('acme/Web.App')).toBe('web-app');
    expect(pipelineName('group/sub/api')).toBe('api');
    expect(pipelineName('acme/...')).toBe('pipeline');
  });

  it('slugs to at most the length asked, never ending in a dash', () => {
    expect(slug('ab-cd', 3)).toBe('ab');
    expect(slug('', 5, 'f')).toBe('f');
  });
});
