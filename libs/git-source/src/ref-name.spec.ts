import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { GitSourceError } from './git-source.errors';
import { validateBranchName, validateCommitSha } from './ref-name';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    expect(e).toBeInstanceOf(GitSourceError);
    return (e as GitSourceError).code;
  }
}

function gitAcceptsBranch(name: string): boolean {
  const result = spawnSync('git', ['check-ref-format', '--branch', name], { env: { PATH: process.env.PATH, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' }, cwd: '/' });
  return result.status === 0;
}

describe('validateBranchName', () => {
  it.each(['main', 'feature/login', 'release-1.2', 'fix_42', 'a@b', 'user/é-ünïcode', 'v1.0/x'])('accepts the ordinary branch name %j unchanged', (name) => {
    expect(validateBranchName(name)).toBe(name);
  });

  it.each([
    ['--upload-pack=touch /tmp/pwned'], ['-x'], ['-'], ['a..b'], ['a b'], ['a\tb'], ['a\nb'], ['a\0b'], ['a\x7fb'],
    ['a~1'], ['a^'], ['a:b'], ['a?'], ['a*'], ['a[b'], ['a\\b'], ['a@{1}'], ['@'], ['HEAD'], ['a.lock'], ['a.lock/b'],
    ['a/'], ['/a'], ['a//b'], ['a.'], ['.a'], ['a/.b'], [''], ['x'.repeat(1025)], ['\ud800'],
  ])('refuses the branch name %j with InvalidRef', (name) => {
    expect(codeOf(() => validateBranchName(name))).toBe('InvalidRef');
  });

  it('quotes the refused value in the message so control characters stay visible', () => {
    expect(() => validateBranchName('a\nb')).toThrow('branch "a\\nb" contains a space');
  });

  it('agrees with git check-ref-format --branch on 250 strings built from the characters that matter', () => {
    const piece = fc.constantFrom('a', 'b', '/', '.', '-', '@', '{', '}', '~', '^', ':', ' ', '\t', '*', '?', '[', '\\', '.lock', 'HEAD', 'é', '\x7f');
    fc.assert(
      fc.property(fc.array(piece, { minLength: 1, maxLength: 8 }).map((parts) => parts.join('')), (name) => {
        const ours = codeOf(() => validateBranchName(name)) === undefined;
        const gits = gitAcceptsBranch(name);
        // Stricter than git 2.39 only for "@" (shorthand for HEAD), never more permissive.
        expect(ours).toBe(gits && name !== '@');
      }),
      { numRuns: 250 },
    );
  });

  it('never accepts a name that starts with "-" or contains whitespace or a control character', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (name) => {
        if (/^-|[\x00-\x20\x7f]/.test(name)) expect(codeOf(() => validateBranchName(name))).toBe('InvalidRef');
      }),
      { numRuns: 2000 },
    );
  });
});

describe('validateCommitSha', () => {
  it('returns a 40-hex SHA lowercased', () => {
    expect(validateCommitSha('ABCDEF0123456789abcdef0123456789ABCDEF01')).toBe('abcdef0123456789abcdef0123456789abcdef01');
  });

  it('accepts a 64-hex SHA-256 object name', () => {
    expect(validateCommitSha('a'.repeat(64))).toBe('a'.repeat(64));
  });

  it.each([['abc123'], ['a'.repeat(39)], ['a'.repeat(41)], ['a'.repeat(63)], ['g'.repeat(40)], ['--upload-pack=x'], ['HEAD'], ['main'], [`${'a'.repeat(40)}\n`], [` ${'a'.repeat(40)}`], ['']])(
    'refuses %j with InvalidCommit',
    (sha) => {
      expect(codeOf(() => validateCommitSha(sha))).toBe('InvalidCommit');
    },
  );
});
