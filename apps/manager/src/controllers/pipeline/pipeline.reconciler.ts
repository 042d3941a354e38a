// The pipeline controller: spec checks into a Ready condition, the run counter initialised, and a finalizer
// that deletes the pipeline's Jenkins job before the Pipeline goes (the job is external state, DESIGN §2).
import type { Condition } from '@keelson/crds';
import { DataPlaneError } from '@keelson/data-plane';
import type { EngineEndpoint, ExecutionEngine } from '@keelson/engine-jenkins';
import { validateRepoPath, validateRepositoryUrl } from '@keelson/git-source';
import { Informer, Keelson, KubeClient, ReconcileResult, type ObjectOf } from '@keelson/kube';
import { Logger } from '@keelson/observability';
import { setCondition } from '../pipeline-execution/pipeline-execution.reconciler';

export const JENKINS_JOB_FINALIZER = 'devops.keelson.dev/jenkins-job';

type Pipeline = ObjectOf<typeof Keelson.Pipeline>;

export interface PipelineReconcilerDeps {
  kube: KubeClient;
  pipelines: Informer<Pipeline>;
  engine: ExecutionEngine;
  dataPlanes: { jenkins(project: string): Promise<EngineEndpoint> };
  allowFileRepositories: boolean;
  logger: Logger;
  now?: () => Date;
}

export class PipelineReconciler {
  constructor(private readonly deps: PipelineReconcilerDeps) {}

  async reconcile(key: string): Promise<ReconcileResult> {
    const cached = this.deps.pipelines.get(key);
    if (!cached) return ReconcileResult.done();
    const client = this.deps.kube.resource(Keelson.Pipeline);
    const namespace = cached.metadata.namespace!;
    const name = cached.metadata.name!;
    let pipeline = await client.find(namespace, name);
    if (!pipeline) return ReconcileResult.done();
    const finalizers = pipeline.metadata.finalizers ?? [];
    if (pipeline.metadata.deletionTimestamp) {
      if (!finalizers.includes(JENKINS_JOB_FINALIZER)) return ReconcileResult.done();
      await this.deleteJenkinsJob(namespace, name);
      await client.patch(namespace, name, { metadata: { resourceVersion: pipeline.metadata.resourceVersion, finalizers: finalizers.filter((f) => f !== JENKINS_JOB_FINALIZER) } });
      return ReconcileResult.done();
    }
    if (!finalizers.includes(JENKINS_JOB_FINALIZER)) {
      pipeline = await client.patch(namespace, name, { metadata: { resourceVersion: pipeline.metadata.resourceVersion, finalizers: [...finalizers, JENKINS_JOB_FINALIZER] } });
    }
    const ready = this.readyCondition(pipeline);
    const conditions = setCondition(pipeline.status?.conditions, ready);
    if (pipeline.status?.nextRun === undefined || JSON.stringify(conditions) !== JSON.stringify(pipeline.status?.conditions) || pipeline.status.observedGeneration !== pipeline.metadata.generation) {
      await client.patchStatus(namespace, name, { nextRun: pipeline.status?.nextRun ?? 1, conditions, observedGeneration: pipeline.metadata.generation }, pipeline.metadata.resourceVersion);
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

  private async deleteJenkinsJob(namespace: string, name: string): Promise<void> {
    let endpoint;
    try {
      endpoint = await this.deps.dataPlanes.jenkins(namespace);
    } catch (err) {
      // Never provisioned: there is no Jenkins, so there is no job to delete.
      if (err instanceof DataPlaneError && err.code === 'CredentialsMissing') return;
      throw err;
    }
    await this.deps.engine.deleteJob(endpoint, name);
    this.deps.logger.info({ namespace, name }, 'deleted the Jenkins job of a deleted pipeline');
  }

  private iso(): string {
    return (this.deps.now?.() ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }
}
