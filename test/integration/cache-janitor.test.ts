// The cache janitor's script (charts/keelson/files/cache-janitor.sh) on a real directory tree with real sizes
// and modification times, run by busybox sh with only busybox's applets on the PATH (the chart's image), and by
// the machine's /bin/sh (dash) with its coreutils.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const SCRIPT = resolve(__dirname, '../../charts/keelson/files/cache-janitor.sh');
const HOUR = 3600;

let work: string;
let busyboxBin: string;

beforeAll(() => {
  const which = spawnSync('busybox', ['--list'], { encoding: 'utf8' });
  if (which.status !== 0) throw new Error('busybox is not installed: apt-get install -y busybox (scripts/setup.sh installs it)');
  busyboxBin = mkdtempSync(join(tmpdir(), 'keelson-busybox-'));
  const busybox = spawnSync('sh', ['-c', 'command -v busybox'], { encoding: 'utf8' }).stdout.trim();
  for (const applet of which.stdout.split('\n').filter(Boolean)) symlinkSync(busybox, join(busyboxBin, applet));
});
afterAll(() => rmSync(busyboxBin, { recursive: true, force: true }));

const SHELLS: Array<[string, () => { cmd: string; args: string[]; path: string }]> = [
  ['busybox sh with busybox applets only', () => ({ cmd: join(busyboxBin, 'sh'), args: [], path: busyboxBin })],
  ['dash with coreutils', () => ({ cmd: '/bin/sh', args: [], path: process.env.PATH ?? '/usr/bin:/bin' })],
];

