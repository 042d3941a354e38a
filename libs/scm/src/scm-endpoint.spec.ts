import { resolveEndpoint } from './scm-endpoint';
import { ScmError } from './scm.errors';
import type { ScmEndpoint } from './scm.port';

const endpoint = (type: ScmEndpoint['type'], url: string, apiUrl?: string): ScmEndpoint => ({ type, url, apiUrl, clientId: 'id', clientSecret: 'secret' });

describe('resolveEndpoint', () => {
  it.each([
    [endpoint('github', 'https://github.com/'), 'https://github.com', 'https://api.github.com'],
    [endpoint('github', 'https://ghe.example.com'), 'https://ghe.example.com', 'https://ghe.example.com/api/v3'],
    [endpoint('gitlab', 'https://gitlab.com'), 'https://gitlab.com', 'https://gitlab.com/api/v4'],
    [endpoint('gitlab', 'https://example.com/gitlab/'), 'https://example.com/gitlab', 'https://example.com/gitlab/api/v4'],
    [endpoint('gitea', 'https://codeberg.org'), 'https://codeberg.org', 'https://codeberg.org/api/v1'],
    [endpoint('bitbucket', 'https://bitbucket.org'), 'https://bitbucket.org', 'https://api.bitbucket.org/2.0'],
    [endpoint('bitbucket', 'http://127.0.0.1:9000', 'http://127.0.0.1:9000/2.0/'), 'http://127.0.0.1:9000', 'http://127.0.0.1:9000/2.0'],
  ])('%j → web %s, api %s', (e, web, api) => {
    expect(resolveEndpoint(e)).toMatchObject({ web, api });
  });

  it('lists the web and API origins, the only ones a client talks to', () => {
    expect(resolveEndpoint(endpoint('github', 'https://github.com')).origins).toEqual(['https://github.com', 'https://api.github.com']);
    expect(resolveEndpoint(endpoint('gitea', 'https://gitea.example')).origins).toEqual(['https://gitea.example']);
  });

  it.each([
    [endpoint('bitbucket', 'https://bitbucket.example.com'), 'endpoint.apiUrl: required for a Bitbucket endpoint other than https://bitbucket.org (bitbucket.example.com)'],
    [endpoint('gitea', 'ftp://gitea.example'), 'endpoint.url: only http(s) URLs are allowed, not ftp:'],
    [endpoint('gitea', 'gitea.example'), 'endpoint.url: "gitea.example" is not an absolute URL'],
    [endpoint('gitlab', 'https://user:pw@gitlab.example'), 'endpoint.url: must not carry credentials'],
    [{ ...endpoint('github', 'https://github.com'), type: 'svn' as never }, 'endpoint.type: "svn" is not one of github, gitlab, gitea, bitbucket'],
  ])('refuses %j', (e, message) => {
    expect(() => resolveEndpoint(e)).toThrow(new ScmError('InvalidEndpoint', message));
  });
});
