// Real git repositories for tests: files in, commit SHAs out. Isolated from the machine's git config, with a
// fixed identity, so a test never depends on who runs it.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** File content; `{ symlink }` makes a symbolic link, `null` deletes the file. */
export type GitFileContent = string | { symlink: string } | null;
export type GitFiles = Record<string, GitFileContent>;

export interface GitRepositoryOptions {
  /** Where to create the repository (created if missing); a temporary directory, removed by `remove()`, otherwise. */
  dir?: string;
  /** Name of the first branch. Default `main`. */
  branch?: string;
  message?: string;
}

const GIT_ENV = {
  GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C',
  GIT_AUTHOR_NAME: 'Keelson Test', GIT_AUTHOR_EMAIL: 'test@keelson.invalid',
  GIT_COMMITTER_NAME: 'Keelson Test', GIT_COMMITTER_EMAIL: 'test@keelson.invalid',
};

/** A remote to push to over HTTP; the credentials reach git through GIT_ASKPASS, never the URL or argv. */
export interface GitRemote {
  url: string;
  username: string;
  password: string;
}

// Prints the username or the password git asks for, from the environment of the one push that runs it.
const ASKPASS_SCRIPT = '#!/bin/sh\ncase "$1" in\n  Username*) printf \'%s\\n\' "$KEELSON_GIT_USERNAME" ;;\n  *) printf \'%s\\n\' "$KEELSON_GIT_PASSWORD" ;;\nesac\n';

export class GitRepository {
  private constructor(readonly dir: string, private readonly ownsDir: boolean, readonly initialCommit: string) {}

  /** A repository whose first commit holds `files`; `initialCommit` is its SHA. */
  static async create(files: GitFiles, options: GitRepositoryOptions = {}): Promise<GitRepository> {
    const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'keelson-repo-')));
    await mkdir(dir, { recursive: true });
    await git(dir, 'init', '-q', '-b', options.branch ?? 'main');
    // Lets a client fetch any reachable commit by SHA over protocol v0 too (v2 allows it anyway).
    await git(dir, 'config', 'uploadpack.allowReachableSHA1InWant', 'true');
    const first = new GitRepository(dir, !options.dir, '');
    const sha = await first.commit(files, options.message ?? 'initial commit');
    return new GitRepository(dir, !options.dir, sha);
  }

  /** `file://` URL of the repository. */
  get fileUrl(): string {
    return pathToFileURL(this.dir).href;
  }

  /** Writes, links or deletes `files`, commits on the current branch and returns the new commit's SHA. */
  async commit(files: GitFiles, message = 'update'): Promise<string> {
    for (const [path, content] of Object.entries(files)) {
      const target = join(this.dir, path);
      await rm(target, { force: true, recursive: true });
      if (content === null) continue;
      await mkdir(dirname(target), { recursive: true });
      if (typeof content === 'string') await writeFile(target, content);
      else await symlink(content.symlink, target);
    }
    await git(this.dir, 'add', '-A');
    await git(this.dir, 'commit', '-q', '--allow-empty', '-m', message);
    return this.revParse('HEAD');
  }

  /** Creates branch `name` at `from` (default HEAD) without switching to it; returns its SHA. */
  async branch(name: string, from = 'HEAD'): Promise<string> {
    await git(this.dir, 'branch', '--', name, from);
    return this.revParse(`refs/heads/${name}`);
  }

  /** Switches the working tree to branch `name`, so the next commit lands there. */
  async checkout(name: string): Promise<void> {
    await git(this.dir, 'checkout', '-q', name, '--');
  }

  /** Creates tag `name` at `at` (annotated when a message is given); returns the tagged commit's SHA. */
  async tag(name: string, at = 'HEAD', message?: string): Promise<string> {
    await git(this.dir, 'tag', ...(message === undefined ? [] : ['-a', '-m', message]), '--', name, at);
    return this.revParse(`refs/tags/${name}^{commit}`);
  }

  /** `git push` of `refspecs` (e.g. `main`, `v1`, `:old-branch`, `--tags`) to `remote`. */
  async push(remote: GitRemote, ...refspecs: string[]): Promise<void> {
    const askpassDir = await mkdtemp(join(tmpdir(), 'keelson-askpass-'));
    const askpass = join(askpassDir, 'askpass.sh');
    await writeFile(askpass, ASKPASS_SCRIPT, { mode: 0o700 });
    try {
      await execFileAsync('git', ['push', '-q', remote.url, ...refspecs], {
        cwd: this.dir,
        env: {
          PATH: process.env.PATH, HOME: process.env.HOME, ...GIT_ENV,
          GIT_ASKPASS: askpass, KEELSON_GIT_USERNAME: remote.username, KEELSON_GIT_PASSWORD: remote.password,
        },
      });
    } finally {
      await rm(askpassDir, { recursive: true, force: true });
    }
  }

  async revParse(rev: string): Promise<string> {
    return (await git(this.dir, 'rev-parse', '--verify', '--end-of-options', rev)).trim();
  }

  /** Deletes the repository when the harness created its directory. */
  async remove(): Promise<void> {
    if (this.ownsDir) await rm(this.dir, { recursive: true, force: true });
  }
}

export function createGitRepository(files: GitFiles, options?: GitRepositoryOptions): Promise<GitRepository> {
  return GitRepository.create(files, options);
}

async function git(cwd: string, ...args: string[]): Promise<string> {
  const { stdout } = await execFileAsync('git', args, { cwd, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...GIT_ENV } });
  return stdout;
}
