// GitCliConfigSource against real repositories: over file:// and over smart HTTP (git http-backend), with and
// without Basic auth, and under the outbound policy (addresses, plain http, redirects, DNS pinning). Needs only git.
import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, Server, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { GitCliConfigSource, GitSourceError } from '@keelson/git-source';
import type { OutboundPolicy } from '@keelson/outbound';
import { createGitRepository, freePort, GitHttpServer, GitRepository } from '@keelson/servers';

const PASSWORD = 'tok3n-S3cret/with+chars';
// The servers listen on 127.0.0.1 over plain http, which the policy must allow, as OUTBOUND_ALLOW_* do in local mode.
const LOCAL: OutboundPolicy = { allowHttp: true, allowCidrs: ['127.0.0.0/8'] };

async function failure(promise: Promise<unknown>): Promise<GitSourceError> {
  try {
    await promise;
  } catch (e) {
    expect(e).toBeInstanceOf(GitSourceError);
    return e as GitSourceError;
  }
  throw new Error('expected a GitSourceError');
}

describe('GitCliConfigSource', () => {
  let work: string;
  let scratch: string; // the source's temporary directories go here, so a test can see they are gone
  let repo: GitRepository;
  let older: string;
  let tip: string;
  let open: GitHttpServer;
  let guarded: GitHttpServer;
  let source: GitCliConfigSource;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'keelson-git-source-'));
    scratch = join(work, 'scratch');
    await import('node:fs/promises').then((fs) => fs.mkdir(scratch));
    repo = await createGitRepository({ '.devops.yml': 'stages: [old]\n', 'docs/readme.md': 'r' }, { dir: join(work, 'repos', 'app') });
    older = repo.initialCommit;
    tip = await repo.commit({
      '.devops.yml': 'stages: [new]\n',
      'link.yml': { symlink: '.devops.yml' },
      'escape.yml': { symlink: '/etc/passwd' },
      'linkdir': { symlink: '/etc' },
      'big.txt': 'x'.repeat(1024 * 1024 + 1),
    }, 'second');
    await repo.branch('feature/ünï');
    open = await GitHttpServer.start({ root: join(work, 'repos') });
    guarded = await GitHttpServer.start({ root: join(work, 'repos'), username: 'ci', password: PASSWORD });
    source = new GitCliConfigSource({ allowFileProtocol: true, tmpDir: scratch });
  });
  afterAll(async () => {
    await open?.stop();
    await guarded?.stop();
    await rm(work, { recursive: true, force: true });
  });

  describe('over file://', () => {
    it('resolves a branch to the SHA of its tip', async () => {
      expect(await source.resolveCommit(repo.fileUrl, { branch: 'main' })).toBe(tip);
      expect(await source.resolveCommit(repo.fileUrl, { branch: 'feature/ünï' })).toBe(tip);
    });

    it('returns a given commit lowercased without asking the remote', async () => {
      const offline = new GitCliConfigSource({ gitBinary: join(work, 'no-such-git') });
      expect(await offline.resolveCommit('https://git.invalid/a', { commit: older.toUpperCase() })).toBe(older);
    });

    it('reads the file at an older commit, not at the branch tip', async () => {
      expect(await source.readFile(repo.fileUrl, older, '.devops.yml')).toBe('stages: [old]\n');
      expect(await source.readFile(repo.fileUrl, tip, './.devops.yml')).toBe('stages: [new]\n');
      expect(await source.readFile(repo.fileUrl, older, 'docs/readme.md')).toBe('r');
    });

    it('reads the first of several names that exists at the commit, refusing it when it is a link or a directory', async () => {
      const names = ['.missing.yml', '.devops.yml', 'docs/readme.md'];
      expect(await source.readFirstFile(repo.fileUrl, older, names)).toEqual({ path: '.devops.yml', text: 'stages: [old]\n' });
      expect(await source.readFirstFile(repo.fileUrl, older, ['nope.yml', 'docs/readme.md'])).toEqual({ path: 'docs/readme.md', text: 'r' });
      expect(await source.readFirstFile(repo.fileUrl, tip, ['nope.yml'])).toBeUndefined();
      expect((await failure(source.readFirstFile(repo.fileUrl, tip, ['nope.yml', 'link.yml', '.devops.yml']))).message).toMatch(/^"link\.yml" at [0-9a-f]+ of .*: is a symbolic link/);
      expect((await failure(source.readFirstFile(repo.fileUrl, tip, ['docs', '.devops.yml']))).code).toBe('InvalidPath');
      expect((await failure(source.readFirstFile(repo.fileUrl, tip, ['.devops.yml', '../x']))).code).toBe('InvalidPath');
    });

    it('returns undefined for a path that does not exist at that commit', async () => {
      expect(await source.readFile(repo.fileUrl, tip, 'missing.yml')).toBeUndefined();
      expect(await source.readFile(repo.fileUrl, older, 'link.yml')).toBeUndefined();
    });

    it('refuses a symbolic link instead of following it, inside the repository or out of it', async () => {
      expect((await failure(source.readFile(repo.fileUrl, tip, 'link.yml'))).code).toBe('SymlinkRefused');
      expect((await failure(source.readFile(repo.fileUrl, tip, 'escape.yml'))).code).toBe('SymlinkRefused');
      // A path through a linked directory does not exist in git's tree.
      expect(await source.readFile(repo.fileUrl, tip, 'linkdir/passwd')).toBeUndefined();
    });

    it('refuses a directory as the config file', async () => {
      expect((await failure(source.readFile(repo.fileUrl, tip, 'docs'))).code).toBe('InvalidPath');
    });

    it('refuses a file over 1 MiB by default, and over the configured cap', async () => {
      expect((await failure(source.readFile(repo.fileUrl, tip, 'big.txt'))).code).toBe('FileTooLarge');
      const small = new GitCliConfigSource({ allowFileProtocol: true, maxFileBytes: 10, tmpDir: scratch });
      expect((await failure(small.readFile(repo.fileUrl, tip, '.devops.yml'))).code).toBe('FileTooLarge');
      expect(await small.readFile(repo.fileUrl, older, 'docs/readme.md')).toBe('r');
    });

    it('reports CommitNotFound for a commit the repository does not have', async () => {
      const error = await failure(source.readFile(repo.fileUrl, 'deadbeef'.repeat(5), '.devops.yml'));
      expect(error.code).toBe('CommitNotFound');
      expect(error.retryable).toBe(false);
    });

    it('reports RefNotFound for a branch the repository does not have, even when a tag has that name', async () => {
      await repo.tag('ghost');
      expect((await failure(source.resolveCommit(repo.fileUrl, { branch: 'ghost' }))).code).toBe('RefNotFound');
    });

    it('refuses file:// unless the operator allows it', async () => {
      const strict = new GitCliConfigSource({ tmpDir: scratch });
      expect((await failure(strict.resolveCommit(repo.fileUrl, { branch: 'main' }))).code).toBe('InvalidUrl');
      expect((await failure(strict.readFile(repo.fileUrl, tip, '.devops.yml'))).code).toBe('InvalidUrl');
    });

    it('refuses injected refs, commits, paths and URLs before git runs', async () => {
      // With a git binary that does not exist, any call that reached git would fail with GitFailed instead.
      const guardedByValidation = new GitCliConfigSource({ allowFileProtocol: true, gitBinary: join(work, 'no-such-git'), tmpDir: scratch });
      const cases: Array<[Promise<unknown>, string]> = [
        [guardedByValidation.resolveCommit(repo.fileUrl, { branch: '--upload-pack=touch /tmp/pwned' }), 'InvalidRef'],
        [guardedByValidation.resolveCommit(repo.fileUrl, { branch: 'main\0' }), 'InvalidRef'],
        [guardedByValidation.resolveCommit(repo.fileUrl, { commit: '--output=/tmp/x' }), 'InvalidCommit'],
        [guardedByValidation.readFile(repo.fileUrl, '-x', '.devops.yml'), 'InvalidCommit'],
        [guardedByValidation.readFile(repo.fileUrl, tip, '../../etc/passwd'), 'InvalidPath'],
        [guardedByValidation.readFile(repo.fileUrl, tip, '..%2f..%2fetc%2fpasswd'), 'InvalidPath'],
        [guardedByValidation.readFile(repo.fileUrl, tip, 'a'.repeat(4096)), 'InvalidPath'],
        [guardedByValidation.readFile('ext::sh -c touch% /tmp/pwned', tip, '.devops.yml'), 'InvalidUrl'],
        [guardedByValidation.resolveCommit('--upload-pack=touch /tmp/pwned', { branch: 'main' }), 'InvalidUrl'],
      ];
      for (const [promise, code] of cases) expect((await failure(promise)).code).toBe(code);
      expect((await failure(guardedByValidation.resolveCommit(repo.fileUrl, { branch: 'main' }))).code).toBe('GitFailed');
    });

    it('removes its temporary repository after a read, whether it succeeded or failed', async () => {
      await source.readFile(repo.fileUrl, older, '.devops.yml');
      await failure(source.readFile(repo.fileUrl, tip, 'big.txt'));
      await failure(source.readFile(repo.fileUrl, 'deadbeef'.repeat(5), '.devops.yml'));
      expect(await readdir(scratch)).toEqual([]);
    });
  });

  describe('over smart HTTP without auth', () => {
    const http = () => new GitCliConfigSource({ tmpDir: scratch, outbound: LOCAL });

    it('resolves a branch and reads a file at an older commit', async () => {
      expect(await http().resolveCommit(open.url('app'), { branch: 'main' })).toBe(tip);
      expect(await http().readFile(open.url('app'), older, '.devops.yml')).toBe('stages: [old]\n');
      expect(await http().readFile(open.url('app'), older, 'nothing-here.yml')).toBeUndefined();
    });

    it('reports CommitNotFound for an unknown commit and RepositoryNotFound for an unknown repository', async () => {
      expect((await failure(http().readFile(open.url('app'), 'a'.repeat(40), '.devops.yml'))).code).toBe('CommitNotFound');
      expect((await failure(http().resolveCommit(open.url('nope'), { branch: 'main' }))).code).toBe('RepositoryNotFound');
    });

    it('reports a retryable Unreachable when nothing listens', async () => {
      const port = await freePort();
      const error = await failure(http().resolveCommit(`http://127.0.0.1:${port}/app`, { branch: 'main' }));
      expect(error.code).toBe('Unreachable');
      expect(error.retryable).toBe(true);
    });

    it('gives up with a retryable Timeout when the server never answers, and cleans up', async () => {
      const sockets = new Set<Socket>();
      const silent: Server = createServer((socket) => sockets.add(socket));
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      const port = (silent.address() as { port: number }).port;
      try {
        const impatient = new GitCliConfigSource({ timeoutMs: 1500, tmpDir: scratch, outbound: LOCAL });
        const error = await failure(impatient.readFile(`http://127.0.0.1:${port}/app`, tip, '.devops.yml'));
        expect(error.code).toBe('Timeout');
        expect(error.retryable).toBe(true);
        expect(await readdir(scratch)).toEqual([]);
      } finally {
        for (const socket of sockets) socket.destroy();
        await new Promise((resolve) => silent.close(resolve));
      }
    });
  });

  describe('over smart HTTP with Basic auth', () => {
    let argvLog: string;
    let recordingGit: string;

    beforeAll(async () => {
      // A git that records its argv, to prove the password never reaches a command line (visible in `ps`).
      argvLog = join(work, 'argv.log');
      recordingGit = join(work, 'recording-git');
      await writeFile(recordingGit, `#!/bin/sh\nprintf '%s\\n' "$*" >> '${argvLog}'\nexec git "$@"\n`);
      await chmod(recordingGit, 0o755);
    });

    it('resolves and reads with the right credentials, which appear in no git argument', async () => {
      const authed = new GitCliConfigSource({ tmpDir: scratch, gitBinary: recordingGit, outbound: LOCAL });
      const auth = { username: 'ci', password: PASSWORD };
      expect(await authed.resolveCommit(guarded.url('app'), { branch: 'main' }, auth)).toBe(tip);
      expect(await authed.readFile(guarded.url('app'), older, '.devops.yml', auth)).toBe('stages: [old]\n');
      const argv = await readFile(argvLog, 'utf8');
      expect(argv).toContain('ls-remote');
      expect(argv).toContain('fetch');
      expect(argv).not.toContain(PASSWORD);
      expect(guarded.requests.some((r) => r.user === 'ci' && r.status === 200)).toBe(true);
    });

    it('reports AuthFailed without credentials', async () => {
      const error = await failure(new GitCliConfigSource({ tmpDir: scratch, outbound: LOCAL }).resolveCommit(guarded.url('app'), { branch: 'main' }));
      expect(error.code).toBe('AuthFailed');
      expect(error.retryable).toBe(false);
    });

    it('reports AuthFailed for a wrong password and never repeats the password', async () => {
      const wrong = { username: 'ci', password: `${PASSWORD}-wrong` };
      const quiet = new GitCliConfigSource({ tmpDir: scratch, outbound: LOCAL });
      for (const attempt of [
        quiet.resolveCommit(guarded.url('app'), { branch: 'main' }, wrong),
        quiet.readFile(guarded.url('app'), older, '.devops.yml', wrong),
      ]) {
        const error = await failure(attempt);
        expect(error.code).toBe('AuthFailed');
        const everything = `${error.message}\n${inspect(error, { depth: 5 })}\n${JSON.stringify(error)}`;
        expect(everything).not.toContain(PASSWORD);
        expect(everything).not.toContain(encodeURIComponent(PASSWORD));
      }
      expect(await readdir(scratch)).toEqual([]);
    });

    it('refuses credentials embedded in the URL without repeating them', async () => {
      const url = guarded.url('app').replace('http://', `http://ci:${encodeURIComponent(PASSWORD)}@`);
      const error = await failure(new GitCliConfigSource({ tmpDir: scratch, outbound: LOCAL }).resolveCommit(url, { branch: 'main' }));
      expect(error.code).toBe('InvalidUrl');
      expect(error.message).not.toContain(encodeURIComponent(PASSWORD));
    });
  });

  describe('under the outbound policy', () => {
    const auth = { username: 'ci', password: PASSWORD };
    // A git that does not exist: a call that got past the policy would fail with GitFailed instead.
    const noGit = () => join(work, 'no-such-git');

    it.each([
      ['loopback', () => open.url('app')],
      ['loopback written as a number', () => `http://2130706433:${open.port}/app`],
      ['loopback in hex', () => `http://0x7f.1:${open.port}/app`],
      ['IPv4-mapped loopback', () => `http://[::ffff:127.0.0.1]:${open.port}/app`],
      ['IPv6 loopback', () => `http://[::1]:${open.port}/app`],
      ['the metadata address', () => 'http://169.254.169.254/latest/meta-data.git'],
      ['the metadata address written as a number', () => 'http://2852039166/app'],
      ['a private address', () => 'https://10.0.0.1/app.git'],
    ])('refuses %s unless allowCidrs contains it, anonymous or not, before git runs', async (_what, url) => {
      const byDefault = new GitCliConfigSource({ tmpDir: scratch, gitBinary: noGit() });
      const httpAllowed = new GitCliConfigSource({ tmpDir: scratch, gitBinary: noGit(), outbound: { allowHttp: true, allowCidrs: [] } });
      const before = open.requests.length;
      for (const attempt of [byDefault.resolveCommit(url(), { branch: 'main' }), httpAllowed.readFile(url(), tip, '.devops.yml', auth)]) {
        const error = await failure(attempt);
        expect(error.code).toBe('DestinationRefused');
        expect(error.retryable).toBe(false);
        expect(error.message).toMatch(/an? (loopback|link-local|private) address/);
        expect(error.message).not.toContain(PASSWORD);
      }
      expect(open.requests.length).toBe(before);
    });

    it('names the metadata address when that is where the URL points', async () => {
      const error = await failure(new GitCliConfigSource({ tmpDir: scratch, gitBinary: noGit() }).resolveCommit('http://169.254.169.254/x.git', { branch: 'main' }));
      expect(error.message).toContain('169.254.169.254, a link-local address (169.254.0.0/16, the cloud metadata address)');
    });

    it('reaches loopback once the operator allows 127.0.0.0/8, and refuses plain http for credentials unless allowHttp', async () => {
      expect(await new GitCliConfigSource({ tmpDir: scratch, outbound: LOCAL }).resolveCommit(`http://0x7f.1:${open.port}/app`, { branch: 'main' })).toBe(tip);
      const httpsOnly = new GitCliConfigSource({ tmpDir: scratch, outbound: { allowHttp: false, allowCidrs: ['127.0.0.0/8'] } });
      // Anonymous reads may use http: nothing is sent that a listener could take.
      expect(await httpsOnly.resolveCommit(open.url('app'), { branch: 'main' })).toBe(tip);
      const before = guarded.requests.length;
      const error = await failure(httpsOnly.resolveCommit(guarded.url('app'), { branch: 'main' }, auth));
      expect(error.code).toBe('DestinationRefused');
      expect(error.message).toContain('plain http is refused by the outbound policy');
      expect(guarded.requests.length).toBe(before);
    });

    it('connects git only to the address it checked: a name only the check can resolve still works', async () => {
      // `.test` names exist in no DNS: git reaches the server only through the pinned address.
      const pinned = new GitCliConfigSource({ tmpDir: scratch, outbound: LOCAL, lookup: async (host) => (host === 'git-a.test' ? ['127.0.0.1'] : []) });
      const url = `http://git-a.test:${guarded.port}/app`;
      const before = guarded.requests.length;
      expect(await pinned.resolveCommit(url, { branch: 'main' }, auth)).toBe(tip);
      expect(await pinned.readFile(url, older, '.devops.yml', auth)).toBe('stages: [old]\n');
      expect(guarded.requests.slice(before).some((r) => r.user === 'ci' && r.status === 200)).toBe(true);
    });

    it('does not let a second DNS answer move git: the checked address wins over the system resolver', async () => {
      // The check is told localhost is 127.0.0.2, where nothing listens; the system resolver says 127.0.0.1,
      // where the server is. Reaching the server would mean git resolved the name again.
      const rebound = new GitCliConfigSource({ tmpDir: scratch, outbound: LOCAL, lookup: async () => ['127.0.0.2'] });
      const before = open.requests.length;
      const error = await failure(rebound.resolveCommit(`http://localhost:${open.port}/app`, { branch: 'main' }));
      expect(error.code).toBe('Unreachable');
      expect(open.requests.length).toBe(before);
    });

    it('refuses a name with one refused address among allowed ones', async () => {
      const mixed = new GitCliConfigSource({ tmpDir: scratch, outbound: LOCAL, lookup: async () => ['127.0.0.1', '169.254.169.254'] });
      const error = await failure(mixed.resolveCommit(`http://git-b.test:${open.port}/app`, { branch: 'main' }));
      expect(error.code).toBe('DestinationRefused');
      expect(error.message).toContain('resolves to 169.254.169.254');
    });

    it('reports a name DNS does not know as a retryable Unreachable', async () => {
      const error = await failure(new GitCliConfigSource({ tmpDir: scratch, outbound: LOCAL }).resolveCommit('https://no-such-host.invalid/app.git', { branch: 'main' }));
      expect(error.code).toBe('Unreachable');
      expect(error.retryable).toBe(true);
      expect(error.message).toContain('"no-such-host.invalid" could not be resolved');
    });

    it('never follows a redirect, so the token cannot go to the server it points at', async () => {
      // git's default (http.followRedirects=initial) would follow this one and hand the guarded server the token.
      const moved = await GitHttpServer.start({ root: join(work, 'repos'), redirectTo: guarded.baseUrl });
      try {
        const before = guarded.requests.length;
        const source = new GitCliConfigSource({ tmpDir: scratch, outbound: LOCAL });
        // One at a time: a second attempt started beside the first would reject before anyone awaits it.
        for (const attempt of [() => source.resolveCommit(moved.url('app'), { branch: 'main' }, auth), () => source.readFile(moved.url('app'), older, '.devops.yml', auth)]) {
          const error = await failure(attempt());
          expect(error.code).toBe('DestinationRefused');
          expect(error.message).toContain('redirects are never followed');
        }
        expect(moved.requests.map((r) => r.status)).toEqual([302, 302]);
        expect(moved.requests.some((r) => r.authorization)).toBe(false);
        expect(guarded.requests.length).toBe(before);
      } finally {
        await moved.stop();
      }
    });
  });
});
