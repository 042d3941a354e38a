// Creates PipelineExecutions: manual runs from the API, reruns, and the completion of an execution someone
// created with kubectl naming only the pipeline and a branch or commit.
import type { Pipeline, PipelineExecution, PipelineExecutionSpec } from '@keelson/crds';
import { labelValue } from '@keelson/engine-jenkins';
import { Keelson, KubeClient, isAlreadyExists, isNotFound, type ObjectOf } from '@keelson/kube';
import { pipelineRunsFor, type PipelineConfig, type PipelineEvent } from '@keelson/pipeline-config';
import { ExecutionError } from './execution.errors';
import {
  IDEMPOTENCY_LABEL, IDEMPOTENCY_REQUEST_ANNOTATION, idempotencyLabelValue, idempotencyRequestHash, KeyedSerializer, type IdempotentRequest,
} from './idempotency';
import { ExecutionPreparer, type ConfigWarningRecords, type RunTarget } from './execution-preparer';
import { originOf } from './git-auth';
import { hasWebhookProof, type ManagerKey } from '../hooks/webhook-proof';
import { RunNumberAllocator } from './run-number.allocator';

type Execution = ObjectOf<typeof Keelson.PipelineExecution>;
/** The labels and annotations an Idempotency-Key puts on the execution it makes. */
type Marks = { labels?: Record<string, string>; annotations?: Record<string, string> };

function ownerOf(pipeline: Pipeline) {
  return { apiVersion: 'devops.keelson.dev/v1alpha1', kind: 'Pipeline', name: pipeline.metadata.name!, uid: pipeline.metadata.uid! };
}

export const PIPELINE_LABEL = 'keelson.dev/pipeline';
/** PIPELINE_LABEL's value: the pipeline's name, hashed when it is longer than a label value may be (63). */
export const pipelineLabelValue = (pipeline: string): string => labelValue(pipeline);
/** Selects the executions of one pipeline; whoever reads PIPELINE_LABEL goes through this. */
export const pipelineSelector = (pipeline: string): string => `${PIPELINE_LABEL}=${pipelineLabelValue(pipeline)}`;

/** What run and rerun answer: `replayed` when an earlier request with the same Idempotency-Key made the execution. */
export interface RunResult {
  execution: PipelineExecution;
  replayed: boolean;
}

export interface RunOptions {
  /** The Idempotency-Key header, already validated. */
  idempotencyKey?: string;
}
/** Guards the execution's Jenkins job (external state): the execution controller deletes it, then lets go. */
export const JENKINS_JOB_FINALIZER = 'devops.keelson.dev/jenkins-job';

/** What only a webhook event tells, so a completed execution carries none of it. */
const FIELDS_OF_EVENTS = { tag: null, author: null, title: null, message: null, htmlUrl: null };

export class ExecutionCreator {
  constructor(
    private readonly kube: KubeClient,
    private readonly preparer: ExecutionPreparer,
    private readonly runs: RunNumberAllocator,
    private readonly now: () => Date = () => new Date(),
    /** Verifies the webhook intake's proof on an execution; without it, no execution counts as a webhook run. */
    private readonly webhookKey?: ManagerKey,
  ) {}

  private readonly keys = new KeyedSerializer();

  /** A manual run of the pipeline at a branch tip or a commit. */
  run(namespace: string, pipelineName: string, target: RunTarget, user: string, options: RunOptions = {}): Promise<RunResult> {
    return this.once(namespace, pipelineName, user, options.idempotencyKey, { run: target }, async (marks) => {
      const pipeline = await this.pipeline(namespace, pipelineName);
      if (pipeline.spec.suspend) throw new ExecutionError('PipelineSuspended', `pipeline ${namespace}/${pipelineName} is suspended`);
      const prepared = await this.preparer.prepare(pipeline, target);
      return this.create(pipeline, { ...prepared.spec, trigger: { event: 'manual', user } }, prepared.configError, marks, prepared.configWarnings);
    });
  }

