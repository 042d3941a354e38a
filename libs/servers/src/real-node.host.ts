// What a real node leaves on the host outside its own processes, and how to take it all back: mounts under its
// directory, the kubepods cgroups, the sysctls kubelet sets, the few directories containerd and kubelet
// hard-code, and the shims containerd daemonizes. Linux only, as root.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** What the host looked like before the node started, to put back when it stops. */
export interface HostRecord {
  /** Path under /proc/sys -> value before. */
  sysctls: Record<string, string>;
  /** Hard-coded directories that did not exist before. */
  createdOutside: string[];
}

// kubelet sets these when protectKernelDefaults is false (it refuses to start when true).
const SYSCTLS = ['vm/overcommit_memory', 'vm/panic_on_oom', 'kernel/panic', 'kernel/panic_on_oops'];
// No flag moves them: the shim sockets, the device-plugin socket, kubelet's container log links.
const HARD_CODED_DIRS = ['/run/containerd', '/var/lib/kubelet', '/var/log/containers'];
const CGROUP_ROOT = '/sys/fs/cgroup';

export function recordHost(): HostRecord {
  const sysctls: Record<string, string> = {};
  for (const key of SYSCTLS) sysctls[key] = readFileSync(join('/proc/sys', key), 'utf8').trim();
  return { sysctls, createdOutside: HARD_CODED_DIRS.filter((d) => !existsSync(d)) };
}

export function restoreHost(record: HostRecord): void {
  for (const [key, value] of Object.entries(record.sysctls)) {
    const path = join('/proc/sys', key);
    if (readFileSync(path, 'utf8').trim() !== value) writeFileSync(path, value);
  }
  for (const dir of record.createdOutside) rmSync(dir, { recursive: true, force: true });
}

/** Mount points at or below `dir`, deepest first. */
export function mountsUnder(dir: string): string[] {
  const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
  return readFileSync('/proc/self/mounts', 'utf8').split('\n')
    .map((line) => unescape(line.split(' ')[1] ?? ''))
    .filter((m) => m === dir || m.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
}

/** Lazily unmounts everything below `dir` (secret tmpfs, overlay root filesystems, shm, network namespaces). */
export async function unmountUnder(dir: string): Promise<void> {
  for (const m of mountsUnder(dir)) await run('umount', ['-l', m]).catch(() => undefined);
}

/** The kubepods cgroup tree of every hierarchy (cgroupsPerQOS). */
export function kubepodsCgroups(): string[] {
  let controllers: string[] = [];
  try {
    controllers = readdirSync(CGROUP_ROOT);
  } catch {
    return [];
  }
  return controllers.map((c) => join(CGROUP_ROOT, c, 'kubepods')).filter((d) => existsSync(d));
}

function cgroupDirs(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    out.push(dir);
    for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) walk(join(dir, e.name));
  };
  try {
    walk(root);
  } catch {
    // removed while we walked
  }
  return out;
}

/** Processes still in a pod cgroup: the containers' own. */
export function podProcesses(): number[] {
  const pids = new Set<number>();
  for (const root of kubepodsCgroups()) {
    for (const dir of cgroupDirs(root)) {
      try {
        for (const p of readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n')) if (p) pids.add(Number(p));
      } catch {
        // gone
      }
    }
  }
  return [...pids];
}

/** Kills whatever runs in a pod cgroup, then removes the cgroups bottom-up. */
export async function removePodCgroups(): Promise<void> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const pids = podProcesses();
    if (pids.length === 0) break;
    for (const pid of pids) kill(pid);
    await new Promise((r) => setTimeout(r, 100));
  }
  for (const root of kubepodsCgroups()) {
    for (const dir of cgroupDirs(root).reverse()) {
      try {
        rmdirSync(dir);
      } catch {
        // busy or gone; the leftovers check reports it
      }
    }
  }
}

/** Pids of processes whose command line mentions `text` (a socket or directory of this node). */
export function processesMentioning(text: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').some((a) => a.includes(text))) pids.push(Number(entry));
    } catch {
      // ended while we looked
    }
  }
  return pids;
}

export function kill(pid: number, signal: NodeJS.Signals = 'SIGKILL'): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

/** Kernel start time of a process (field 22 of /proc/<pid>/stat), to tell it from a later one with its pid. */
export function startTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

export function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
