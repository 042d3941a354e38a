// ConfigSource over the git command line. A branch is resolved with `git ls-remote`; a file is read from a
// throw-away bare repository that fetches exactly one commit (depth 1), so nothing of the remote persists and
// the file is read from git objects: no checkout, no working tree, no symlink to follow.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger, type Logger } from '@keelson/observability';
import { checkOutbound, OutboundError, STRICT_OUTBOUND_POLICY, type HostLookup, type OutboundErrorCode, type OutboundPolicy } from '@keelson/outbound';
import type { ConfigSource, FoundFile, GitAuth } from './config-source.port';
import { GitOperation, translateGitFailure } from './git-failure';
import { curlResolveEntry, gitEnv, globalArgs, validateAuth, type GitDestination } from './git-invocation';
import { runGit } from './git-runner';
import { GitSourceError, quote, type GitSourceErrorCode } from './git-source.errors';
import { validateBranchName, validateCommitSha } from './ref-name';
import { validateRepoPath } from './repo-path';
import { validateRepositoryUrl } from './repository-url';

export interface GitCliConfigSourceOptions {
  /** file:// URLs are refused unless this is true (tests and local mode). */
  allowFileProtocol?: boolean;
  /**
   * Where http(s) repositories may be: public addresses only by default. Plain http is refused only for calls
   * that carry credentials (unless allowHttp); the address rules hold for every call, anonymous ones included.
   */
  outbound?: OutboundPolicy;
  /** How host names are resolved before the check. Default the system resolver. */
  lookup?: HostLookup;
  /** Deadline of one resolveCommit or readFile call, all git commands included. Default 60 s. */
  timeoutMs?: number;
  /** Files bigger than this are refused with FileTooLarge. Default 1 MiB. */
  maxFileBytes?: number;
  /** Where the temporary repositories go. Default the system temp directory. */
  tmpDir?: string;
  /** The git executable. Default `git` from PATH. */
  gitBinary?: string;
  logger?: Logger;
}

const MAX_LISTING_BYTES = 1024 * 1024;

const OUTBOUND_CODES: Record<OutboundErrorCode, GitSourceErrorCode> = {
  InvalidUrl: 'InvalidUrl',
  SchemeRefused: 'DestinationRefused',
  AddressRefused: 'DestinationRefused',
  ResolutionFailed: 'Unreachable', // as git's own "Could not resolve host"
  InvalidPolicy: 'GitFailed', // the operator's configuration, validated at boot
};

/** One call's context: the URL git gets, its deadline, credentials, checked destination and what to say in errors. */
interface Call {
  url: string;
  auth: GitAuth | undefined;
  destination: GitDestination | undefined;
  deadline: number;
  what: string;
}

export class GitCliConfigSource implements ConfigSource {
  private readonly allowFileProtocol: boolean;
  private readonly timeoutMs: number;
  private readonly maxFileBytes: number;
  private readonly logger: Logger;

  constructor(private readonly options: GitCliConfigSourceOptions = {}) {
    this.allowFileProtocol = options.allowFileProtocol ?? false;
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.maxFileBytes = options.maxFileBytes ?? 1024 * 1024;
    this.logger = (options.logger ?? silentLogger).child({ component: 'git-source' });
  }

  async resolveCommit(repositoryUrl: string, target: { branch: string } | { commit: string }, auth?: GitAuth): Promise<string> {
    if ('commit' in target) return validateCommitSha(target.commit);
    const branch = validateBranchName(target.branch);
    const call = await this.call(repositoryUrl, auth, `branch ${quote(branch)} of ${quote(repositoryUrl)}`);
    const ref = `refs/heads/${branch}`;
    const out = await this.git(call, 'ls-remote', ['ls-remote', '--', call.url, ref]);
    // ls-remote matches patterns against ref tails; only the exact ref counts.
    for (const line of out.toString('utf8').split('\n')) {
      const [sha, name] = line.split('\t');
      if (name === ref && /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/.test(sha)) return sha;
    }
    throw new GitSourceError('RefNotFound', `${call.what}: no such branch`);
  }

  async readFile(repositoryUrl: string, commit: string, path: string, auth?: GitAuth): Promise<string | undefined> {
    return (await this.readFirstFile(repositoryUrl, commit, [path], auth))?.text;
  }

