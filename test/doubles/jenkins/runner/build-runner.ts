// Runs one build the way Jenkins runs a Keelson Jenkinsfile: parameter guard, timeout, build pod, checkout,
// then stages in order with their steps in parallel. On a KWOK node steps follow the double's step convention
// (README); on a real node they run in the build pod's containers (pod-shell.ts). The console log, the flow
// graph (stage view) and the build pod evolve as they would in Jenkins.
import type { Logger } from '@keelson/observability';
import type { Build, BuildResult } from '../model/build';
import type { FlowNode } from '../model/flow-graph';
import { timeSpan } from '../model/time-span';
import { readJenkinsfile, type KeelsonScript, type ScriptStage, type ScriptStep } from '../script/jenkinsfile.reader';
import type { BuildGate } from './build-gate';
import { BuildPodLifecycle, type BuildPodEnv } from './build-pod.lifecycle';
import { Interrupted, InterruptScope, nodeErrorOf, StepFailure } from './interrupt-scope';
import { LineSplitter } from './line-splitter';
import { parseStepScript } from './step-script';

export interface BuildRunnerEnv extends BuildPodEnv {
  gate: BuildGate;
  logger: Logger;
  /** Told of every line a step prints, as it is written (for latency measurements). */
  onOutput?: (line: StepOutputLine) => void;
}

export interface StepOutputLine {
  job: string;
  number: number;
  node: string;
  text: string;
}

interface Thread {
  scope: InterruptScope;
  stageId?: string;
  /** Console prefix of a parallel branch: `[step-0-0 x] `. */
  prefix: string;
}

export class BuildRunner {
  private failedBranch?: string;
  private readonly pod: BuildPodLifecycle;

  constructor(
    private readonly build: Build,
    private readonly script: string | undefined,
    /** Jenkins root URL of the instance, with a trailing slash. */
    private readonly rootUrl: string,
    private readonly env: BuildRunnerEnv,
  ) {
    this.pod = new BuildPodLifecycle(build, rootUrl, env);
  }

  private get now(): number {
    return this.env.clock.now();
  }

  async run(): Promise<void> {
    const b = this.build;
    const main: Thread = { scope: b.scope, prefix: '' };
    let result: BuildResult = 'SUCCESS';
    let failure: unknown;
    try {
      await this.pass(main);
      b.log.line(`Started by user ${b.cause.userName}`);
      this.pipe('Start of Pipeline');
      const script = this.read();
      await this.guard(script, main);
      if (script.displayName !== undefined) b.displayName = script.displayName;
      if (script.description !== undefined) b.description = script.description;
      await this.withTimeout(main, script.timeoutMinutes, (t) => this.inPod(script, t));
    } catch (err) {
      failure = err;
      result = err instanceof Interrupted ? 'ABORTED' : 'FAILURE';
    }
    try {
      // A lost build leaves its pod behind, as a Jenkins that forgot the run would.
      if (!(failure instanceof Interrupted && failure.reason === 'lost')) await this.pod.finish(result);
    } catch (err) {
      this.env.logger.warn({ err: (err as Error).message, job: b.job, build: b.number }, 'could not finish the build pod');
    }
    this.pipe('End of Pipeline');
    if (failure instanceof Interrupted) {
      if (failure.reason === 'timeout') b.log.line('Timeout has been exceeded');
    } else if (failure !== undefined) {
      if (this.failedBranch) b.log.line(`Failed in branch ${this.failedBranch}`);
      b.log.line(`ERROR: ${(failure as Error).message}`);
    }
    b.log.line(`Finished: ${result}`);
    b.endTime = this.now;
    b.result = result;
    b.pendingInputs.clear();
    b.parked = true;
    b.settled = true;
  }

  private read(): KeelsonScript {
    if (this.script === undefined) throw new StepFailure('This job has no pipeline script');
    try {
      return readJenkinsfile(this.script);
    } catch (err) {
      // Jenkins would fail at compilation; the double can only run the shape Keelson generates.
      throw new StepFailure(`The Jenkins double cannot run this script: ${(err as Error).message}`);
    }
  }

