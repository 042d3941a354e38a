// A file at a commit never changes, so a burst of runs at one commit (a push that triggers many pipelines of one
// repository, a rerun storm) needs one fetch, not one each. Branches are always resolved afresh: a tip moves.
import { createHash } from 'node:crypto';
import type { ConfigSource, FoundFile, GitAuth } from './config-source.port';

export interface CachedConfigSourceOptions {
  /** Files kept, least recently used dropped first. Default 256. */
  maxEntries?: number;
}

export class CachedConfigSource implements ConfigSource {
  /** Finished reads and reads in flight alike, so concurrent callers of one key share one fetch. */
  private readonly files = new Map<string, Promise<unknown>>();
  private readonly maxEntries: number;

  constructor(private readonly source: ConfigSource, options: CachedConfigSourceOptions = {}) {
    this.maxEntries = options.maxEntries ?? 256;
  }

  resolveCommit(repositoryUrl: string, target: { branch: string } | { commit: string }, auth?: GitAuth): Promise<string> {
    return this.source.resolveCommit(repositoryUrl, target, auth);
  }

  readFile(repositoryUrl: string, commit: string, path: string, auth?: GitAuth): Promise<string | undefined> {
    return this.cached(['file', repositoryUrl, commit.toLowerCase(), path], auth, () => this.source.readFile(repositoryUrl, commit, path, auth));
  }

  readFirstFile(repositoryUrl: string, commit: string, paths: readonly string[], auth?: GitAuth): Promise<FoundFile | undefined> {
    return this.cached(['first', repositoryUrl, commit.toLowerCase(), ...paths], auth, () => this.source.readFirstFile(repositoryUrl, commit, paths, auth));
  }

  private cached<T>(what: string[], auth: GitAuth | undefined, read: () => Promise<T>): Promise<T> {
    // The credentials are part of the key: a file read with one pipeline's token is never handed to a caller
    // who did not prove access to the repository.
    const key = JSON.stringify([...what, auth ? fingerprint(auth) : null]);
    const cached = this.files.get(key) as Promise<T> | undefined;
    if (cached) {
      this.files.delete(key); // re-inserted: Map order is the recency order
      this.files.set(key, cached);
      return cached;
    }
    const reading = read();
    this.files.set(key, reading);
    // Failures are not kept: the next caller tries again.
    reading.catch(() => this.files.get(key) === reading && this.files.delete(key));
    while (this.files.size > this.maxEntries) this.files.delete(this.files.keys().next().value!);
    return reading;
  }
}

function fingerprint(auth: GitAuth): string {
  return createHash('sha256').update(`${auth.username}\0${auth.password}`).digest('hex');
}
