// The manager as a real child process (`node -r @swc-node/register apps/manager/src/main.ts`), for fault tests
// that need what only a process boundary gives: SIGKILL between two side effects, SIGSTOP past a lease. Output
// goes to `<logDir>/<name>.log`; the process carries the harness's owner tag, so a crashed test cannot leak it.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, ManagedProcess, repoRoot, waitFor } from '@keelson/servers';

export interface ManagerProcessOptions {
  /** The manager's environment (KUBECONFIG, REDIS_URL, REDIS_PREFIX, DATA_PLANE_JENKINS_URL, ...). */
  env: NodeJS.ProcessEnv;
  /** Names the log file and the Lease identity (POD_NAME), e.g. `manager-a`. */
  name: string;
  logDir: string;
  /** Wait for /readyz (every informer synced); default true. */
  waitReady?: boolean;
  readyTimeoutMs?: number;
}

export type ManagerSignal = 'SIGKILL' | 'SIGSTOP' | 'SIGCONT' | 'SIGTERM';

export class ManagerProcess {
  private constructor(
    readonly name: string,
    readonly url: string,
    private readonly proc: ManagedProcess,
  ) {}

  static async start(options: ManagerProcessOptions): Promise<ManagerProcess> {
    const port = options.env.PORT ?? String(await freePort());
    const env = Object.fromEntries(Object.entries({ HOST: '127.0.0.1', ...options.env, PORT: port, POD_NAME: options.name })
      .filter((e): e is [string, string] => typeof e[1] === 'string'));
    const proc = new ManagedProcess({
      name: options.name, command: process.execPath, cwd: repoRoot(), logDir: options.logDir, env,
      args: ['-r', '@swc-node/register', join('apps', 'manager', 'src', 'main.ts')],
    }).start();
    const manager = new ManagerProcess(options.name, `http://127.0.0.1:${port}`, proc);
    if (options.waitReady ?? true) await manager.waitReady(options.readyTimeoutMs);
    return manager;
  }

  get pid(): number {
    return this.proc.pid!;
  }

  get alive(): boolean {
    return this.proc.alive;
  }

  get logFile(): string {
    return this.proc.logFile;
  }

  /** The whole log so far (JSON lines). */
  log(): string {
    return existsSync(this.logFile) ? readFileSync(this.logFile, 'utf8') : '';
  }

  /** Log lines whose `msg` is this message. */
  logLines(msg: string): Array<Record<string, unknown>> {
    return this.log().split('\n').filter((l) => l.includes(`"msg":"${msg}"`)).map((l) => JSON.parse(l) as Record<string, unknown>);
  }

  async waitReady(timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!this.alive) throw new Error(`${this.name} exited before it was ready:\n${this.proc.tail(30)}`);
      if ((await fetch(`${this.url}/readyz`).then((r) => r.status).catch(() => 0)) === 200) return;
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${this.name} /readyz:\n${this.proc.tail(30)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** Sends a signal; after SIGKILL, resolves once the process is gone. */
  async kill(signal: ManagerSignal): Promise<void> {
    if (!this.alive) return;
    process.kill(this.pid, signal);
    if (signal === 'SIGKILL') await waitFor(`${this.name} to die`, () => !this.alive, { timeoutMs: 10_000 });
  }

  /**
   * Ends the process whatever its state (a stopped one is continued first, so SIGTERM can reach it); SIGKILL after
   * `graceMs` (a graceful stop lets the sync worker finish its jobs, so none waits for its lock to expire).
   */
  async stop(graceMs = 5_000): Promise<void> {
    if (!this.alive) return;
    try {
      process.kill(this.pid, 'SIGCONT');
    } catch {
      // already gone
    }
    await this.proc.stop(graceMs);
  }
}
