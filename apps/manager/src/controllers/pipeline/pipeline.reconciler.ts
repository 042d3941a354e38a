// The pipeline controller: spec checks into a Ready condition and the run counter initialised. Its executions
// are owned by it and go with it; each execution's finalizer deletes that execution's Jenkins job.
import type { Condition } from '@keelson/crds';
import { validateRepoPath, validateRepositoryUrl } from '@keelson/git-source';
import { Informer, Keelson, KubeClient, ReconcileResult, type ObjectOf } from '@keelson/kube';
import { Logger } from '@keelson/observability';
import { setCondition } from '../pipeline-execution/pipeline-execution.reconciler';
import { sameValue } from '../same-value';

type Pipeline = ObjectOf<typeof Keelson.Pipeline>;

export interface PipelineReconcilerDeps {
  kube: KubeClient;
  pipelines: Informer<Pipeline>;
  allowFileRepositories: boolean;
  logger: Logger;
  now?: () => Date;
}

export class PipelineReconciler {
  constructor(private readonly deps: PipelineReconcilerDeps) {}

  async reconcile(key: string): Promise<ReconcileResult> {
    // The cached copy is enough: the only write is conditional on its resourceVersion (a 409 retries).
    const pipeline = this.deps.pipelines.get(key);
    if (!pipeline || pipeline.metadata.deletionTimestamp) return ReconcileResult.done();
    const conditions = setCondition(pipeline.status?.conditions, this.readyCondition(pipeline));
    const counterMissing = pipeline.status?.nextRun === undefined;
    if (counterMissing || !sameValue(conditions, pipeline.status?.conditions) || pipeline.status?.observedGeneration !== pipeline.metadata.generation) {
      await this.deps.kube.resource(Keelson.Pipeline).patchStatus(pipeline.metadata.namespace, pipeline.metadata.name!, {
        conditions, observedGeneration: pipeline.metadata.generation, ...(counterMissing ? { nextRun: 1 } : {}),
      }, pipeline.metadata.resourceVersion);
    }
    return ReconcileResult.done();
  }

  private readyCondition(pipeline: Pipeline): Condition {
    const base = { type: 'Ready', lastTransitionTime: this.iso(), observedGeneration: pipeline.metadata.generation };
    try {
      validateRepositoryUrl(pipeline.spec.repositoryUrl, { allowFileProtocol: this.deps.allowFileRepositories });
      validateRepoPath(pipeline.spec.configPath ?? '.devops.yml');
    } catch (err) {
      return { ...base, status: 'False', reason: 'InvalidSpec', message: (err as Error).message.slice(0, 1024) };
    }
    if (pipeline.spec.suspend) return { ...base, status: 'False', reason: 'Suspended', message: 'triggers create no executions while suspended' };
    return { ...base, status: 'True', reason: 'Valid', message: 'the pipeline can run' };
  }

  private iso(): string {
    return (this.deps.now?.() ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }
}
