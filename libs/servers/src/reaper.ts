import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OWNER_ENV } from './managed-process';

// Two ways to find a server we started: the owner marker in its environment, and a registry file written at
// spawn time. The file is needed because some servers (redis-server) rewrite their process title over the
// environment; the kernel start time in it guards against a recycled pid.

const REGISTRY = join(tmpdir(), 'keelson-servers');

function startTime(pid: number): string | undefined {
  try {
    // Field 22 of /proc/<pid>/stat, counted after the parenthesised command name (which may hold spaces).
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function registryFile(owner: string, pid: number): string {
  return join(REGISTRY, `${encodeURIComponent(owner)}__${pid}`);
}

export function registerProcess(owner: string, pid: number): void {
  mkdirSync(REGISTRY, { recursive: true });
  writeFileSync(registryFile(owner, pid), startTime(pid) ?? '');
}

export function unregisterProcess(owner: string, pid: number): void {
  rmSync(registryFile(owner, pid), { force: true });
}

/** Pids of live processes that `owner` started (Linux /proc). */
export function processesOwnedBy(owner: string): number[] {
  const marker = `${OWNER_ENV}=${owner}`;
  const pids = new Set<number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0').includes(marker)) pids.add(Number(entry));
    } catch {
      // the process ended while we looked, or is not ours to read
    }
  }
  const prefix = `${encodeURIComponent(owner)}__`;
  let files: string[] = [];
  try {
    files = readdirSync(REGISTRY).filter((f) => f.startsWith(prefix));
  } catch {
    // no registry yet
  }
  for (const file of files) {
    const pid = Number(file.slice(prefix.length));
    const recorded = readFileSync(join(REGISTRY, file), 'utf8');
    if (recorded && startTime(pid) === recorded) pids.add(pid);
    else rmSync(join(REGISTRY, file), { force: true });
  }
  return [...pids];
}

/** Kills every process `owner` started and returns their pids: the last line of defence against leftovers. */
export function reapProcessesOwnedBy(owner: string): number[] {
  const pids = processesOwnedBy(owner);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
    unregisterProcess(owner, pid);
  }
  return pids;
}
