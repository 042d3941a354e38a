// The cache wrapper run for real: shells racing on a real directory, under dash (`/bin/sh` here) and busybox (what
// Kaniko's debug image and Alpine-based images have), plus what the compiler emits for hostile cache keys.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { compileJenkinsJob } from '../jenkins-job.compiler';
import { aCompileInput } from '../testing/compile-input.builders';
import { cacheWrapperScript, parseCacheLookups, type CacheLockTimings, type WrappedCache } from './cache-wrapper';

const SHELLS = [['/bin/sh'], ...(spawnSync('busybox', ['true']).status === 0 ? [['busybox', 'sh']] : [])];
const FAST: CacheLockTimings = { waitSeconds: 20, staleSeconds: 5, beatSeconds: 1 };

interface Run {
  code: number | null;
  out: string;
  startedAt: number;
  endedAt: number;
}

function run(shell: string[], script: string, env: Record<string, string> = {}, onStart?: (pid: number) => void): Promise<Run> {
  const startedAt = Date.now();
  const child = spawn(shell[0], [...shell.slice(1), '-c', script], { env: { PATH: process.env.PATH ?? '', HOSTNAME: 'pod-test', ...env }, detached: true });
  onStart?.(child.pid as number);
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, out, startedAt, endedAt: Date.now() })));
}

function markers(out: string): string[] {
  return out.split('\n').filter((l) => /^keelson-cache: key=/.test(l));
}

describe.each(SHELLS)('the cache wrapper under %s', (...shell: string[]) => {
  let root: string;
  let cache: WrappedCache;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'keelson-lock-'));
    mkdirSync(join(root, 'node_modules'));
    cache = { dir: root, key: 'deps-main', paths: ['node_modules'], write: true };
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('lets one writer at a time work in a key directory: the second waits, then finds what the first wrote', async () => {
    const log = join(root, 'order.log');
    // Each step writes its start, works for a second, fills the cache and writes its end.
    const step = (id: string) => cacheWrapperScript([cache], `echo start-${id} >> '${log}'; sleep 1; touch '${root}/node_modules/${id}'; echo end-${id} >> '${log}'`, FAST);
    const [a, b] = await Promise.all([run(shell, step('a')), run(shell, step('b'))]);
    expect([a.code, b.code]).toEqual([0, 0]);
    const order = readFileSync(log, 'utf8').trim().split('\n');
    const first = order[0].slice('start-'.length);
    const second = first === 'a' ? 'b' : 'a';
    expect(order).toEqual([`start-${first}`, `end-${first}`, `start-${second}`, `end-${second}`]);
    const runs: Record<string, Run> = { a, b };
    expect(markers(runs[first].out)).toEqual(['keelson-cache: key=deps-main result=miss lock=held']);
    expect(markers(runs[second].out)).toEqual(['keelson-cache: key=deps-main result=hit lock=held']);
    expect(runs[second].out).toContain('keelson-cache: waiting for the cache deps-main, in use by pod-test/');
    // Released and stamped for the janitor.
    expect(existsSync(join(root, '.keelson-lock'))).toBe(false);
    expect(existsSync(join(root, '.keelson-last-used'))).toBe(true);
  }, 30_000);

  it('runs without the lock after the wait, saying so, and keeps the step\'s exit status', async () => {
    const holder = run(shell, cacheWrapperScript([cache], 'sleep 4', FAST));
    await waitFor(() => existsSync(join(root, '.keelson-lock', 'heartbeat')));
    const late = await run(shell, cacheWrapperScript([cache], 'exit 3', { ...FAST, waitSeconds: 1 }));
    expect(late.code).toBe(3);
    expect(late.out).toContain('keelson-cache: the cache deps-main is still in use after 1s: this step runs without its lock');
    expect(markers(late.out)).toEqual(['keelson-cache: key=deps-main result=miss lock=timeout']);
    expect(late.endedAt - late.startedAt).toBeLessThan(3500);
    // The late step never removed the holder's lock.
    expect(existsSync(join(root, '.keelson-lock'))).toBe(true);
    expect((await holder).code).toBe(0);
    expect(existsSync(join(root, '.keelson-lock'))).toBe(false);
  }, 30_000);

  it('keeps the heartbeat fresh while a long step holds the lock, so it is never taken over', async () => {
    const holder = run(shell, cacheWrapperScript([cache], 'sleep 8', { ...FAST, staleSeconds: 3 }));
    await waitFor(() => existsSync(join(root, '.keelson-lock', 'heartbeat')));
    const second = await run(shell, cacheWrapperScript([cache], 'true', { ...FAST, staleSeconds: 3, waitSeconds: 6 }));
    // Six seconds of waiting, twice the stale age: the heartbeat kept the lock alive.
    expect(second.out).not.toContain('taking over');
    expect(markers(second.out)).toEqual(['keelson-cache: key=deps-main result=miss lock=timeout']);
    await holder;
  }, 30_000);

  it('takes over a lock whose holder died (old heartbeat), and releases it after the step', async () => {
    mkdirSync(join(root, '.keelson-lock'));
    writeFileSync(join(root, '.keelson-lock', 'owner'), 'dead-pod/1/1\n');
    writeFileSync(join(root, '.keelson-lock', 'heartbeat'), `${Math.floor(Date.now() / 1000) - 600}\n`);
    const r = await run(shell, cacheWrapperScript([cache], 'true', FAST));
    expect(r.code).toBe(0);
    expect(r.out).toContain('keelson-cache: taking over the stale lock of deps-main (holder: dead-pod/1/1)');
    expect(markers(r.out)).toEqual(['keelson-cache: key=deps-main result=miss lock=held']);
    expect(existsSync(join(root, '.keelson-lock'))).toBe(false);
  }, 30_000);

  it('never takes over a lock just made that has no heartbeat yet, before the stale age', async () => {
    mkdirSync(join(root, '.keelson-lock'));
    const r = await run(shell, cacheWrapperScript([cache], 'true', { ...FAST, waitSeconds: 2, staleSeconds: 10 }));
    expect(r.out).not.toContain('taking over');
    expect(markers(r.out)).toEqual(['keelson-cache: key=deps-main result=miss lock=timeout']);
    expect(existsSync(join(root, '.keelson-lock'))).toBe(true);
  }, 30_000);

  it('takes no lock for a read-only (fork) cache, even while a writer holds it', async () => {
    writeFileSync(join(root, 'node_modules', 'left'), 'x');
    mkdirSync(join(root, '.keelson-lock'));
    writeFileSync(join(root, '.keelson-lock', 'heartbeat'), `${Math.floor(Date.now() / 1000)}\n`);
    const r = await run(shell, cacheWrapperScript([{ ...cache, write: false }], 'true', FAST));
    expect(r.code).toBe(0);
    expect(markers(r.out)).toEqual(['keelson-cache: key=deps-main result=hit lock=readonly']);
    expect(r.endedAt - r.startedAt).toBeLessThan(1500);
    expect(existsSync(join(root, '.keelson-last-used'))).toBe(false);
  });

  it('releases the lock when the step is stopped (TERM to its process group)', async () => {
    let pid = 0;
    const holder = run(shell, cacheWrapperScript([cache], 'sleep 30', FAST), {}, (p) => (pid = p));
    await waitFor(() => existsSync(join(root, '.keelson-lock', 'heartbeat')));
    process.kill(-pid, 'SIGTERM');
    const r = await holder;
    expect(r.code).not.toBe(0);
    expect(existsSync(join(root, '.keelson-lock'))).toBe(false);
  }, 30_000);
});

