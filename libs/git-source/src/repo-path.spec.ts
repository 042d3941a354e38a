import fc from 'fast-check';
import { GitSourceError } from './git-source.errors';
import { validateRepoPath } from './repo-path';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    expect(e).toBeInstanceOf(GitSourceError);
    return (e as GitSourceError).code;
  }
}

describe('validateRepoPath', () => {
  it.each(['.devops.yml', 'ci/.devops.yml', 'a/b/c.yaml', 'with space.yml', 'ünïcode/p.yml', '50%.yml', 'a..b.yml', '...'])('accepts the relative path %j unchanged', (path) => {
    expect(validateRepoPath(path)).toBe(path);
  });

  it('drops "." segments', () => {
    expect(validateRepoPath('./ci/./.devops.yml')).toBe('ci/.devops.yml');
  });

  it.each([
    ['../../etc/passwd'], ['..'], ['a/../../b'], ['a/..'], ['/etc/passwd'], ['..\\..\\windows'], ['a\\b'], ['a\0b'], ['a\nb'],
    ['..%2fetc%2fpasswd'], ['..%2Fetc'], ['%2e%2e/etc/passwd'], ['%2E%2E%2Fetc'], ['%252e%252e%252fetc'], ['%2fetc/passwd'],
    ['a%5cb'], ['a%00b'], ['%c0%ae%c0%ae/etc'], ['a//b'], ['a/'], ['.'], ['./'], [''], ['x'.repeat(1025)], ['a/'.repeat(2048)],
  ])('refuses %j with InvalidPath', (path) => {
    expect(codeOf(() => validateRepoPath(path))).toBe('InvalidPath');
  });

  it('keeps the message short for a 4 KB path', () => {
    let refusal: unknown;
    try {
      validateRepoPath('a'.repeat(4096));
    } catch (e) {
      refusal = e;
    }
    // Outside the catch: a path that is accepted must fail the test, not be caught as if refused.
    expect(refusal).toBeInstanceOf(GitSourceError);
    expect((refusal as GitSourceError).code).toBe('InvalidPath');
    expect((refusal as Error).message.length).toBeLessThan(300);
  });

  it('never returns a path that is absolute, has a ".." segment, a backslash or a control character', () => {
    const piece = fc.constantFrom('a', '.', '..', '/', '\\', '%', '2e', '2f', '2E', '5c', '00', '\0', '\n', '~', ' ');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }).map((p) => p.join('')), (path) => {
        let result: string;
        try {
          result = validateRepoPath(path);
        } catch (e) {
          expect((e as GitSourceError).code).toBe('InvalidPath');
          return;
        }
        const decoded = decodeURIComponentLoose(decodeURIComponentLoose(result));
        expect(result.startsWith('/')).toBe(false);
        expect(decoded.split(/[\\/]/)).not.toContain('..');
        expect(result).not.toMatch(/[\\\x00-\x1f]/);
        expect(result.split('/')).not.toContain('');
      }),
      { numRuns: 5000 },
    );
  });
});

function decodeURIComponentLoose(s: string): string {
  return s.replace(/%[0-9a-fA-F]{2}/g, (h) => String.fromCharCode(parseInt(h.slice(1), 16)));
}