  private async guard(script: KeelsonScript, t: Thread): Promise<void> {
    const guard = script.guard;
    if (!guard || this.build.param(guard.parameter) === guard.expected) return;
    const node = this.atom(t, 'error', 'Error signal', guard.message);
    this.end(node, new StepFailure(guard.message));
    throw new StepFailure(guard.message);
  }

  private async inPod(script: KeelsonScript, t: Thread): Promise<void> {
    this.pipe('podTemplate');
    this.skipBlock();
    this.pipe('{');
    this.pipe('node');
    await this.pod.provision(script.podTemplate, t.scope);
    this.skipBlock();
    this.pipe('{');
    this.pipe('pwd');
    this.atom(t, 'pwd', 'Determine current directory').end = this.now;
    this.pipe('withEnv');
    this.pipe('{');
    if (script.checkout) await this.checkout(script, t);
    for (const stage of script.stages) await this.stage(stage, t);
    this.pipe('}');
    this.pipe('// withEnv');
    this.pipe('}');
    this.pipe('// node');
    this.pipe('}');
    this.pipe('// podTemplate');
  }

  // --- stages and steps ------------------------------------------------------------------------------

  private async checkout(script: KeelsonScript, t: Thread): Promise<void> {
    const checkout = script.checkout as NonNullable<KeelsonScript['checkout']>;
    await this.inStage(checkout.name, t, async (s) => {
      this.pipe('checkout');
      const node = this.atom(s, 'checkout', 'General SCM', undefined, true);
      this.out(s, 'The recommended git tool is: NONE', node);
      if (checkout.url) this.out(s, ` > git fetch --no-tags --force --progress -- ${checkout.url} ${checkout.refspec ?? ''}`.trimEnd(), node);
      if (checkout.commit) this.out(s, `Checking out Revision ${checkout.commit} (detached)`, node);
      this.end(node);
      if (checkout.verify) await this.sh(s, checkout.verify.label, checkout.verify.script);
    });
  }

  private async stage(stage: ScriptStage, t: Thread): Promise<void> {
    await this.inStage(stage.name, t, async (s, node) => {
      if (stage.skipped !== undefined) {
        this.skip(s, node, stage.skipped);
        return;
      }
      this.pipe('parallel');
      for (const step of stage.steps) this.pipe(`{ (Branch: ${step.name})`);
      const branches = stage.steps.map((step) => {
        const scope = s.scope.child();
        return this.step(step, { scope, stageId: s.stageId, prefix: `[${step.name}] ` }).finally(() => scope.dispose());
      });
      const outcomes = await Promise.allSettled(branches);
      this.pipe('// parallel');
      const failed = outcomes.findIndex((o) => o.status === 'rejected');
      if (failed >= 0) {
        this.failedBranch ??= stage.steps[failed].name;
        throw (outcomes[failed] as PromiseRejectedResult).reason;
      }
    });
  }

  private async step(step: ScriptStep, t: Thread): Promise<void> {
    await this.inStage(step.name, t, async (s, node) => {
      switch (step.kind) {
        case 'skipped':
          this.skip(s, node, step.message);
          return;
        case 'refused': {
          this.pipe('error');
          const err = new StepFailure(step.message);
          this.end(this.atom(s, 'error', 'Error signal', step.message), err);
          throw err;
        }
        case 'approval':
          await this.withTimeout(s, step.timeoutMinutes, (inner) => this.input(step, inner));
          return;
        case 'run':
          await this.withRetry(s, step.attempts, () => this.withTimeout(s, step.timeoutMinutes, async (inner) => {
            for (const file of step.files) {
              this.pipe('writeFile');
              const node = this.atom(inner, 'writeFile', 'Write file to workspace', `${file.name}`);
              await this.writeFile(file, node);
            }
            this.pipe('container');
            this.skipBlock();
            this.pipe('{');
            try {
              await this.sh(inner, step.label, step.script, step);
            } finally {
              this.pipe('}');
              this.pipe('// container');
            }
          }));
      }
    });
  }

