// Every phase each execution of a namespace is seen in, in order, from a watch: fault tests check that nothing
// leaves a terminal phase (a late sync write overwriting a stop, a stale leader finishing twice).
import { Informer, Keelson, KubeClient, type ObjectOf } from '@keelson/kube';

type Execution = ObjectOf<typeof Keelson.PipelineExecution>;

export const TERMINAL_PHASES: readonly string[] = ['Succeeded', 'Failed', 'Aborted'];

export class PhaseRecorder {
  private readonly phases = new Map<string, string[]>();
  private readonly informer: Informer<Execution>;

  private constructor(kube: KubeClient, namespace: string) {
    this.informer = kube.informer(Keelson.PipelineExecution, { namespace, backoffBaseMs: 100, backoffMaxMs: 2_000 });
    const record = (exe: Execution) => {
      const name = exe.metadata.name!;
      const seen = this.phases.get(name) ?? [];
      const phase = exe.status?.phase ?? '';
      if (seen[seen.length - 1] !== phase) seen.push(phase);
      this.phases.set(name, seen);
    };
    this.informer.addHandlers({ onAdd: record, onUpdate: (_old, exe) => record(exe) });
  }

  static async start(kube: KubeClient, namespace = 'demo'): Promise<PhaseRecorder> {
    const recorder = new PhaseRecorder(kube, namespace);
    recorder.informer.start();
    await recorder.informer.waitForSync();
    return recorder;
  }

  /** The phases an execution went through ('' before its first status). */
  of(name: string): string[] {
    return [...(this.phases.get(name) ?? [])];
  }

  /** Executions that were seen in a phase after a terminal one, with what they went through. */
  leftTerminal(): Record<string, string[]> {
    const bad: Record<string, string[]> = {};
    for (const [name, seen] of this.phases) {
      const first = seen.findIndex((p) => TERMINAL_PHASES.includes(p));
      if (first >= 0 && seen.slice(first + 1).length > 0) bad[name] = [...seen];
    }
    return bad;
  }

  async stop(): Promise<void> {
    await this.informer.stop();
  }
}
