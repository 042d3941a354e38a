import { describe, expect, it } from 'vitest';
import { commitUrl } from './commit-url';

const SHA = 'a'.repeat(40);

describe('commitUrl', () => {
  it('falls back to the link the webhook gave when the clone URL tells no page', () => {
    expect(commitUrl(SHA, 'git@github.com:acme/web.git', 'https://github.com/acme/web/pull/7')).toBe('https://github.com/acme/web/pull/7');
    expect(commitUrl(SHA, 'https://github.com/acme/web.git', 'https://github.com/acme/web/pull/7')).toBe(`https://github.com/acme/web/commit/${SHA}`);
  });

  it('makes the commit page from an http(s) clone URL', () => {
    expect(commitUrl(SHA, 'https://github.com/acme/web.git')).toBe(`https://github.com/acme/web/commit/${SHA}`);
    expect(commitUrl(SHA, 'https://gitea.example:3000/team/api/')).toBe(`https://gitea.example:3000/team/api/commit/${SHA}`);
    expect(commitUrl(SHA, 'https://bitbucket.org/acme/web.git')).toBe(`https://bitbucket.org/acme/web/commits/${SHA}`);
  });

  it('gives no link for what it cannot tell: ssh, file, no path, no commit, a javascript: link', () => {
    expect(commitUrl(SHA, 'git@github.com:acme/web.git')).toBeUndefined();
    expect(commitUrl(SHA, 'file:///srv/git/web')).toBeUndefined();
    expect(commitUrl(SHA, 'https://git.example/')).toBeUndefined();
    expect(commitUrl(undefined, 'https://github.com/acme/web.git')).toBeUndefined();
    expect(commitUrl(SHA, undefined, 'javascript:alert(1)')).toBeUndefined();
  });
});
