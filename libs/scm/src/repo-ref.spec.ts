import { repoRefFromUrl } from './repo-ref';
import type { ScmEndpoint } from './scm.port';

const endpoint = (type: ScmEndpoint['type'], url: string): ScmEndpoint => ({ type, url, clientId: 'id', clientSecret: 'secret', ...(type === 'bitbucket' && !url.includes('bitbucket.org') ? { apiUrl: `${url}/2.0` } : {}) });

describe('repoRefFromUrl', () => {
  const github = endpoint('github', 'https://github.com');

  it.each([
    ['https://github.com/acme/app.git', 'acme/app'],
    ['https://GitHub.com/acme/app', 'acme/app'],
    ['https://github.com/acme/app/', 'acme/app'],
    ['https://github.com/acme/app.GIT', 'acme/app'],
    ['git@github.com:acme/app.git', 'acme/app'],
    ['ssh://git@github.com/acme/app.git', 'acme/app'],
    ['https://github.com:443/acme/app.git', 'acme/app'],
  ])('%s is %s of GitHub', (url, ref) => {
    expect(repoRefFromUrl(github, url)).toBe(ref);
  });

  it.each([
    'https://gitlab.com/acme/app.git', // another host
    'https://github.com.evil.test/acme/app.git', // a suffix is not the host
    'https://github.com/acme', // no repository
    'https://github.com/acme/app/tree/main', // a page of it, not the repository
    'https://github.com/acme/../app', // a dot segment
    'http://github.com/acme/app', // another port (80) than the web origin's
    'not a url',
    'file:///srv/git/acme/app',
  ])('%s is not a GitHub repository', (url) => {
    expect(repoRefFromUrl(github, url)).toBeUndefined();
  });

  it('keeps GitLab\'s nested groups and strips a relative URL root', () => {
    const gitlab = endpoint('gitlab', 'https://git.example.com/gitlab/');
    expect(repoRefFromUrl(gitlab, 'https://git.example.com/gitlab/group/sub/project.git')).toBe('group/sub/project');
    expect(repoRefFromUrl(gitlab, 'git@git.example.com:group/sub/project.git')).toBe('group/sub/project');
    expect(repoRefFromUrl(gitlab, 'https://git.example.com/other/group/project.git')).toBeUndefined();
  });

  it('ignores the user Bitbucket puts in its clone URLs', () => {
    expect(repoRefFromUrl(endpoint('bitbucket', 'https://bitbucket.org'), 'https://someone@bitbucket.org/team/repo.git')).toBe('team/repo');
  });

  it('matches a self-hosted Gitea by host and port', () => {
    const gitea = endpoint('gitea', 'http://127.0.0.1:3000');
    expect(repoRefFromUrl(gitea, 'http://127.0.0.1:3000/alice/app.git')).toBe('alice/app');
    expect(repoRefFromUrl(gitea, 'http://127.0.0.1:3001/alice/app.git')).toBeUndefined();
  });
});