  private async input(step: Extract<ScriptStep, { kind: 'approval' }>, t: Thread): Promise<void> {
    const b = this.build;
    this.pipe('input');
    const node = this.atom(t, 'input', 'Wait for interactive input', step.input.message, true);
    this.out(t, step.input.message, node);
    this.out(t, `${step.input.ok} or Abort`, node);
    b.graph.pause(node, this.now);
    try {
      const user = await this.parked(t.scope.wait<string>((resolve, reject) => {
        b.pendingInputs.set(step.input.id, {
          input: step.input, node,
          proceed: (by) => resolve(by),
          abort: (by) => reject(new Interrupted(`Rejected by ${by}`, 'rejected')),
        });
        return () => b.pendingInputs.delete(step.input.id);
      }));
      this.out(t, `Approved by ${user}`, node);
      this.end(node);
    } catch (err) {
      if (err instanceof Interrupted && err.reason === 'rejected') this.out(t, err.cause, node);
      this.end(node, err);
      throw err;
    }
  }

  /** writeFile into `$KEELSON_DIR`: by the agent in the pod on a real node, nothing to do on a KWOK one. */
  private async writeFile(file: { name: string; content: string }, node: FlowNode): Promise<void> {
    const shell = this.pod.shell;
    try {
      if (shell) await shell.writeFile(`${shell.tmp}/keelson/${file.name}`, file.content);
      this.end(node);
    } catch (err) {
      this.end(node, err);
      throw err;
    }
  }

  /**
   * An `sh` step. Inside `container(...)` on a real node: `command` (what the Jenkinsfile's `sh` runs) executed
   * in that container. Otherwise: the script's lines under the step convention.
   */
  private async sh(t: Thread, label: string | undefined, script: string, run?: { container: string; command: string }): Promise<void> {
    this.pipe('sh');
    const node = this.atom(t, 'sh', 'Shell Script', label, true);
    const shell = this.pod.shell;
    if (shell && run) {
      await this.pass(t);
      const lines = new LineSplitter((text) => this.out(t, text, node));
      try {
        const code = await shell.sh(run.container, run.command, this.stepEnv(shell), t.scope, (chunk) => lines.push(chunk)).finally(() => lines.flush());
        if (code !== 0) throw new StepFailure(`script returned exit code ${code}`);
        this.end(node);
      } catch (err) {
        this.end(node, err);
        throw err;
      }
      return;
    }
    try {
      for (const cmd of parseStepScript(script)) {
        await this.pass(t);
        this.out(t, cmd.trace, node);
        if (cmd.kind === 'echo') this.out(t, cmd.text, node);
        else if (cmd.kind === 'repeat') for (let i = 0; i < cmd.count; i++) this.out(t, cmd.text, node);
        else if (cmd.kind === 'sleep') await this.sleep(t, cmd.seconds * 1000);
        else if (cmd.kind === 'exit') {
          if (cmd.code !== 0) throw new StepFailure(`script returned exit code ${cmd.code}`);
          break;
        }
      }
      this.end(node);
    } catch (err) {
      this.end(node, err);
      throw err;
    }
  }

  /** What Jenkins puts in a step's environment: `withEnv`'s KEELSON_DIR, the build's variables, its parameters. */
  private stepEnv(shell: NonNullable<BuildPodLifecycle['shell']>): Record<string, string> {
    const b = this.build;
    const url = `${this.rootUrl}job/${encodeURIComponent(b.job)}/${b.number}/`;
    return {
      ...Object.fromEntries(b.params.map((p) => [p.name, p.value])),
      KEELSON_DIR: `${shell.tmp}/keelson`, JOB_NAME: b.job, BUILD_NUMBER: String(b.number), BUILD_ID: String(b.number),
      BUILD_URL: url, JENKINS_URL: this.rootUrl, NODE_NAME: b.pod?.name ?? '',
    };
  }

  private skip(t: Thread, stage: FlowNode, message: string): void {
    this.pipe('catchError');
    this.pipe('{');
    this.pipe('error');
    this.end(this.atom(t, 'error', 'Error signal', message), new StepFailure(message));
    this.pipe('}');
    this.out(t, `ERROR: ${message}`);
    this.pipe('// catchError');
    stage.notBuilt = true;
  }