describe('the compiled cache wrapper', () => {
  const hostile = "$(touch /tmp/keelson-pwned)'\"`id`;\nrm -rf /";
  const yaml = (key: string) => `stages: [{name: s, steps: [{runScriptConfig: {image: a, shellScript: "echo hi"}, cache: {paths: [node_modules], key: ${JSON.stringify(key)}}}]}]`;

  it('carries only sanitised names: no user text from a cache key reaches the script', () => {
    const job = compileJenkinsJob(aCompileInput(yaml(hostile)));
    const wrapper = job.files.find((f) => f.name === 'step-0-0.cache.sh');
    expect(wrapper).toBeDefined();
    const content = wrapper?.content ?? '';
    for (const piece of ['/tmp/keelson-pwned', '`id`', 'rm -rf /']) expect(content).not.toContain(piece);
    expect(content).toContain(`echo "keelson-cache: key="'__touch__tmp_keelson-pwned____id___rm_-rf__-ddffe61eb7'" result=$keelson_r lock=$keelson_how"`);
    // The shell parses it, and the Jenkinsfile runs the wrapper instead of the script.
    expect(spawnSync('/bin/sh', ['-n', '-c', content]).status).toBe(0);
    expect(job.jenkinsfile).toContain(`script: '/bin/sh "$KEELSON_DIR/step-0-0.cache.sh"'`);
  });

  it('wraps no step without a cache', () => {
    const job = compileJenkinsJob(aCompileInput('stages: [{name: s, steps: [{runScriptConfig: {image: a}}]}]'));
    expect(job.files.map((f) => f.name)).toEqual(['step-0-0.sh']);
  });

  it('refuses a directory that is not a plain absolute path', () => {
    expect(() => cacheWrapperScript([{ dir: '/a b', key: 'k', paths: [], write: true }], 'true', FAST)).toThrow('must be an absolute path of [A-Za-z0-9._/-]');
  });
});

async function waitFor(check: () => boolean, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('parseCacheLookups', () => {
  it('reads what the real wrapper prints, each key once, ignoring its other lines and trace lines', async () => {
    const root = mkdtempSync(join(tmpdir(), 'keelson-lookups-'));
    try {
      mkdirSync(join(root, 'a', 'p'), { recursive: true });
      mkdirSync(join(root, 'b', 'p'), { recursive: true });
      writeFileSync(join(root, 'b', 'p', 'f'), 'x');
      const caches: WrappedCache[] = [
        { dir: join(root, 'a'), key: 'default', paths: ['p'], write: true },
        { dir: join(root, 'b'), key: 'fork-deps', paths: ['p'], write: false },
      ];
      const r = await run(['/bin/sh'], cacheWrapperScript(caches, 'echo "+ echo keelson-cache: key=x result=hit lock=held"', FAST));
      expect(parseCacheLookups(r.out)).toEqual([
        { key: 'default', result: 'miss', lock: 'held' },
        { key: 'fork-deps', result: 'hit', lock: 'readonly' },
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('takes only whole well-formed lines, the first per key, and at most the bound', () => {
    const text = [
      'keelson-cache: key=k1 result=hit lock=held',
      'keelson-cache: key=k1 result=miss lock=held',
      'keelson-cache: key=k2 result=maybe lock=held',
      'keelson-cache: key=**** result=hit lock=held',
      ' keelson-cache: key=k3 result=hit lock=held',
      'keelson-cache: key=k4 result=miss lock=timeout\r',
      ...Array.from({ length: 30 }, (_, i) => `keelson-cache: key=many-${i} result=hit lock=held`),
    ].join('\n');
    const lookups = parseCacheLookups(text, 16);
    expect(lookups.slice(0, 2)).toEqual([{ key: 'k1', result: 'hit', lock: 'held' }, { key: 'k4', result: 'miss', lock: 'timeout' }]);
    expect(lookups).toHaveLength(16);
  });
});