  /** A new execution from the same snapshot and commit as `name`. */
  async rerun(namespace: string, name: string, user: string, options: RunOptions = {}): Promise<RunResult> {
    const original = await this.execution(namespace, name);
    return this.once(namespace, original.spec.pipelineRef.name, user, options.idempotencyKey, { rerunOf: name }, async (marks) => {
      const pipeline = await this.pipeline(namespace, original.spec.pipelineRef.name);
      const { pipelineRef: _ref, run: _run, stop: _stop, trigger, ...same } = original.spec;
      const configError = original.spec.config ? undefined : original.status?.reason ?? 'the original execution has no config';
      // The same snapshot, so the same warnings about its file.
      return this.create(pipeline, { ...same, trigger: { event: trigger?.event ?? 'manual', user, rerunOf: name } }, configError, marks, original.status?.configWarnings);
    });
  }

  /**
   * Completes an execution someone else created naming the pipeline and a branch or commit (ADR 0004): the run
   * number, the commit, and the repository, pipeline file and config from the Pipeline and from git at the commit.
   * Whatever else the object says is dropped; the admission policy keeps requesters from writing it. Where the
   * policy is missing this is no guard: the reconciler completes only an object without `spec.run` (or without
   * `spec.config` before any phase), so one created with both is taken as written. Returns the updated object.
   */
  async complete(exe: PipelineExecution): Promise<PipelineExecution> {
    const namespace = exe.metadata.namespace!;
    const pipeline = await this.pipeline(namespace, exe.spec.pipelineRef.name);
    // Only the manager's webhook intake sets a delivery id (the admission policy refuses it from anyone else),
    // and it signs what the event decided: without that proof the object is completed like any hand-made one.
    if (exe.spec.trigger?.deliveryId && this.webhookKey && hasWebhookProof(await this.webhookKey(), exe)) return this.completeWebhookRun(exe, pipeline);
    const target: RunTarget = exe.spec.commit ? { commit: exe.spec.commit, branch: exe.spec.branch } : { branch: exe.spec.branch ?? '' };
    const prepared = await this.preparer.prepare(pipeline, target);
    // A number is kept: only a completion that wrote it, and then failed to fail the execution, leaves one here.
    const run = exe.spec.run ?? (await this.runs.allocate(namespace, pipeline.metadata.name!));
    const owners = exe.metadata.ownerReferences ?? [];
    const finalizers = exe.metadata.finalizers ?? [];
    const patch = {
      metadata: {
        resourceVersion: exe.metadata.resourceVersion, labels: { [PIPELINE_LABEL]: pipelineLabelValue(pipeline.metadata.name!) },
        // Like executions the API creates, it goes when its pipeline goes.
        ownerReferences: owners.some((o) => o.uid === pipeline.metadata.uid) ? owners : [...owners, ownerOf(pipeline)],
        finalizers: finalizers.includes(JENKINS_JOB_FINALIZER) ? finalizers : [...finalizers, JENKINS_JOB_FINALIZER],
      },
      // A merge patch: null removes what the object carried and the preparer did not set.
      spec: {
        ...FIELDS_OF_EVENTS, ref: null, config: null, ...prepared.spec, run, fork: false,
        trigger: { event: 'manual', user: exe.spec.trigger?.user ?? null, deliveryId: null, rerunOf: null },
      },
    };
    const updated = await this.kube.resource(Keelson.PipelineExecution).patch(namespace, exe.metadata.name!, patch);
    return prepared.configError ? this.failAtOnce(updated, prepared.configError, prepared.configWarnings) : this.recordWarnings(updated, prepared.configWarnings);
  }

