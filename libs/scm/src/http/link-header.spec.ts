import { linkWithRel } from './link-header';

const BASE = new URL('https://api.github.com/user/repos?per_page=100');

describe('linkWithRel', () => {
  it('finds next among several links (GitHub, GitLab, Gitea)', () => {
    const header = '<https://api.github.com/user/repos?page=3&per_page=100>; rel="next", <https://api.github.com/user/repos?page=50&per_page=100>; rel="last"';
    expect(linkWithRel(header, 'next', BASE)?.href).toBe('https://api.github.com/user/repos?page=3&per_page=100');
    expect(linkWithRel(header, 'last', BASE)?.searchParams.get('page')).toBe('50');
  });

  it('accepts unquoted and multi-valued rel, other parameters, and relative targets', () => {
    expect(linkWithRel('</user/repos?page=2>; title="x"; rel=next', 'next', BASE)?.href).toBe('https://api.github.com/user/repos?page=2');
    expect(linkWithRel('<https://a.test/p2>; rel="next last"', 'next', BASE)?.href).toBe('https://a.test/p2');
  });

  it('gives nothing on the last page or without a header', () => {
    expect(linkWithRel('<https://api.github.com/user/repos?page=1>; rel="first", <https://api.github.com/user/repos?page=1>; rel="prev"', 'next', BASE)).toBeUndefined();
    expect(linkWithRel(undefined, 'next', BASE)).toBeUndefined();
    expect(linkWithRel('garbage', 'next', BASE)).toBeUndefined();
  });
});
