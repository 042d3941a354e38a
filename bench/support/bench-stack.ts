// Lifecycle of a benchmark: start the whole Keelson stack, run the body, and stop every server it started
// whatever happens (error, Ctrl-C, SIGTERM). Benchmarks print figures; they assert nothing about speed.
import { Core, Keelson, type Informer, type KubeClient, type ObjectOf } from '@keelson/kube';
import { KeelsonStack, type StackOptions } from '../../test/support/keelson-stack';
import { note } from './report';

export type Execution = ObjectOf<typeof Keelson.PipelineExecution>;
export type Pipeline = ObjectOf<typeof Keelson.Pipeline>;
export type PipelineSettingSpec = ObjectOf<typeof Keelson.PipelineSetting>['spec'];

export const TERMINAL = ['Succeeded', 'Failed', 'Aborted'];

/**
 * Runs `body` against a fresh stack and stops the stack afterwards (try/finally), also on SIGINT/SIGTERM.
 * `cleanup` entries run before the stack stops (a child manager, an informer).
 */
export async function withStack<T>(options: StackOptions, body: (stack: KeelsonStack, cleanup: Array<() => Promise<unknown>>) => Promise<T>): Promise<T> {
  const started = Date.now();
  note('starting the stack (KWOK cluster, Redis, git repository, Jenkins double, manager)');
  const stack = await KeelsonStack.start(options);
  note(`stack up in ${((Date.now() - started) / 1000).toFixed(1)} s: apiserver ${stack.cluster.controlPlane.server}, manager ${stack.manager?.url ?? 'none in process'}`);
  const cleanup: Array<() => Promise<unknown>> = [];
  let stopping: Promise<void> | undefined;
  const stop = () => (stopping ??= (async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn().catch((err) => note(`cleanup failed: ${(err as Error).message}`));
    await stack.stop();
    note('stack stopped');
  })());
  const onSignal = (signal: NodeJS.Signals) => {
    note(`${signal}: stopping the stack`);
    void stop().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    return await body(stack, cleanup);
  } finally {
    await stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** Entry point of a benchmark file: run, report a failure on stderr, and exit (informers and sockets would keep it alive). */
export function runBenchmark(name: string, fn: () => Promise<void>): void {
  fn().then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`${name} failed: ${(err as Error).stack ?? String(err)}\n`);
      process.exit(1);
    },
  );
}

/** The manager's tuning knobs (libs/config/src/manager-config.ts) a benchmark run may override from its environment. */
export const MANAGER_KNOBS = ['SYNC_BASE_POLL_MS', 'SYNC_MAX_POLL_MS', 'SYNC_PROGRESS_INTERVAL_MS', 'RESYNC_SECONDS', 'CONTROLLER_WORKERS', 'SYNC_WORKERS'];

/** KeelsonStack's own values, then the benchmark's, then whatever the caller exported. */
export function managerKnobs(benchDefaults: Record<string, string> = {}): Record<string, string> {
  const knobs: Record<string, string> = { SYNC_BASE_POLL_MS: '200', SYNC_MAX_POLL_MS: '2000', RESYNC_SECONDS: '5', ...benchDefaults };
  for (const name of MANAGER_KNOBS) if (process.env[name]) knobs[name] = process.env[name]!;
  return knobs;
}

export function describeKnobs(knobs: Record<string, string>): string {
  const defaults: Record<string, string> = { SYNC_PROGRESS_INTERVAL_MS: '5000', CONTROLLER_WORKERS: '4', SYNC_WORKERS: '20' };
  return MANAGER_KNOBS.map((k) => `${k}=${knobs[k] ?? defaults[k]}`).join(' ');
}

