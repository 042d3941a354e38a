// Creates PipelineExecutions: manual runs from the API, reruns, and the completion of an execution someone
// created with kubectl naming only the pipeline and a branch or commit.
import type { Pipeline, PipelineExecution, PipelineExecutionSpec } from '@keelson/crds';
import { Keelson, KubeClient, isAlreadyExists, isNotFound, type ObjectOf } from '@keelson/kube';
import { ExecutionError } from './execution.errors';
import { ExecutionPreparer, type PreparedExecution, type RunTarget } from './execution-preparer';
import { RunNumberAllocator } from './run-number.allocator';

type Execution = ObjectOf<typeof Keelson.PipelineExecution>;

function ownerOf(pipeline: Pipeline) {
  return { apiVersion: 'devops.keelson.dev/v1alpha1', kind: 'Pipeline', name: pipeline.metadata.name!, uid: pipeline.metadata.uid! };
}

export const PIPELINE_LABEL = 'keelson.dev/pipeline';
/** Guards the execution's Jenkins job (external state): the execution controller deletes it, then lets go. */
export const JENKINS_JOB_FINALIZER = 'devops.keelson.dev/jenkins-job';

export class ExecutionCreator {
  constructor(
    private readonly kube: KubeClient,
    private readonly preparer: ExecutionPreparer,
    private readonly runs: RunNumberAllocator,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** A manual run of the pipeline at a branch tip or a commit. */
  async run(namespace: string, pipelineName: string, target: RunTarget, user: string): Promise<PipelineExecution> {
    const pipeline = await this.pipeline(namespace, pipelineName);
    if (pipeline.spec.suspend) throw new ExecutionError('PipelineSuspended', `pipeline ${namespace}/${pipelineName} is suspended`);
    const prepared = await this.preparer.prepare(pipeline, target);
    return this.create(pipeline, { ...prepared.spec, trigger: { event: 'manual', user } }, prepared.configError);
  }

  /** A new execution from the same snapshot and commit as `name`. */
  async rerun(namespace: string, name: string, user: string): Promise<PipelineExecution> {
    const original = await this.execution(namespace, name);
    const pipeline = await this.pipeline(namespace, original.spec.pipelineRef.name);
    const { pipelineRef: _ref, run: _run, stop: _stop, trigger, ...same } = original.spec;
    const configError = original.spec.config ? undefined : original.status?.reason ?? 'the original execution has no config';
    return this.create(pipeline, { ...same, trigger: { event: trigger?.event ?? 'manual', user, rerunOf: name } }, configError);
  }

  /** Fills in what a hand-made execution left out (run number, commit, config). Returns the updated object. */
  async complete(exe: PipelineExecution): Promise<PipelineExecution> {
    const namespace = exe.metadata.namespace!;
    const pipeline = await this.pipeline(namespace, exe.spec.pipelineRef.name);
    let prepared: PreparedExecution | undefined;
    if (!exe.spec.commit || !exe.spec.config) {
      const target: RunTarget = exe.spec.commit ? { commit: exe.spec.commit, branch: exe.spec.branch } : { branch: exe.spec.branch ?? '' };
      prepared = await this.preparer.prepare(pipeline, target);
    }
    const run = exe.spec.run ?? (await this.runs.allocate(namespace, pipeline.metadata.name!));
    const owners = exe.metadata.ownerReferences ?? [];
    const finalizers = exe.metadata.finalizers ?? [];
    const patch = {
      metadata: {
        resourceVersion: exe.metadata.resourceVersion, labels: { [PIPELINE_LABEL]: pipeline.metadata.name },
        // Like executions the API creates, it goes when its pipeline goes.
        ownerReferences: owners.some((o) => o.uid === pipeline.metadata.uid) ? owners : [...owners, ownerOf(pipeline)],
        finalizers: finalizers.includes(JENKINS_JOB_FINALIZER) ? finalizers : [...finalizers, JENKINS_JOB_FINALIZER],
      },
      spec: { run, ...prepared?.spec, trigger: exe.spec.trigger ?? { event: 'manual' } },
    };
    const updated = await this.kube.resource(Keelson.PipelineExecution).patch(namespace, exe.metadata.name!, patch);
    return prepared?.configError ? this.failAtOnce(updated, prepared.configError) : updated;
  }

  private async create(pipeline: Pipeline, spec: Omit<PipelineExecutionSpec, 'pipelineRef' | 'run' | 'fork' | 'stop'> & Partial<PipelineExecutionSpec>, configError?: string): Promise<PipelineExecution> {
    const namespace = pipeline.metadata.namespace!;
    const pipelineName = pipeline.metadata.name!;
    for (let attempt = 0; ; attempt++) {
      const run = await this.runs.allocate(namespace, pipelineName);
      const exe: Execution = {
        apiVersion: 'devops.keelson.dev/v1alpha1', kind: 'PipelineExecution',
        metadata: {
          name: `${pipelineName}-${run}`, namespace, labels: { [PIPELINE_LABEL]: pipelineName }, finalizers: [JENKINS_JOB_FINALIZER],
          ownerReferences: [ownerOf(pipeline)],
        },
        spec: { fork: false, stop: false, ...spec, pipelineRef: { name: pipelineName }, run },
      };
      try {
        const created = await this.kube.resource(Keelson.PipelineExecution).create(exe);
        return configError ? this.failAtOnce(created, configError) : created;
      } catch (err) {
        // A leftover execution holds this name (the counter was reset): take the next number.
        if (!isAlreadyExists(err) || attempt >= 20) throw err;
      }
    }
  }

  private async failAtOnce(exe: PipelineExecution, message: string): Promise<PipelineExecution> {
    const time = this.now().toISOString().replace(/\.\d{3}Z$/, 'Z');
    return this.kube.resource(Keelson.PipelineExecution).patchStatus(exe.metadata.namespace, exe.metadata.name!, {
      phase: 'Failed', reason: message.slice(0, 1024), queuedTime: time, completionTime: time,
      conditions: [{ type: 'ConfigValid', status: 'False', reason: 'InvalidConfig', message: message.slice(0, 32768), lastTransitionTime: time, observedGeneration: exe.metadata.generation }],
    }, exe.metadata.resourceVersion);
  }

  private async pipeline(namespace: string, name: string): Promise<Pipeline> {
    try {
      return await this.kube.resource(Keelson.Pipeline).get(namespace, name);
    } catch (err) {
      if (isNotFound(err)) throw new ExecutionError('PipelineNotFound', `pipeline ${namespace}/${name} not found`);
      throw err;
    }
  }

  private async execution(namespace: string, name: string): Promise<PipelineExecution> {
    try {
      return await this.kube.resource(Keelson.PipelineExecution).get(namespace, name);
    } catch (err) {
      if (isNotFound(err)) throw new ExecutionError('ExecutionNotFound', `execution ${namespace}/${name} not found`);
      throw err;
    }
  }
}