  /** A block-scoped `stage`: a stage node that ends with the error of its body, if any. */
  private async inStage(name: string, t: Thread, body: (s: Thread, node: FlowNode) => Promise<void>): Promise<void> {
    await this.pass(t);
    this.pipe('stage');
    this.pipe(`{ (${name})`);
    const node = this.build.graph.startStage(name, this.now, t.stageId);
    const inner: Thread = { ...t, stageId: node.id };
    try {
      await body(inner, node);
      this.build.graph.finish(node, this.now);
    } catch (err) {
      this.build.graph.finish(node, this.now, nodeErrorOf(err));
      throw err;
    } finally {
      this.pipe('}');
      this.pipe('// stage');
    }
  }

  private async withRetry(t: Thread, attempts: number, body: () => Promise<void>): Promise<void> {
    if (attempts > 1) this.pipe('retry');
    for (let attempt = 1; ; attempt++) {
      try {
        await body();
        return;
      } catch (err) {
        // A stopped build or a rejected input is not retried; failures and timeouts are.
        const retryable = err instanceof StepFailure || (err instanceof Interrupted && err.reason === 'timeout' && !t.scope.interrupted);
        if (attempt >= attempts || !retryable) throw err;
        this.out(t, `ERROR: ${err instanceof Interrupted ? 'Timeout has been exceeded' : (err as Error).message}`);
        this.out(t, 'Retrying');
      }
    }
  }

  private async withTimeout(t: Thread, minutes: number | undefined, body: (inner: Thread) => Promise<void>): Promise<void> {
    if (minutes === undefined) {
      await body(t);
      return;
    }
    this.pipe('timeout');
    this.out(t, `Timeout set to expire in ${timeSpan(minutes * 60_000)}`);
    this.pipe('{');
    const scope = t.scope.child();
    const timer = this.env.clock.setTimeout(() => {
      this.out(t, 'Cancelling nested steps due to timeout');
      scope.interrupt(new Interrupted('Timeout has been exceeded', 'timeout'));
    }, minutes * 60_000);
    try {
      await body({ ...t, scope });
    } finally {
      this.env.clock.clearTimeout(timer);
      scope.dispose();
      this.pipe('}');
      this.pipe('// timeout');
    }
  }

  // --- primitives ------------------------------------------------------------------------------------

  private sleep(t: Thread, ms: number): Promise<void> {
    return this.parked(t.scope.wait<void>((resolve) => {
      const timer = this.env.clock.setTimeout(() => resolve(), ms);
      return () => this.env.clock.clearTimeout(timer);
    }));
  }

  /** stallBuilds(): wait here while the gate is closed. */
  private async pass(t: Thread): Promise<void> {
    t.scope.throwIfInterrupted();
    if (this.env.gate.holdsBuilds) await this.parked(this.env.gate.pass(t.scope));
  }

  /** Marks the build as waiting on something outside (clock, input, stall) for JenkinsDouble.idle(). */
  private async parked<T>(p: Promise<T>): Promise<T> {
    this.build.parked = true;
    try {
      return await p;
    } finally {
      this.build.parked = false;
    }
  }

  /** Block start and end nodes (podTemplate, node, container, ...) take ids the stage view never shows. */
  private skipBlock(): void {
    this.build.graph.skipIds(2);
  }

  private atom(t: Thread, fn: string, name: string, description?: string, withLog = false): FlowNode {
    return this.build.graph.atom(fn, name, this.now, { stageId: t.stageId, description, withLog });
  }

  private end(node: FlowNode, err?: unknown): void {
    this.build.graph.finish(node, this.now, err === undefined ? undefined : nodeErrorOf(err));
  }

  private pipe(text: string): void {
    this.build.log.line(`[Pipeline] ${text}`, true);
  }

  /** A line of output: in the console (with the branch prefix) and in the node's own log. */
  private out(t: Thread, text: string, node?: FlowNode): void {
    this.build.log.line(`${t.prefix}${text}`);
    if (node?.log) {
      node.log.line(text);
      this.env.onOutput?.({ job: this.build.job, number: this.build.number, node: node.id, text });
    }
  }
}
