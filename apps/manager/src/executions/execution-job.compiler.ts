// Everything the Jenkins compiler needs, gathered from the execution, its Pipeline and the project's setting.
// Pure, so the sync loop and its tests compile exactly the same job.
import type { Pipeline, PipelineExecution, PipelineSetting } from '@keelson/crds';
import { compileJenkinsJob, type BuildSettings, type CompiledJenkinsJob, type JenkinsExecutionFacts } from '@keelson/engine-jenkins';
import { planExecution, type ExecutionPlan, type PipelineConfig, type PipelineEvent } from '@keelson/pipeline-config';

/** The data-plane namespace of a project (DESIGN §4.4). */
export function dataPlaneNamespace(project: string): string {
  return `${project}-pipeline`;
}

/** Registry address build pods push to. */
export function projectRegistryHost(project: string): string {
  return `registry.${dataPlaneNamespace(project)}.svc:5000`;
}

export function executionFacts(exe: PipelineExecution): JenkinsExecutionFacts {
  const event = (exe.spec.trigger?.event ?? 'manual') as PipelineEvent;
  const project = exe.metadata.namespace!;
  const branch = exe.spec.tag ?? exe.spec.branch ?? '';
  return {
    event,
    commit: exe.spec.commit!,
    branch,
    ref: exe.spec.ref ?? branch,
    tag: exe.spec.tag,
    fromFork: exe.spec.fork,
    runNumber: exe.spec.run!,
    executionId: exe.metadata.name!,
    pipeline: exe.spec.pipelineRef.name,
    project,
    gitUrl: exe.spec.repositoryUrl!,
    localRegistry: projectRegistryHost(project),
    triggerType: event === 'manual' ? 'user' : 'webhook',
    commitMessage: exe.spec.message,
  };
}

export function executionPlan(exe: PipelineExecution): ExecutionPlan {
  const facts = executionFacts(exe);
  return planExecution(exe.spec.config as unknown as PipelineConfig, { branch: facts.branch, event: facts.event });
}

/** Id of the Jenkins credential holding a pipeline's git token (a pipeline with a credentialRef). */
export function gitCredentialId(pipeline: string): string {
  return `${pipeline}-git`;
}

export function buildSettings(project: string, setting: PipelineSetting | undefined, gitCredentialsId?: string): BuildSettings {
  const spec = setting?.spec;
  const executor = spec?.executor;
  return {
    namespace: dataPlaneNamespace(project),
    serviceAccountName: 'keelson-build',
    cacheRoot: spec?.cache?.root ?? '/var/lib/keelson/cache',
    allowPrivileged: spec?.allowPrivileged ?? false,
    agentResources: executor && {
      cpuRequest: quantity(executor.cpuRequest), cpuLimit: quantity(executor.cpuLimit),
      memoryRequest: quantity(executor.memoryRequest), memoryLimit: quantity(executor.memoryLimit),
    },
    registry: { credentialsSecret: 'registry-push', caSecret: 'registry-ca' },
    maxRecentNodes: spec?.cache?.rememberedNodes ?? 3,
    ...(gitCredentialsId ? { gitCredentialsId } : {}),
  };
}

function quantity(value: string | number | undefined): string | undefined {
  return value === undefined ? undefined : String(value);
}

/**
 * One Jenkins job per execution, named like it (unique in its project, and each project has its own Jenkins).
 * Jenkins reads a job's script when a build starts, not when it is queued: with one job per pipeline, two
 * executions starting together could each run the other's script.
 */
export function executionJobName(exe: PipelineExecution): string {
  return exe.metadata.name!;
}

export function compileExecution(exe: PipelineExecution, pipeline: Pipeline | undefined, setting: PipelineSetting | undefined): CompiledJenkinsJob {
  const project = exe.metadata.namespace!;
  return compileJenkinsJob({
    config: exe.spec.config as unknown as PipelineConfig,
    facts: executionFacts(exe),
    recentNodes: pipeline?.status?.recentNodes ?? [],
    settings: buildSettings(project, setting, pipeline?.spec.credentialRef ? gitCredentialId(exe.spec.pipelineRef.name) : undefined),
    jobName: executionJobName(exe),
  });
}
