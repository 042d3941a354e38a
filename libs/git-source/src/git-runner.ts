// Runs one git command without a shell, in its own process group so that a timeout also ends the helpers git
// starts (remote-https, index-pack), with stdout capped so that a huge blob cannot exhaust memory.
import { spawn } from 'node:child_process';

export interface GitRunOptions {
  binary: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd?: string;
  timeoutMs: number;
  maxStdoutBytes: number;
}

export interface GitRunResult {
  stdout: Buffer;
  stderr: string;
}

export type GitRunFailureReason = 'exit' | 'timeout' | 'output-too-large' | 'spawn';

/** Why git did not succeed; `stderr` is raw git output and must be scrubbed before it reaches a message. */
export class GitRunFailure extends Error {
  constructor(
    readonly reason: GitRunFailureReason,
    readonly stderr: string,
    readonly exitCode: number | null,
    readonly spawnError?: Error,
  ) {
    super(`git failed (${reason})`);
    this.name = 'GitRunFailure';
  }
}

const MAX_STDERR_BYTES = 64 * 1024;

export function runGit(options: GitRunOptions): Promise<GitRunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(options.binary, options.args, {
      cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true, shell: false,
    });
    const stdout: Buffer[] = [];
    let stdoutBytes = 0;
    let stderr = '';
    let stopped: GitRunFailureReason | undefined;
    const stop = (reason: GitRunFailureReason) => {
      if (stopped) return;
      stopped = reason;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(() => stop('timeout'), options.timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      stdoutBytes += chunk.length;
      if (stdoutBytes > options.maxStdoutBytes) return stop('output-too-large');
      stdout.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      // Keep the tail: git prints the fatal line last.
      stderr = (stderr + chunk.toString('utf8')).slice(-MAX_STDERR_BYTES);
    });
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new GitRunFailure('spawn', '', null, error));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (stopped) return reject(new GitRunFailure(stopped, stderr, code));
      if (code !== 0) return reject(new GitRunFailure('exit', stderr, code));
      resolve({ stdout: Buffer.concat(stdout), stderr });
    });
  });
}