/** An integer from the environment, so a run can be resized without editing the file. */
export function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got ${raw}`);
  return value;
}

export async function createSetting(stack: KeelsonStack, spec: Partial<PipelineSettingSpec>, name = 'default', namespace = 'demo'): Promise<void> {
  await stack.kube.resource(Keelson.PipelineSetting).create({
    apiVersion: 'devops.keelson.dev/v1alpha1', kind: 'PipelineSetting', metadata: { name, namespace },
    spec: { maxConcurrentExecutions: 3, historyLimit: 100, logRetentionDays: 30, ...spec } as PipelineSettingSpec,
  });
}

export async function updateSetting(stack: KeelsonStack, spec: Partial<PipelineSettingSpec>, name = 'default', namespace = 'demo'): Promise<void> {
  const settings = stack.kube.resource(Keelson.PipelineSetting);
  const current = await settings.get(namespace, name);
  await settings.replace({ ...current, spec: { ...current.spec, ...spec } });
}

/** POST .../pipelines/<name>/run as the admin; the execution's name and when the request was sent. */
export async function triggerRun(stack: KeelsonStack, pipeline: string, branch = 'main', namespace = 'demo'): Promise<{ name: string; sentAt: number; answeredAt: number }> {
  const sentAt = Date.now();
  const res = await stack.api(`/api/v1/namespaces/${namespace}/pipelines/${pipeline}/run`, { branch });
  const answeredAt = Date.now();
  if (res.status !== 201) throw new Error(`run of ${pipeline} answered ${res.status}: ${JSON.stringify(res.body)}`);
  return { name: res.body.metadata.name as string, sentAt, answeredAt };
}

/**
 * A watch on the executions of one namespace that remembers when each one first met a condition, so waits
 * cost no polling and times are those of the watch event (what a console following the CR would see).
 */
export class ExecutionWatch {
  private readonly waiters = new Set<{ name: string; test: (e: Execution) => boolean; resolve: (r: { exe: Execution; at: number }) => void }>();
  private readonly listeners: Array<(exe: Execution, at: number) => void> = [];

  private constructor(private readonly informer: Informer<Execution>, private readonly namespace: string) {
    const seen = (exe: Execution) => {
      const at = Date.now();
      for (const l of this.listeners) l(exe, at);
      for (const w of [...this.waiters]) {
        if (w.name === exe.metadata.name && w.test(exe)) {
          this.waiters.delete(w);
          w.resolve({ exe, at });
        }
      }
    };
    informer.addHandlers({ onAdd: seen, onUpdate: (_old, exe) => seen(exe) });
  }

  static async start(kube: KubeClient, namespace = 'demo'): Promise<ExecutionWatch> {
    const informer = kube.informer(Keelson.PipelineExecution, { namespace });
    informer.start();
    await informer.waitForSync();
    return new ExecutionWatch(informer, namespace);
  }

  /** Calls `listener` on every add and update; returns the function that removes it. */
  onChange(listener: (exe: Execution, at: number) => void): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  get(name: string): Execution | undefined {
    return this.informer.get(`${this.namespace}/${name}`);
  }

  list(): Execution[] {
    return this.informer.list();
  }

  /** Resolves when the execution meets `test` (at once if the cached copy already does). */
  until(name: string, test: (e: Execution) => boolean, timeoutMs: number, what = 'the condition'): Promise<{ exe: Execution; at: number }> {
    const cached = this.get(name);
    if (cached && test(cached)) return Promise.resolve({ exe: cached, at: Date.now() });
    return new Promise((resolve, reject) => {
      const waiter = {
        name, test, resolve: (r: { exe: Execution; at: number }) => {
          clearTimeout(timer);
          resolve(r);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`${name}: ${what} not met within ${timeoutMs} ms; status ${JSON.stringify(this.get(name)?.status)}`));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  /** Waits for a final phase; throws when it is not Succeeded. */
  async succeeded(name: string, timeoutMs = 180_000): Promise<{ exe: Execution; at: number }> {
    const done = await this.until(name, (e) => TERMINAL.includes(e.status?.phase ?? ''), timeoutMs, 'a final phase');
    if (done.exe.status?.phase !== 'Succeeded') throw new Error(`${name} ended ${done.exe.status?.phase}: ${done.exe.status?.reason}`);
    return done;
  }

  stop(): Promise<void> {
    return this.informer.stop();
  }
}

/** Waits until the Pipeline records this execution as its last one (the node bookkeeping of DESIGN §4.8 is done). */
export async function pipelineRecorded(stack: KeelsonStack, pipeline: string, execution: string, timeoutMs = 60_000, namespace = 'demo'): Promise<Pipeline> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const p = await stack.kube.resource(Keelson.Pipeline).get(namespace, pipeline);
    if (p.status?.lastExecution?.name === execution && TERMINAL.includes(p.status.lastExecution.phase ?? '')) return p;
    if (Date.now() > deadline) throw new Error(`${pipeline} did not record ${execution} within ${timeoutMs} ms: ${JSON.stringify(p.status)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Names of the build pods in the data-plane namespace and the nodes they ran on. */
export async function buildPods(stack: KeelsonStack, namespace = 'demo-builds'): Promise<Array<{ name: string; node?: string; phase?: string; labels: Record<string, string> }>> {
  const pods = await stack.kube.resource(Core.Pod).list(namespace, { labelSelector: 'jenkins=slave' });
  return pods.items.map((p) => ({ name: p.metadata.name!, node: p.spec?.nodeName, phase: p.status?.phase, labels: p.metadata.labels ?? {} }));
}