describe.each(SHELLS)('the cache janitor under %s', (_name, shell) => {
  let root: string;
  let outside: string;
  const now = Math.floor(Date.now() / 1000);

  beforeEach(() => {
    work = mkdtempSync(join(tmpdir(), 'keelson-janitor-'));
    root = join(work, 'cache root');
    outside = join(work, 'outside');
    mkdirSync(root);
    mkdirSync(outside);
    writeFileSync(join(outside, 'precious'), Buffer.alloc(200 * 1024));
  });
  afterEach(() => rmSync(work, { recursive: true, force: true }));

  /** A cache directory of `kib` KiB, last used `ageSeconds` ago (its stamp), optionally with a lock. */
  function cacheDir(rel: string, kib: number, ageSeconds: number, opts: { stamp?: boolean; lockBeatAge?: number } = {}): string {
    const dir = join(root, rel);
    mkdirSync(join(dir, 'node_modules'), { recursive: true });
    writeFileSync(join(dir, 'node_modules', 'blob'), Buffer.alloc(kib * 1024, 1));
    const at = now - ageSeconds;
    if (opts.stamp !== false) {
      writeFileSync(join(dir, '.keelson-last-used'), '');
      utimesSync(join(dir, '.keelson-last-used'), at, at);
    }
    if (opts.lockBeatAge !== undefined) {
      mkdirSync(join(dir, '.keelson-lock'));
      writeFileSync(join(dir, '.keelson-lock', 'owner'), 'pod/1/1\n');
      writeFileSync(join(dir, '.keelson-lock', 'heartbeat'), `${now - opts.lockBeatAge}\n`);
    }
    utimesSync(dir, at, at);
    return dir;
  }

  function janitor(env: Record<string, string>): { code: number | null; out: string } {
    const { cmd, args, path } = shell();
    const r = spawnSync(cmd, [...args, SCRIPT], {
      encoding: 'utf8',
      env: { PATH: path, CACHE_ROOT: root, ONCE: '1', IN_USE_GRACE: String(HOUR), ...env },
      timeout: 60_000,
    });
    return { code: r.status, out: `${r.stdout}${r.stderr}` };
  }

  it('evicts the least recently used directories first, and only until the root is under its bound', () => {
    const a = cacheDir('team-a/web/oldest', 100, 10 * HOUR);
    const b = cacheDir('team-a/web/older', 100, 8 * HOUR);
    const c = cacheDir('team-b/api/newer', 100, 6 * HOUR);
    const d = cacheDir('team-b/api/newest', 100, 4 * HOUR);
    const r = janitor({ MAX_SIZE: '250Ki' });
    expect(r.code).toBe(0);
    expect([a, b, c, d].map(existsSync)).toEqual([false, false, true, true]);
    const evicted = r.out.split('\n').filter((l) => l.includes('evicted'));
    expect(evicted).toEqual([expect.stringContaining(`: ${a}`), expect.stringContaining(`: ${b}`)]);
    expect(readdirSync(root).filter((n) => n.startsWith('.keelson-trash'))).toEqual([]);
  });

  it('evicts nothing under the bound', () => {
    const a = cacheDir('p/q/k', 100, 100 * HOUR);
    expect(janitor({ MAX_SIZE: '1Mi' }).code).toBe(0);
    expect(existsSync(a)).toBe(true);
  });

  it('keeps a directory in use even when it is the oldest: lock held, or used within the grace', () => {
    const locked = cacheDir('p/q/locked', 100, 50 * HOUR, { lockBeatAge: 10 });
    const recent = cacheDir('p/q/recent', 100, 60);
    const old = cacheDir('p/q/old', 100, 5 * HOUR);
    const r = janitor({ MAX_SIZE: '150Ki' });
    expect([locked, recent, old].map(existsSync)).toEqual([true, true, false]);
    expect(r.out).toContain('still');
    expect(r.out).toContain('the rest is in use');
  });

  it('treats a lock with an old heartbeat as dead, and evicts its directory', () => {
    const dead = cacheDir('p/q/dead', 100, 50 * HOUR, { lockBeatAge: 10 * 60 });
    const r = janitor({ MAX_SIZE: '10Ki', LOCK_STALE: '120' });
    expect(r.code).toBe(0);
    expect(existsSync(dead)).toBe(false);
  });

  it('is not fooled by what a build may write: a FIFO heartbeat, a heartbeat or stamp in the future', () => {
    const fifo = cacheDir('p/q/fifo', 100, 50 * HOUR);
    mkdirSync(join(fifo, '.keelson-lock'));
    expect(spawnSync('mkfifo', [join(fifo, '.keelson-lock', 'heartbeat')]).status).toBe(0);
    utimesSync(join(fifo, '.keelson-lock'), now - 50 * HOUR, now - 50 * HOUR);
    const forgedBeat = cacheDir('p/q/forged-beat', 100, 50 * HOUR, { lockBeatAge: -1_000_000 });
    const forgedStamp = cacheDir('p/q/forged-stamp', 100, -1_000_000);
    const r = janitor({ MAX_SIZE: '10Ki', LOCK_STALE: '120' });
    expect(r.code).toBe(0);
    expect([fifo, forgedBeat, forgedStamp].map(existsSync)).toEqual([false, false, false]);
  });

  it('uses the directory mtime when there is no stamp', () => {
    const old = cacheDir('p/q/old', 100, 9 * HOUR, { stamp: false });
    const fresh = cacheDir('p/q/fresh', 100, 2 * HOUR, { stamp: false });
    janitor({ MAX_SIZE: '150Ki' });
    expect([old, fresh].map(existsSync)).toEqual([false, true]);
  });

  it('never follows a symbolic link out of the root, and touches nothing outside it', () => {
    // A project, a pipeline and a key that are links to the outside, and a link inside a cache directory.
    symlinkSync(outside, join(root, 'linked-project'));
    mkdirSync(join(root, 'p', 'linked-pipeline-parent'), { recursive: true });
    symlinkSync(outside, join(root, 'p', 'linked-pipeline'));
    symlinkSync(outside, join(root, 'p', 'linked-pipeline-parent', 'linked-key'));
    const holder = cacheDir('p/q/holds-a-link', 10, 10 * HOUR);
    symlinkSync(outside, join(holder, 'node_modules', 'escape'));
    cacheDir('p/q/other', 10, 9 * HOUR);
    const r = janitor({ MAX_SIZE: '1Ki' });
    expect(r.code).toBe(0);
    expect(existsSync(holder)).toBe(false);
    expect(existsSync(join(outside, 'precious'))).toBe(true);
    expect(readdirSync(outside)).toEqual(['precious']);
    // The links were not measured either: 200 KiB outside would have been counted.
    const counted = Number(/holds (\d+) KiB in cache directories/.exec(r.out)?.[1]);
    expect(counted).toBeGreaterThanOrEqual(20);
    expect(counted).toBeLessThan(100);
    for (const link of ['linked-project', 'p/linked-pipeline', 'p/linked-pipeline-parent/linked-key']) expect(existsSync(join(root, link))).toBe(true);
  });

  it('handles names with spaces, newlines, leading dashes and glob characters', () => {
    const odd = [
      cacheDir('team a/web app/key with spaces', 50, 10 * HOUR),
      cacheDir('p/q/new\nline', 50, 9 * HOUR),
      cacheDir('p/q/-rf', 50, 8 * HOUR),
      cacheDir('p/q/*', 50, 7 * HOUR),
    ];
    const kept = cacheDir('p/q/kept', 50, 1.5 * HOUR);
    const r = janitor({ MAX_SIZE: '60Ki' });
    expect(r.code).toBe(0);
    expect(odd.map(existsSync)).toEqual([false, false, false, false]);
    expect(existsSync(kept)).toBe(true);
  });

  it('reads sizes with units, and refuses bad settings naming the variable', () => {
    cacheDir('p/q/k', 100, 10 * HOUR);
    expect(janitor({ MAX_SIZE: '1G' }).code).toBe(0);
    const bad = janitor({ MAX_SIZE: '1.5Gi' });
    expect(bad.code).toBe(2);
    expect(bad.out).toContain("MAX_SIZE must be a size such as 50Gi, 500M or a number of bytes, got '1.5Gi'");
    expect(janitor({ MAX_SIZE: '1Gi', INTERVAL: 'soon' }).out).toContain("INTERVAL must be a whole number of seconds, got 'soon'");
    expect(janitor({ MAX_SIZE: '1Gi', CACHE_ROOT: 'relative' }).out).toContain("CACHE_ROOT must be an absolute directory, got 'relative'");
  });
});