  async readFirstFile(repositoryUrl: string, commit: string, paths: readonly string[], auth?: GitAuth): Promise<FoundFile | undefined> {
    const sha = validateCommitSha(commit);
    const files = paths.map(validateRepoPath);
    if (files.length === 0) return undefined;
    const whatOf = (names: readonly string[]) => `${names.map((n) => quote(n)).join(' or ')} at ${sha} of ${quote(repositoryUrl)}`;
    const call = await this.call(repositoryUrl, auth, whatOf(files));
    const started = Date.now();
    const dir = await mkdtemp(join(this.options.tmpDir ?? tmpdir(), 'keelson-git-'));
    try {
      const objectFormat = sha.length === 64 ? 'sha256' : 'sha1';
      await this.git(call, 'read', ['init', '--bare', '-q', `--object-format=${objectFormat}`, '--', dir]);
      await this.git(call, 'fetch', ['-C', dir, 'fetch', '--depth=1', '--no-tags', '--no-write-fetch-head', '--quiet', '--', call.url, sha]);
      const found = await this.readFirstBlob(call, dir, sha, files, (file) => whatOf([file]));
      this.logger.debug({ repository: repositoryUrl, commit: sha, paths: files, found: found?.path, ms: Date.now() - started }, 'read config file');
      return found;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** One listing for every candidate; the first that exists is read (and refused if it is not a plain file). */
  private async readFirstBlob(call: Call, dir: string, sha: string, files: readonly string[], whatOf: (file: string) => string): Promise<FoundFile | undefined> {
    const listing = parseLsTree(await this.git(call, 'read', ['-C', dir, 'ls-tree', '-z', '--full-tree', sha, '--', ...files]));
    for (const file of files) {
      const entry = listing.find((e) => e.path === file);
      if (entry) return { path: file, text: await this.readBlob({ ...call, what: whatOf(file) }, dir, entry) };
    }
    return undefined;
  }

  private async readBlob(call: Call, dir: string, entry: TreeEntry): Promise<string> {
    if (entry.mode === '120000') throw new GitSourceError('SymlinkRefused', `${call.what}: is a symbolic link, which is never followed`);
    if (entry.type !== 'blob') throw new GitSourceError('InvalidPath', `${call.what}: is a ${entry.type === 'tree' ? 'directory' : entry.type}, not a file`);
    const size = Number((await this.git(call, 'read', ['-C', dir, 'cat-file', '-s', entry.oid])).toString().trim());
    const tooLarge = () => new GitSourceError('FileTooLarge', `${call.what}: is larger than ${this.maxFileBytes} bytes`);
    if (!(size <= this.maxFileBytes)) throw tooLarge();
    const content = await this.git(call, 'read', ['-C', dir, 'cat-file', 'blob', entry.oid], this.maxFileBytes);
    return content.toString('utf8');
  }

  private async call(repositoryUrl: string, auth: GitAuth | undefined, what: string): Promise<Call> {
    const deadline = Date.now() + this.timeoutMs;
    const url = validateRepositoryUrl(repositoryUrl, { allowFileProtocol: this.allowFileProtocol });
    const checkedAuth = validateAuth(auth);
    if (new URL(url).protocol === 'file:') return { url, auth: checkedAuth, destination: undefined, deadline, what };
    const policy = this.options.outbound ?? STRICT_OUTBOUND_POLICY;
    try {
      // Anonymous reads carry nothing to protect from a listener, so plain http is their choice; the address
      // rules stand regardless, or any pipeline could make the manager fetch from the node or the metadata service.
      const checked = await checkOutbound(url, checkedAuth ? policy : { ...policy, allowHttp: true }, { lookup: this.options.lookup });
      const pin = checked.literal ? undefined : curlResolveEntry(checked.hostname, checked.port, checked.addresses);
      // git gets the URL as checked: curl would read an odd host form (`0x7f.1`) its own way.
      return { url: checked.url.href, auth: checkedAuth, destination: { origin: checked.origin, pin }, deadline, what };
    } catch (err) {
      if (!(err instanceof OutboundError)) throw err;
      this.logger.warn({ code: err.code, reason: err.message }, 'repository refused by the outbound policy');
      throw new GitSourceError(OUTBOUND_CODES[err.code], `${what}: ${err.message}`, { cause: err });
    }
  }

  private async git(call: Call, operation: GitOperation, args: string[], maxStdoutBytes = MAX_LISTING_BYTES): Promise<Buffer> {
    const secrets = call.auth ? [call.auth.password] : [];
    try {
      const { stdout } = await runGit({
        binary: this.options.gitBinary ?? 'git',
        args: [...globalArgs({ allowFileProtocol: this.allowFileProtocol, auth: call.auth, destination: call.destination }), ...args],
        env: gitEnv(call.auth),
        timeoutMs: Math.max(1, call.deadline - Date.now()),
        maxStdoutBytes,
      });
      return stdout;
    } catch (failure) {
      const error = translateGitFailure(failure, operation, { what: call.what, timeoutMs: this.timeoutMs, secrets });
      if ((failure as { reason?: string }).reason === 'output-too-large' && maxStdoutBytes !== MAX_LISTING_BYTES) {
        throw new GitSourceError('FileTooLarge', `${call.what}: is larger than ${maxStdoutBytes} bytes`);
      }
      this.logger.warn({ operation, code: error.code, repository: call.url }, 'git command failed');
      throw error;
    }
  }
}

interface TreeEntry {
  mode: string;
  type: string;
  oid: string;
  path: string;
}

/** `git ls-tree -z` output: `<mode> SP <type> SP <oid> TAB <path> NUL`, paths unquoted. */
function parseLsTree(out: Buffer): TreeEntry[] {
  return out.toString('utf8').split('\0').filter(Boolean).map((record) => {
    const tab = record.indexOf('\t');
    const [mode, type, oid] = record.slice(0, tab).split(' ');
    return { mode, type, oid, path: record.slice(tab + 1) };
  });
}
