// The manager in its own process (apps/manager/src/main.ts through @swc-node/register), so a benchmark can
// read its resident memory alone and it gets a CPU of its own instead of sharing the benchmark's event loop.
// It replaces the in-process manager KeelsonStack started: that one is closed first, and the child is put in
// stack.managers, so stack.api() talks to it and stack.stop() stops it.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Manager } from '../../apps/manager/src/manager';
import { freePort } from '@keelson/servers';
import type { KeelsonStack } from '../../test/support/keelson-stack';

export interface ChildManager extends Manager {
  pid: number;
  logFile: string;
  /** Resident set size of the child now, in bytes (from /proc). */
  rss(): number;
  /** CPU time (user + system) the child used so far, in seconds (from /proc). */
  cpuSeconds(): number;
}

const ROOT = join(__dirname, '..', '..');

export async function replaceWithChildManager(
  stack: KeelsonStack, env: Record<string, string>, logFile: string, progress: (line: string) => void = () => undefined,
): Promise<ChildManager> {
  let t = Date.now();
  for (const m of stack.managers.splice(0)) {
    // Closed before its informers have synced, the manager takes minutes to close (see bench/README.md).
    await waitReady(m.url, 60_000);
    await new Promise((r) => setTimeout(r, 1000));
    await m.close();
  }
  progress(`in-process manager closed in ${((Date.now() - t) / 1000).toFixed(1)} s; starting the manager process`);
  t = Date.now();
  const manager = await spawnManagerProcess({
    KUBECONFIG: stack.cluster.managerKubeconfig, REDIS_URL: stack.redis.url, REDIS_PREFIX: `keelson-bench-${randomBytes(4).toString('hex')}`,
    DATA_PLANE_JENKINS_URL: `${stack.jenkins.url()}/{namespace}`, ALLOW_FILE_REPOSITORIES: 'true', ...stack.logEnvironment(), ...env,
  }, logFile);
  stack.managers.push(manager);
  progress(`manager process ready in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  return manager;
}

/**
 * Starts apps/manager/src/main.ts in a process of its own with `env` (on 127.0.0.1 and a free port) and waits until it
 * is ready. `compiled`: the built `dist/apps/manager/src/main.js` (`npm run build`), as production runs it, without
 * the TypeScript loader's own memory.
 */
export async function spawnManagerProcess(env: Record<string, string>, logFile: string, options: { compiled?: boolean } = {}): Promise<ChildManager> {
  const port = await freePort();
  const args = options.compiled ? [join(ROOT, 'dist', 'apps', 'manager', 'src', 'main.js')] : ['-r', '@swc-node/register', join(ROOT, 'apps', 'manager', 'src', 'main.ts')];
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH, HOME: process.env.HOME,
      HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = createWriteStream(logFile);
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  const url = `http://127.0.0.1:${port}`;
  const manager: ChildManager = {
    app: undefined as never,
    url,
    pid: child.pid!,
    logFile,
    rss: () => rssOf(child.pid!),
    cpuSeconds: () => cpuSecondsOf(child.pid!),
    close: async () => {
      if (exited) return;
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await gone;
      clearTimeout(timer);
    },
  };
  if (!(await waitReady(url, 120_000))) {
    await manager.close();
    throw new Error(`the manager process did not get ready in 120 s${exited ? ' (it exited)' : ''}; see ${logFile}`);
  }
  return manager;
}

async function waitReady(url: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await fetch(`${url}/readyz`).then((r) => r.ok, () => false)) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

/** utime + stime of /proc/<pid>/stat, at the usual 100 ticks per second. */
export function cpuSecondsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

export function rssOf(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : NaN;
  } catch {
    return NaN;
  }
}
