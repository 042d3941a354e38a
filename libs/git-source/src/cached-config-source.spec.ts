import { CachedConfigSource } from './cached-config-source';
import type { ConfigSource, GitAuth } from './config-source.port';
import { GitSourceError } from './git-source.errors';

const URL = 'https://git.example.com/team/web.git';
const SHA = 'a'.repeat(40);
const TOKEN: GitAuth = { username: 'x-access-token', password: 'secret-1' };

/** A ConfigSource that counts its calls and answers from a table (or with an error, once). */
class CountingSource implements ConfigSource {
  reads = 0;
  resolves = 0;
  failNext = false;
  resolveCommit = async () => {
    this.resolves++;
    return SHA;
  };
  readFile = async (_url: string, _commit: string, path: string) => {
    this.reads++;
    await new Promise((r) => setImmediate(r));
    if (this.failNext) {
      this.failNext = false;
      throw new GitSourceError('Unreachable', 'the remote did not answer');
    }
    return path === '.devops.yml' ? `stages: [] # read ${this.reads}` : undefined;
  };
  readFirstFile = async (url: string, commit: string, paths: readonly string[]) => {
    for (const path of paths) {
      const text = await this.readFile(url, commit, path);
      if (text !== undefined) return { path, text };
    }
    return undefined;
  };
}

describe('CachedConfigSource', () => {
  it('reads a file at a commit once, also for callers that ask at the same time', async () => {
    const source = new CountingSource();
    const cached = new CachedConfigSource(source);
    const texts = await Promise.all(Array.from({ length: 16 }, () => cached.readFile(URL, SHA, '.devops.yml', TOKEN)));
    expect(new Set(texts)).toEqual(new Set(['stages: [] # read 1']));
    expect(await cached.readFile(URL, SHA.toUpperCase(), '.devops.yml', TOKEN)).toBe('stages: [] # read 1');
    expect(source.reads).toBe(1);
  });

  it('keeps "not found" too, but apart from other paths', async () => {
    const source = new CountingSource();
    const cached = new CachedConfigSource(source);
    expect(await cached.readFile(URL, SHA, 'ci/.devops.yml')).toBeUndefined();
    expect(await cached.readFile(URL, SHA, 'ci/.devops.yml')).toBeUndefined();
    expect(await cached.readFile(URL, SHA, '.devops.yml')).toBe('stages: [] # read 2');
    expect(source.reads).toBe(2);
  });

  it('never hands a file read with one set of credentials to a caller with other or none', async () => {
    const source = new CountingSource();
    const cached = new CachedConfigSource(source);
    await cached.readFile(URL, SHA, '.devops.yml', TOKEN);
    await cached.readFile(URL, SHA, '.devops.yml', { ...TOKEN, password: 'secret-2' });
    await cached.readFile(URL, SHA, '.devops.yml');
    expect(source.reads).toBe(3);
  });

  it('does not keep failures: the next caller tries again', async () => {
    const source = new CountingSource();
    const cached = new CachedConfigSource(source);
    source.failNext = true;
    await expect(cached.readFile(URL, SHA, '.devops.yml')).rejects.toMatchObject({ code: 'Unreachable' });
    expect(await cached.readFile(URL, SHA, '.devops.yml')).toBe('stages: [] # read 2');
  });

  it('keeps the first file found among several names, apart from each order of names and from single reads', async () => {
    const source = new CountingSource();
    const cached = new CachedConfigSource(source);
    const names = ['.rancher-pipeline.yml', '.devops.yml'];
    const first = await cached.readFirstFile(URL, SHA, names, TOKEN);
    expect(first).toEqual({ path: '.devops.yml', text: 'stages: [] # read 2' });
    expect(await cached.readFirstFile(URL, SHA.toUpperCase(), names, TOKEN)).toBe(first);
    expect(source.reads).toBe(2);
    await cached.readFirstFile(URL, SHA, [...names].reverse(), TOKEN);
    await cached.readFile(URL, SHA, '.devops.yml', TOKEN);
    await cached.readFirstFile(URL, SHA, names);
    expect(source.reads).toBe(6);
  });

  it('resolves a branch every time, since its tip moves', async () => {
    const source = new CountingSource();
    const cached = new CachedConfigSource(source);
    await cached.resolveCommit(URL, { branch: 'main' });
    await cached.resolveCommit(URL, { branch: 'main' });
    expect(source.resolves).toBe(2);
  });

  it('drops the least recently used file past its size', async () => {
    const source = new CountingSource();
    const cached = new CachedConfigSource(source, { maxEntries: 2 });
    const read = (sha: string) => cached.readFile(URL, sha, '.devops.yml');
    await read('1'.repeat(40));
    await read('2'.repeat(40));
    await read('1'.repeat(40)); // 1 is now the most recent
    await read('3'.repeat(40)); // drops 2
    expect(source.reads).toBe(3);
    await read('1'.repeat(40));
    expect(source.reads).toBe(3);
    await read('2'.repeat(40));
    expect(source.reads).toBe(4);
  });
});
