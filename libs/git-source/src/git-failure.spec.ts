import { GitRunFailure } from './git-runner';
import { scrub, translateGitFailure } from './git-failure';

const context = { what: 'branch "main" of "https://git.example.com/a"', timeoutMs: 1000, secrets: ['tok/en+1'] };

function translate(stderr: string, operation: 'ls-remote' | 'fetch' | 'read' = 'fetch') {
  return translateGitFailure(new GitRunFailure('exit', stderr, 128), operation, context);
}

describe('translateGitFailure', () => {
  it.each([
    ["fatal: Authentication failed for 'https://git.example.com/a/'", 'AuthFailed', false],
    ["fatal: could not read Username for 'https://git.example.com': terminal prompts disabled", 'AuthFailed', false],
    ['fatal: remote error: upload-pack: not our ref 0123', 'CommitNotFound', false],
    ["fatal: repository 'https://git.example.com/a/' not found", 'RepositoryNotFound', false],
    ["fatal: unable to access 'https://git.example.com/a/': Could not resolve host: git.example.com", 'Unreachable', true],
    ["fatal: unable to access 'https://git.example.com/a/': The requested URL returned error: 503", 'Unreachable', true],
    ["fatal: unable to access 'https://git.example.com/a/': The requested URL returned error: 302", 'DestinationRefused', false],
    ['fatal: something new', 'GitFailed', false],
  ])('turns %j into %s (retryable %s)', (stderr, code, retryable) => {
    const error = translate(stderr);
    expect(error.code).toBe(code);
    expect(error.retryable).toBe(retryable);
  });

  it('reads "not our ref" as a missing commit only while fetching', () => {
    expect(translate('fatal: remote error: upload-pack: not our ref 0123', 'read').code).toBe('GitFailed');
  });

  it('turns a timeout into a retryable Timeout', () => {
    const error = translateGitFailure(new GitRunFailure('timeout', '', null), 'fetch', context);
    expect(error.code).toBe('Timeout');
    expect(error.retryable).toBe(true);
  });

  it('keeps the secret, raw or URL-encoded, out of the message and the cause', () => {
    const error = translate('remote: token tok/en+1 is bad\nfatal: Authentication failed for https://u:tok%2Fen%2B1@h/ (tok/en+1)');
    const everything = `${error.message} ${(error.cause as Error).message}`;
    expect(everything).not.toContain('tok/en+1');
    expect(everything).not.toContain('tok%2Fen%2B1');
    expect(error.message).toContain('***');
  });
});

describe('scrub', () => {
  it('removes user-info from any URL in the text', () => {
    expect(scrub("unable to access 'https://user:pw@host/x'", [])).toBe("unable to access 'https://***@host/x'");
  });
});
