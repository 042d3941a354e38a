import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { GitHttpServer } from './git-http-server';
import { createGitRepository, GitRepository } from './git-repository';

const execFileAsync = promisify(execFile);
const ENV = { PATH: process.env.PATH, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' };

async function git(args: string[], cwd?: string): Promise<string> {
  return (await execFileAsync('git', args, { cwd, env: ENV })).stdout;
}

describe('GitHttpServer of the harness', () => {
  let root: string;
  let repo: GitRepository;
  let open: GitHttpServer;
  let guarded: GitHttpServer;
  let older: string;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'keelson-git-root-'));
    repo = await createGitRepository({ 'a.txt': 'old' }, { dir: join(root, 'app') });
    older = repo.initialCommit;
    await repo.commit({ 'a.txt': 'new' });
    open = await GitHttpServer.start({ root });
    guarded = await GitHttpServer.start({ root, username: 'ci', password: 'pa55' });
  });
  afterAll(async () => {
    await open?.stop();
    await guarded?.stop();
    await rm(root, { recursive: true, force: true });
  });

  it('lists the refs of a repository over smart HTTP', async () => {
    const out = await git(['ls-remote', open.url('app'), 'refs/heads/main']);
    expect(out).toBe(`${await repo.revParse('main')}\trefs/heads/main\n`);
  });

  it('serves a shallow fetch of an older commit by its SHA', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'keelson-git-client-'));
    try {
      await git(['init', '--bare', '-q', dir]);
      await git(['-C', dir, 'fetch', '--depth=1', '-q', open.url('app'), older]);
      expect(await git(['-C', dir, 'show', `${older}:a.txt`])).toBe('old');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('answers 401 with a Basic challenge without credentials or with wrong ones', async () => {
    const none = await fetch(`${guarded.url('app')}/info/refs?service=git-upload-pack`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
    const wrong = await fetch(`${guarded.url('app')}/info/refs?service=git-upload-pack`, { headers: { Authorization: `Basic ${Buffer.from('ci:nope').toString('base64')}` } });
    expect(wrong.status).toBe(401);
  });

  it('serves an authenticated client and records the user', async () => {
    const res = await fetch(`${guarded.url('app')}/info/refs?service=git-upload-pack`, { headers: { Authorization: `Basic ${Buffer.from('ci:pa55').toString('base64')}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-git-upload-pack-advertisement');
    expect(await res.text()).toContain('# service=git-upload-pack');
    expect(guarded.requests.at(-1)).toEqual({ method: 'GET', path: '/app/info/refs', status: 200, user: 'ci', authorization: { scheme: 'Basic', user: 'ci' } });
  });

  it('records every Authorization header it receives, also where none is asked for, never the password', async () => {
    await fetch(`${open.url('app')}/info/refs?service=git-upload-pack`, { headers: { Authorization: `Basic ${Buffer.from('eve:s3cret').toString('base64')}` } });
    expect(open.requests.at(-1)).toMatchObject({ path: '/app/info/refs', status: 200, authorization: { scheme: 'Basic', user: 'eve' } });
    expect(JSON.stringify(open.requests)).not.toContain('s3cret');
    await fetch(`${open.url('app')}/info/refs?service=git-upload-pack`);
    expect(open.requests.at(-1)?.authorization).toBeUndefined();
  });

  it('redirects every request to another server when told to, keeping path and query', async () => {
    const moved = await GitHttpServer.start({ root, redirectTo: open.baseUrl });
    try {
      const res = await fetch(`${moved.url('app')}/info/refs?service=git-upload-pack`, { redirect: 'manual' });
      expect(res.status).toBe(302);
      expect(res.headers.get('location')).toBe(`${open.url('app')}/info/refs?service=git-upload-pack`);
      expect(moved.requests).toEqual([{ method: 'GET', path: '/app/info/refs', status: 302, user: undefined }]);
    } finally {
      await moved.stop();
    }
  });

  it('passes the backend status through for a repository that does not exist', async () => {
    const res = await fetch(`${open.url('missing')}/info/refs?service=git-upload-pack`);
    expect(res.status).toBe(404);
  });
});
