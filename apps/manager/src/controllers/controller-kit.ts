// Wiring only (Tekton's controller files): an informer's events become keys on a rate-limited workqueue, a
// reconcile runner works them off, and a periodic resync revisits every object. Built afresh each time this
// process becomes leader, since a stopped runner cannot start again.
import {
  Informer, KubeObject, ReconcileRunner, Workqueue, objectKey, prometheusReconcileMetrics, prometheusWorkqueueMetrics,
  type ReconcileFailure, type ReconcileFn,
} from '@keelson/kube';
import { Logger } from '@keelson/observability';

export interface WatchSource {
  informer: Informer<KubeObject>;
  /** Keys of this controller's objects that an event on `obj` concerns; the object's own key by default. */
  keysOf?(obj: KubeObject): string[];
}

export interface ControllerDefinition {
  name: string;
  reconcile: ReconcileFn;
  watches: WatchSource[];
  /** The informer whose objects are revisited on every resync. */
  primary: Informer<KubeObject>;
  workers: number;
  resyncMs: number;
  logger: Logger;
  onTerminalError?(failure: ReconcileFailure): Promise<void>;
}

export class RunningController {
  private active = true;
  private readonly timer: NodeJS.Timeout;
  readonly queue: Workqueue<string>;
  private readonly runner: ReconcileRunner<string>;

  constructor(private readonly def: ControllerDefinition) {
    this.queue = new Workqueue<string>({ name: def.name, metrics: prometheusWorkqueueMetrics() });
    const log = def.logger.child({ controller: def.name });
    this.runner = new ReconcileRunner({
      name: def.name, queue: this.queue, reconcile: def.reconcile, workers: def.workers, metrics: prometheusReconcileMetrics(),
      onRetryableError: (f) => log.warn({ key: f.key, reconcileId: f.reconcileId, err: errorText(f.error) }, 'reconcile failed, will retry'),
      onTerminalError: def.onTerminalError ?? ((f) => void log.error({ key: f.key, reconcileId: f.reconcileId, err: errorText(f.error) }, 'reconcile failed for good')),
    });
    for (const watch of def.watches) {
      const keys = (obj: KubeObject) => (watch.keysOf ? watch.keysOf(obj) : [objectKey(obj)]);
      const add = (obj: KubeObject) => this.active && keys(obj).forEach((k) => this.queue.add(k));
      watch.informer.addHandlers({ onAdd: add, onUpdate: (_old, obj) => add(obj), onDelete: add });
    }
    this.runner.start();
    this.resync();
    this.timer = setInterval(() => this.resync(), def.resyncMs);
    this.timer.unref();
  }

  enqueue(key: string): void {
    if (this.active) this.queue.add(key);
  }

  private resync(): void {
    for (const obj of this.def.primary.list()) this.enqueue(objectKey(obj));
  }

  async stop(): Promise<void> {
    this.active = false;
    clearInterval(this.timer);
    await this.runner.stop();
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
