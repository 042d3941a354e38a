import { spawn, ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { registerProcess, unregisterProcess } from './reaper';

/**
 * Environment marker carried by every server we start, so a reaper can find and kill leftovers even when the
 * process that started them died without cleaning up (a crashed jest worker, a SIGKILLed local mode).
 */
export const OWNER_ENV = 'KEELSON_SERVER_OWNER';

/** Who started the servers of this process: inherited from a parent (jest, local mode) or this pid. */
export function currentOwner(): string {
  return process.env[OWNER_ENV] ?? String(process.pid);
}

/** Processes started by this Node process, stopped on exit whatever happens. */
const running = new Set<ManagedProcess>();
process.once('exit', () => {
  for (const p of running) p.killNow();
});

export interface ProcessSpec {
  name: string;
  command: string;
  args: string[];
  env?: Record<string, string>;
  /** Directory for the log file `<name>.log`. */
  logDir: string;
  cwd?: string;
}

/** A child server process: output goes to a log file, stop() escalates from SIGTERM to SIGKILL. */
export class ManagedProcess {
  private child?: ChildProcess;
  private exited?: Promise<void>;
  readonly logFile: string;

  constructor(readonly spec: ProcessSpec) {
    this.logFile = join(spec.logDir, `${spec.name}.log`);
  }

  start(): this {
    const log = createWriteStream(this.logFile, { flags: 'a' });
    const owner = currentOwner();
    const child = spawn(this.spec.command, this.spec.args, {
      cwd: this.spec.cwd,
      env: { ...process.env, ...this.spec.env, [OWNER_ENV]: owner },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (child.pid) {
      const pid = child.pid;
      registerProcess(owner, pid);
      child.once('exit', () => unregisterProcess(owner, pid));
    }
    child.stdout!.pipe(log);
    child.stderr!.pipe(log);
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    child.once('exit', () => running.delete(this));
    running.add(this);
    return this;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get alive(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Last lines of the log, for error messages when a server fails to come up. */
  tail(lines = 20): string {
    if (!existsSync(this.logFile)) return '';
    return readFileSync(this.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  }

  async stop(graceMs = 5000): Promise<void> {
    if (!this.child || !this.alive) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.killNow(), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  killNow(): void {
    if (this.alive) this.child!.kill('SIGKILL');
  }
}