  /**
   * Completes an execution the webhook intake made from an event: it keeps what the event said (commit, ref,
   * branch or tag, fork, author...) and adds the run number and the `.devops.yml` at the commit, read from the
   * fork without the pipeline's credential for a fork pull request. A run the file's top-level `branch` filter
   * excludes ends Aborted, saying so.
   */
  private async completeWebhookRun(exe: PipelineExecution, pipeline: Pipeline): Promise<PipelineExecution> {
    const namespace = exe.metadata.namespace!;
    const fork = exe.spec.fork;
    const repositoryUrl = fork ? exe.spec.repositoryUrl ?? '' : pipeline.spec.repositoryUrl;
    const run = exe.spec.run ?? (await this.runs.allocate(namespace, pipeline.metadata.name!));
    const patchSpec = (spec: Record<string, unknown>) => this.kube.resource(Keelson.PipelineExecution).patch(namespace, exe.metadata.name!, {
      metadata: { resourceVersion: exe.metadata.resourceVersion }, spec: { run, repositoryUrl, ...spec },
    });
    const refusal = fork ? forkRepositoryProblem(repositoryUrl, pipeline.spec.repositoryUrl) : undefined;
    if (refusal) return this.failAtOnce(await patchSpec({}), refusal);
    // A Bitbucket pull request names its head by a short hash: the tip of its source branch is the commit.
    const target: RunTarget = exe.spec.commit ? { commit: exe.spec.commit } : { branch: (exe.spec.ref ?? '').replace(/^refs\/heads\//, '') };
    const prepared = await this.preparer.prepare(pipeline, target, { repositoryUrl, anonymous: fork });
    const { commit, configPath, config } = prepared.spec;
    const warnings = prepared.configWarnings;
    const updated = await patchSpec({ commit, configPath, ...(config && { config }) });
    if (prepared.configError) return this.failAtOnce(updated, prepared.configError, warnings);
    const branch = exe.spec.tag ?? exe.spec.branch ?? '';
    if (config && !pipelineRunsFor(config as unknown as PipelineConfig, { branch, event: exe.spec.trigger!.event as PipelineEvent })) {
      return this.endAtOnce(updated, 'Aborted', `${configPath}: the top-level branch filter excludes ${exe.spec.tag ? 'tag' : 'branch'} ${JSON.stringify(branch)}`, warnings);
    }
    return this.recordWarnings(updated, warnings);
  }

  /**
   * Makes an execution with `make`, unless the user's Idempotency-Key already made one for this pipeline: then that
   * one is the answer, if it was made for the same request (else 422, as the IETF Idempotency-Key draft says). The
   * lookup asks the apiserver (any replica may have made it); requests with the same key are serialised in this
   * process so that they cannot both miss it.
   */
  private async once(
    namespace: string, pipelineName: string, user: string, key: string | undefined, request: IdempotentRequest,
    make: (marks: Marks) => Promise<PipelineExecution>,
  ): Promise<RunResult> {
    if (key === undefined) return { execution: await make({}), replayed: false };
    const hash = idempotencyLabelValue(user, key);
    const requestHash = idempotencyRequestHash(request);
    return this.keys.run(`${namespace}/${pipelineName}/${hash}`, async () => {
      const earlier = await this.madeWithKey(namespace, pipelineName, user, hash);
      if (earlier) {
        // An execution made before requests were recorded carries no hash: it answers its key as it did then.
        const made = earlier.metadata.annotations?.[IDEMPOTENCY_REQUEST_ANNOTATION];
        if (made !== undefined && made !== requestHash) {
          throw new ExecutionError('IdempotencyKeyReused', `Idempotency-Key was used for another request, which made execution ${namespace}/${earlier.metadata.name}; send a new key for a new request`);
        }
        return { execution: earlier, replayed: true };
      }
      return { execution: await make({ labels: { [IDEMPOTENCY_LABEL]: hash }, annotations: { [IDEMPOTENCY_REQUEST_ANNOTATION]: requestHash } }), replayed: false };
    });
  }

  private async madeWithKey(namespace: string, pipelineName: string, user: string, hash: string): Promise<PipelineExecution | undefined> {
    const selector = `${pipelineSelector(pipelineName)},${IDEMPOTENCY_LABEL}=${hash}`;
    const { items } = await this.kube.resource(Keelson.PipelineExecution).list(namespace, { labelSelector: selector });
    // Labels are not proof: only an execution the manager made for this user and pipeline answers the key.
    const mine = items.filter((e) => e.spec.pipelineRef.name === pipelineName && e.spec.trigger?.user === user);
    return mine.sort((a, b) => (a.spec.run ?? 0) - (b.spec.run ?? 0))[0];
  }

  private async create(
    pipeline: Pipeline, spec: Omit<PipelineExecutionSpec, 'pipelineRef' | 'run' | 'fork' | 'stop'> & Partial<PipelineExecutionSpec>, configError?: string,
    { labels = {}, annotations }: Marks = {}, warnings?: ConfigWarningRecords,
  ): Promise<PipelineExecution> {
    const namespace = pipeline.metadata.namespace!;
    const pipelineName = pipeline.metadata.name!;
    for (let attempt = 0; ; attempt++) {
      const run = await this.runs.allocate(namespace, pipelineName);
      const exe: Execution = {
        apiVersion: 'devops.keelson.dev/v1alpha1', kind: 'PipelineExecution',
        metadata: {
          name: `${pipelineName}-${run}`, namespace, labels: { ...labels, [PIPELINE_LABEL]: pipelineLabelValue(pipelineName) }, ...(annotations && { annotations }),
          finalizers: [JENKINS_JOB_FINALIZER],
          ownerReferences: [ownerOf(pipeline)],
        },
        spec: { fork: false, stop: false, ...spec, pipelineRef: { name: pipelineName }, run },
      };
      try {
        const created = await this.kube.resource(Keelson.PipelineExecution).create(exe);
        return configError ? this.failAtOnce(created, configError, warnings) : this.recordWarnings(created, warnings);
      } catch (err) {
        // A leftover execution holds this name (the counter was reset): take the next number.
        if (!isAlreadyExists(err) || attempt >= 20) throw err;
      }
    }
  }

  private async endAtOnce(exe: PipelineExecution, phase: 'Aborted', reason: string, warnings?: ConfigWarningRecords): Promise<PipelineExecution> {
    const time = this.now().toISOString().replace(/\.\d{3}Z$/, 'Z');
    return this.kube.resource(Keelson.PipelineExecution).patchStatus(exe.metadata.namespace, exe.metadata.name!, {
      phase, reason: reason.slice(0, 1024), queuedTime: time, completionTime: time, ...(warnings?.length ? { configWarnings: warnings } : {}),
    }, exe.metadata.resourceVersion);
  }

  /**
   * The file's warnings, on an execution that goes on to run. Only the creator writes this field, once, and a
   * merge patch of it alone cannot undo what the controller writes meanwhile, so it needs no resourceVersion
   * (ADR 0003's writes are conditional because they decide something; this one records). One write more per run,
   * and only when the file has warnings.
   */
  private async recordWarnings(exe: PipelineExecution, warnings?: ConfigWarningRecords): Promise<PipelineExecution> {
    if (!warnings?.length) return exe;
    try {
      return await this.kube.resource(Keelson.PipelineExecution).patchStatus(exe.metadata.namespace, exe.metadata.name!, { configWarnings: warnings });
    } catch (err) {
      if (isNotFound(err)) return exe; // deleted meanwhile: nothing to record on
      throw err;
    }
  }

  private async failAtOnce(exe: PipelineExecution, message: string, warnings?: ConfigWarningRecords): Promise<PipelineExecution> {
    const time = this.now().toISOString().replace(/\.\d{3}Z$/, 'Z');
    return this.kube.resource(Keelson.PipelineExecution).patchStatus(exe.metadata.namespace, exe.metadata.name!, {
      phase: 'Failed', reason: message.slice(0, 1024), queuedTime: time, completionTime: time, ...(warnings?.length ? { configWarnings: warnings } : {}),
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

/**
 * A fork's repository must be on the pipeline's own server over http(s): a payload names it, and the manager
 * and the build then fetch from it, so it may not point anywhere else.
 */
export function forkRepositoryProblem(forkUrl: string, pipelineUrl: string): string | undefined {
  const fork = originOf(forkUrl);
  if (!fork) return 'the pull request\'s source repository has no http(s) clone URL';
  if (fork !== originOf(pipelineUrl)) return `the pull request's source repository is on ${fork}, not on the pipeline's server ${originOf(pipelineUrl) ?? ''}`.trim();
  return undefined;
}
