import { isPipelineRepository, repositoryIdentity } from './repository-identity';

describe('repositoryIdentity', () => {
  it('gives one identity to every form of the same repository', () => {
    const forms = [
      'https://github.com/Acme/Widget.git', 'https://github.com/acme/widget', 'http://GitHub.com/acme/widget/',
      'git@github.com:acme/widget.git', 'ssh://git@github.com:22/acme/widget.git', 'https://user@github.com:443/acme/widget.git',
    ];
    expect(new Set(forms.map(repositoryIdentity))).toEqual(new Set(['github.com/acme/widget']));
  });

  it('keeps hosts and paths apart and refuses what is no repository URL', () => {
    expect(repositoryIdentity('https://github.com/acme/widget2')).not.toBe(repositoryIdentity('https://github.com/acme/widget'));
    expect(repositoryIdentity('https://github.com.evil.example/acme/widget')).toBe('github.com.evil.example/acme/widget');
    expect(repositoryIdentity('file:///srv/git/acme/widget.git')).toBeUndefined();
    expect(repositoryIdentity('https://github.com/')).toBeUndefined();
    expect(repositoryIdentity('not a url')).toBeUndefined();
  });

  it('matches a delivery by any of its URLs', () => {
    const repo = { fullName: 'acme/widget', urls: ['git@gitlab.example:acme/widget.git', 'https://gitlab.example/acme/widget'] };
    expect(isPipelineRepository(repo, 'https://gitlab.example/acme/widget.git')).toBe(true);
    expect(isPipelineRepository(repo, 'https://gitlab.example/acme/other.git')).toBe(false);
    expect(isPipelineRepository({ fullName: 'acme/widget', urls: [] }, 'https://gitlab.example/acme/widget.git')).toBe(false);
  });
});
