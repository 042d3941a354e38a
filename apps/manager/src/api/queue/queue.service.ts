// The queue of one project, from the informers' caches (no apiserver read per request) and, only when a run waits for
// its build pod, one list of the project's build pods from its data-plane cluster.
import { Inject, Injectable } from '@nestjs/common';
import type { PipelineExecution, PipelineSetting } from '@keelson/crds';
import { EXECUTION_LABEL, labelValue } from '@keelson/engine-jenkins';
import { Core, Keelson } from '@keelson/kube';
import { Logger } from '@keelson/observability';
import { DataPlaneClusters } from '../../data-plane/data-plane-clusters';
import { buildPodPlacement, type BuildPodPlacement } from '../../executions/build-pod-placement';
import { buildNamespace } from '../../executions/execution-job.compiler';
import { InformersService } from '../../kube/informers.service';
import { DATA_PLANE_CLUSTERS } from '../../pipelines/pipelines.tokens';
import { LOGGER } from '../../tokens';
import { ApiProblem } from '../problem/api-problem';
import { projectQueue, waitsForItsPod, type ProjectQueue } from './project-queue';

/** Seconds a client waits before asking again while the caches fill. */
const RETRY_AFTER_S = 5;

@Injectable()
export class QueueService {
  constructor(
    private readonly informers: InformersService,
    @Inject(DATA_PLANE_CLUSTERS) private readonly clusters: DataPlaneClusters,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async queue(namespace: string, now = Date.now()): Promise<ProjectQueue> {
    const unsynced = this.informers.unsynced();
    if (unsynced.length) {
      throw new ApiProblem('unavailable', 503, 'Service unavailable', `the manager is still reading ${unsynced.join(', ')} from the cluster; retry shortly`, {}, { 'Retry-After': String(RETRY_AFTER_S) });
    }
    const executions = this.list<PipelineExecution>(Keelson.PipelineExecution.kind, namespace);
    const setting = this.list<PipelineSetting>(Keelson.PipelineSetting.kind, namespace).sort((a, b) => a.metadata.name!.localeCompare(b.metadata.name!))[0];
    let pods: Map<string, BuildPodPlacement> | undefined;
    let podsError: string | undefined;
    if (executions.some(waitsForItsPod)) {
      try {
        pods = await this.buildPods(namespace, setting, executions);
      } catch (err) {
        podsError = 'the data plane did not answer';
        this.logger.warn({ namespace, err: (err as Error).message }, 'queue: could not list the build pods');
      }
    }
    return projectQueue({ namespace, executions, setting, pods, podsError, now });
  }

  private list<T extends PipelineExecution | PipelineSetting>(kind: string, namespace: string): T[] {
    return ((this.informers.informers.get(kind)?.list() ?? []) as unknown as T[]).filter((o) => o.metadata.namespace === namespace);
  }

  /** The project's build pods by execution name (through the label the compiler puts on them). */
  private async buildPods(namespace: string, setting: PipelineSetting | undefined, executions: PipelineExecution[]): Promise<Map<string, BuildPodPlacement>> {
    const cluster = await this.clusters.forProject(namespace, setting ?? null);
    const list = await cluster.kube.resource(Core.Pod).list(buildNamespace(namespace), { labelSelector: EXECUTION_LABEL });
    const byLabel = new Map<string, BuildPodPlacement>();
    for (const pod of list.items) {
      const value = pod.metadata.labels?.[EXECUTION_LABEL];
      // A retried pod of the same build: the one that got furthest (placed) tells more.
      if (value && (!byLabel.get(value)?.node)) byLabel.set(value, buildPodPlacement(pod));
    }
    const byName = new Map<string, BuildPodPlacement>();
    for (const exe of executions) {
      const placement = byLabel.get(labelValue(exe.metadata.name!));
      if (placement) byName.set(exe.metadata.name!, placement);
    }
    return byName;
  }
}
