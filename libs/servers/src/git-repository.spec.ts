import { execFileSync } from 'node:child_process';
import { existsSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createGitRepository, GitRepository } from './git-repository';
import { GitHttpServer } from './git-http-server';

function show(repo: GitRepository, rev: string): string {
  return execFileSync('git', ['show', rev], { cwd: repo.dir, encoding: 'utf8', env: { PATH: process.env.PATH, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' } });
}

describe('GitRepository of the harness', () => {
  let repo: GitRepository;
  afterEach(() => repo?.remove());

  it('commits the given files on main and returns the commit SHA', async () => {
    repo = await createGitRepository({ '.devops.yml': 'stages: []\n', 'ci/nested.txt': 'n' });
    expect(repo.initialCommit).toMatch(/^[0-9a-f]{40}$/);
    expect(await repo.revParse('refs/heads/main')).toBe(repo.initialCommit);
    expect(show(repo, `${repo.initialCommit}:ci/nested.txt`)).toBe('n');
  });

  it('keeps older commits readable after later commits change and delete files', async () => {
    repo = await createGitRepository({ 'a.txt': 'one' });
    const second = await repo.commit({ 'a.txt': 'two', 'b.txt': 'b' }, 'second');
    const third = await repo.commit({ 'b.txt': null }, 'third');
    expect(new Set([repo.initialCommit, second, third]).size).toBe(3);
    expect(show(repo, `${repo.initialCommit}:a.txt`)).toBe('one');
    expect(show(repo, `${second}:b.txt`)).toBe('b');
    expect(existsSync(join(repo.dir, 'b.txt'))).toBe(false);
  });

  it('makes symbolic links, branches and tags', async () => {
    repo = await createGitRepository({ 'link.yml': { symlink: '/etc/passwd' } });
    expect(readlinkSync(join(repo.dir, 'link.yml'))).toBe('/etc/passwd');
    expect(await repo.branch('feature/x')).toBe(repo.initialCommit);
    await repo.checkout('feature/x');
    const onFeature = await repo.commit({ 'f.txt': 'f' });
    expect(await repo.revParse('refs/heads/feature/x')).toBe(onFeature);
    expect(await repo.revParse('refs/heads/main')).toBe(repo.initialCommit);
    expect(await repo.tag('v1', onFeature, 'release 1')).toBe(onFeature);
    expect(await repo.tag('light')).toBe(onFeature);
  });

  it('removes the temporary directory it created', async () => {
    repo = await createGitRepository({ 'a': 'a' });
    await repo.remove();
    expect(existsSync(repo.dir)).toBe(false);
  });

  it('pushes over HTTP with credentials given through askpass, and fails without leaking the password', async () => {
    const root = mkdtempSync(join(tmpdir(), 'keelson-push-'));
    execFileSync('git', ['init', '-q', '--bare', join(root, 'app.git')]);
    const server = await GitHttpServer.start({ root, username: 'bot', password: 's3cret-pw' });
    try {
      repo = await createGitRepository({ 'a.txt': 'a' });
      await repo.push({ url: server.url('app.git'), username: 'bot', password: 's3cret-pw' }, 'main');
      const pushed = execFileSync('git', ['rev-parse', 'refs/heads/main'], { cwd: join(root, 'app.git'), encoding: 'utf8' }).trim();
      expect(pushed).toBe(repo.initialCommit);
      expect(server.requests.some((r) => r.authorization?.user === 'bot' && r.status === 200)).toBe(true);

      // execFile's errors come from Node's own realm, not jest's: checked by shape rather than instanceof.
      const failure = await repo.push({ url: server.url('app.git'), username: 'bot', password: 'wrong-pw' }, 'main').then(() => undefined, (e: Error) => e);
      expect(failure?.message).toMatch(/Authentication failed|401/);
      expect(failure?.message).not.toContain('wrong-pw');
    } finally {
      await server.stop();
      rmSync(root, { recursive: true, force: true });
    }
  });
});
