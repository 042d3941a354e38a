// A build's agent pod on a real node, driven as the Jenkins agent and the Kubernetes plugin drive it: `writeFile`
// is done by the agent, in the jnlp container, on the workspace volume every container mounts; an `sh` inside
// `container('x')` is executed in container x through the pod exec API, in the workspace, with the build's
// variables and a JENKINS_SERVER_COOKIE that marks its processes. Its output (stderr merged, as `sh` does) is the
// step's log, its exit code the step's result. An interrupted `sh` (stop, timeout) is ended the plugin's way:
// `kill` in that container of every process carrying the cookie.
import { createHash, randomBytes } from 'node:crypto';
import type { Logger } from '@keelson/observability';
import type { BuildPodBackend } from '../kube/build-pod.backend';
import { AGENT_WORKDIR } from './agent-pod';
import { Interrupted, type InterruptScope, StepFailure } from './interrupt-scope';

export const AGENT_CONTAINER = 'jnlp';

/** How long a killed step may take to end before it gets a SIGKILL, and then before the double stops waiting. */
const KILL_GRACE_MS = 10_000;
/** Writes whose content arrived incomplete are tried again (stdin over exec is not remoting: kubernetes#112834). */
const WRITE_ATTEMPTS = 3;

export interface PodRef {
  namespace: string;
  name: string;
}

export class PodShell {
  constructor(
    private readonly backend: Required<Pick<BuildPodBackend, 'exec'>>,
    private readonly pod: PodRef,
    private readonly job: string,
    private readonly logger?: Logger,
  ) {}

  /** `/home/jenkins/agent/workspace/<job>`, where `sh` runs. */
  get workspace(): string {
    return `${AGENT_WORKDIR}/workspace/${this.job}`;
  }

  /** `pwd(tmp: true)`: the workspace's `@tmp` sibling. */
  get tmp(): string {
    return `${this.workspace}@tmp`;
  }

  /** The `node` step: the agent makes the workspace directory before anything runs in it. */
  async allocateWorkspace(): Promise<void> {
    await this.agent(['sh', '-c', 'mkdir -p -- "$1"', 'sh', this.workspace], `creating the workspace ${this.workspace}`);
  }

  /**
   * writeFile, by the agent: parent directories made, the content sent on stdin and checked by its SHA-256, since
   * the agent's own channel (remoting) never loses a byte.
   */
  async writeFile(path: string, content: string): Promise<void> {
    const want = createHash('sha256').update(content, 'utf8').digest('hex');
    for (let attempt = 1; ; attempt++) {
      const written = await this.agent(['sh', '-c', 'mkdir -p -- "$(dirname -- "$1")" && cat > "$1" && sha256sum "$1"', 'sh', path], `writeFile ${path}`, content);
      if (written.slice(0, 64) === want) return;
      this.logger?.warn({ pod: this.pod.name, path, attempt, bytes: Buffer.byteLength(content) }, 'writeFile content arrived incomplete');
      if (attempt >= WRITE_ATTEMPTS) throw new StepFailure(`writeFile ${path}: the content did not arrive whole in ${attempt} attempts`);
    }
  }

  /** A command in the agent container; its output, or a StepFailure saying what failed. */
  private async agent(command: string[], what: string, stdin?: string): Promise<string> {
    let output = '';
    const { exitCode } = await this.backend.exec({
      ...this.target(AGENT_CONTAINER), command, stdin, onOutput: (_stream, chunk) => (output += chunk.toString('utf8')),
    });
    if (exitCode !== 0) throw new StepFailure(`${what} failed (exit code ${exitCode}): ${output.trim()}`);
    return output;
  }

  /**
   * Runs `script` as the `sh` step would (`sh -xe`), in `container`, and resolves with its exit code. When `scope`
   * is interrupted the processes are killed; the interruption is thrown once they ended (or a grace period passed).
   */
  async sh(container: string, script: string, env: Record<string, string>, scope: InterruptScope, onOutput: (chunk: Buffer) => void): Promise<number> {
    const cookie = `durable-${randomBytes(16).toString('hex')}`;
    const vars = { ...env, WORKSPACE: this.workspace, JENKINS_SERVER_COOKIE: cookie };
    const connection = new AbortController();
    const running = this.backend.exec({
      ...this.target(container), signal: connection.signal,
      command: ['env', ...Object.entries(vars).map(([k, v]) => `${k}=${v}`), 'sh', '-c', 'cd -- "$WORKSPACE" && exec sh -xe -c "$1" 2>&1', 'sh', script],
      onOutput: (_stream, chunk) => onOutput(chunk),
    }).then((r) => r.exitCode);
    try {
      return await scope.wait<number>((resolve, reject) => {
        running.then(resolve, reject);
        return () => undefined;
      });
    } catch (err) {
      if (!(err instanceof Interrupted)) throw err;
      onOutput(Buffer.from('Sending interrupt signal to process\n'));
      const code = await this.end(container, cookie, running, connection);
      if (code !== undefined) onOutput(Buffer.from(`script returned exit code ${code}\n`));
      throw err;
    }
  }

  /** TERM to every process with the cookie, KILL after a grace period; the exit code, if the exec ended. */
  private async end(container: string, cookie: string, running: Promise<number>, connection: AbortController): Promise<number | undefined> {
    const settled = running.then((code) => code, () => undefined);
    for (const signal of ['TERM', 'KILL']) {
      await this.signal(container, cookie, signal).catch(() => undefined);
      const ended = await Promise.race([settled.then((code) => ({ code })), delay(KILL_GRACE_MS)]);
      if (ended) return ended.code;
    }
    connection.abort();
    return undefined;
  }

  private async signal(container: string, cookie: string, signal: string): Promise<void> {
    await this.backend.exec({
      ...this.target(container),
      command: ['sh', '-c', `kill -${signal} $(grep -l "JENKINS_SERVER_COOKIE=$1" /proc/[0-9]*/environ 2>/dev/null | cut -d/ -f3) 2>/dev/null; true`, 'sh', cookie],
    });
  }

  private target(container: string): { namespace: string; pod: string; container: string } {
    return { namespace: this.pod.namespace, pod: this.pod.name, container };
  }
}

function delay(ms: number): Promise<undefined> {
  return new Promise((resolve) => setTimeout(() => resolve(undefined), ms).unref());
}
