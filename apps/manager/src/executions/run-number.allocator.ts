// Run numbers come from Pipeline.status.nextRun, taken with an optimistic update (resourceVersion, retried on
// 409), so two triggers never share a number even across manager replicas (DESIGN §2). Within one process the
// allocations of a pipeline are also serialised, so a burst does not turn into a storm of conflicts.
import { Keelson, KubeClient, retryOnConflict } from '@keelson/kube';

export class RunNumberAllocator {
  private readonly chains = new Map<string, Promise<unknown>>();

  constructor(private readonly kube: KubeClient) {}

  allocate(namespace: string, pipeline: string): Promise<number> {
    const key = `${namespace}/${pipeline}`;
    const previous = this.chains.get(key) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => retryOnConflict(() => this.take(namespace, pipeline), { attempts: 30, delayMs: 20 }));
    this.chains.set(key, next);
    void next.finally(() => this.chains.get(key) === next && this.chains.delete(key)).catch(() => undefined);
    return next;
  }

  private async take(namespace: string, name: string): Promise<number> {
    const pipelines = this.kube.resource(Keelson.Pipeline);
    const pipeline = await pipelines.get(namespace, name);
    const run = Math.max(pipeline.status?.nextRun ?? 1, 1);
    await pipelines.patchStatus(namespace, name, { nextRun: run + 1 }, pipeline.metadata.resourceVersion);
    return run;
  }
}
