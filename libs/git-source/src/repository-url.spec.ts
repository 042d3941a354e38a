import { GitSourceError } from './git-source.errors';
import { redactUrl, validateRepositoryUrl } from './repository-url';

function refusal(url: string, allowFileProtocol = false): GitSourceError {
  try {
    validateRepositoryUrl(url, { allowFileProtocol });
  } catch (e) {
    expect(e).toBeInstanceOf(GitSourceError);
    return e as GitSourceError;
  }
  throw new Error(`accepted ${url}`);
}

describe('validateRepositoryUrl', () => {
  it.each(['https://github.com/acme/app.git', 'http://127.0.0.1:8080/app', 'https://git.example.com/a/b'])('accepts the http(s) URL %j', (url) => {
    expect(validateRepositoryUrl(url, { allowFileProtocol: false })).toBe(url);
  });

  it('accepts file:// only when the operator allows it', () => {
    expect(validateRepositoryUrl('file:///tmp/repo', { allowFileProtocol: true })).toBe('file:///tmp/repo');
    expect(refusal('file:///tmp/repo').code).toBe('InvalidUrl');
  });

  it.each([
    ['ext::sh -c touch% /tmp/pwned'], ['ext::sh'], ['fd::0'], ['ssh://git@github.com/a/b'], ['git@github.com:a/b.git'], ['-u/tmp/x'],
    ['--upload-pack=touch /tmp/x'], ['/tmp/repo'], ['../repo'], ['git://example.com/a'], ['https://exa mple.com/a'], ['https://example.com/a\n'],
    ['file://remotehost/repo'], [''], [`https://example.com/${'a'.repeat(2100)}`],
  ])('refuses %j with InvalidUrl', (url) => {
    expect(refusal(url, true).code).toBe('InvalidUrl');
  });

  it('refuses credentials in the URL without repeating them', () => {
    const error = refusal('https://user:s3cr3t-token@github.com/a/b.git');
    expect(error.code).toBe('InvalidUrl');
    expect(error.message).not.toContain('s3cr3t-token');
    expect(error.message).toContain('https://***@github.com/a/b.git');
    expect(refusal('https://s3cr3t-token@github.com/a/b.git').message).not.toContain('s3cr3t-token');
  });

  it('redacts the user-info part of a URL', () => {
    expect(redactUrl('https://u:p@h/x')).toBe('https://***@h/x');
    expect(redactUrl('https://h/x@y')).toBe('https://h/x@y');
  });
});
