// Everything the Jenkins compiler needs, gathered from the execution, its Pipeline and the project's setting.
// Pure, so the sync loop and its tests compile exactly the same job.
import type { Pipeline, PipelineExecution, PipelineSetting } from '@keelson/crds';
import { buildNamespace, DATA_PLANE_NAMES, dataPlaneNamespace, proxiedRegistry, registryHost } from '@keelson/data-plane';
import { compileJenkinsJob, type BuildSettings, type CompiledJenkinsJob, type JenkinsCompileInput, type JenkinsExecutionFacts, type ToolImages } from '@keelson/engine-jenkins';
import { planExecution, secretsAllowed, type ExecutionPlan, type PipelineConfig, type PipelineEvent } from '@keelson/pipeline-config';
import { envSecretName } from './build-inputs';

export { buildNamespace, dataPlaneNamespace };

/** Registry address build pods push to (the Service: pods resolve it, and Kaniko trusts its CA). */
export function projectRegistryHost(project: string): string {
  return registryHost(dataPlaneNamespace(project));
}

/**
 * Where images of the project registry are referenced from, CICD_LOCAL_REGISTRY: `127.0.0.1:<port>/<project>`
 * through the node-local proxy, which every kubelet can pull from; the Service address when no proxy runs.
 */
export function projectPullRegistry(project: string, policy: Pick<BuildPolicy, 'registryProxyPort'> = DEFAULT_BUILD_POLICY): string {
  return policy.registryProxyPort ? proxiedRegistry(project, policy.registryProxyPort) : projectRegistryHost(project);
}

/** What the operator decides for every build (manager configuration), never a tenant's object (ADR 0004). */
export interface BuildPolicy {
  /** Host directory under which every cache lives. */
  cacheRoot: string;
  /** Projects whose steps may run privileged containers. */
  privilegedProjects: readonly string[];
  /** Images of the agent and of Keelson's own steps, replacing the compiler's defaults (mirrors, digests). */
  images?: Partial<ToolImages>;
  /** REGISTRY_PROXY_PORT: the node-local registry proxy's port; none (or 0) when no proxy runs. */
  registryProxyPort?: number;
}

export const DEFAULT_BUILD_POLICY: BuildPolicy = { cacheRoot: '/var/lib/keelson/cache', privilegedProjects: [] };

export function executionFacts(exe: PipelineExecution, policy: Pick<BuildPolicy, 'registryProxyPort'> = DEFAULT_BUILD_POLICY): JenkinsExecutionFacts {
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
    localRegistry: projectPullRegistry(project, policy),
    triggerType: event === 'manual' ? 'user' : 'webhook',
    commitMessage: exe.spec.message,
  };
}

export function executionPlan(exe: PipelineExecution): ExecutionPlan {
  const facts = executionFacts(exe);
  return planExecution(exe.spec.config as unknown as PipelineConfig, { branch: facts.branch, event: facts.event });
}

/**
 * Id of the Jenkins credential holding the git token of one execution (of a pipeline with a credentialRef). One
 * per execution, not per pipeline: a build still queued in Jenkins must check out with the token stored for it,
 * not with whatever a later start stored under a shared id.
 */
export function gitCredentialId(execution: string): string {
  return `${execution}-git`;
}

/**
 * The project's setting gives resources and the remembered nodes; the cache root and privileged mode come from
 * the operator's policy, whatever an old PipelineSetting still says about them.
 */
export function buildSettings(exe: PipelineExecution, setting: PipelineSetting | undefined, policy: BuildPolicy, gitCredentialsId?: string): BuildSettings {
  const project = exe.metadata.namespace!;
  const spec = setting?.spec;
  const executor = spec?.executor;
  return {
    namespace: buildNamespace(project),
    serviceAccountName: 'keelson-build',
    cacheRoot: policy.cacheRoot,
    allowPrivileged: policy.privilegedProjects.includes(project),
    envSecret: envSecretName(exe.metadata.name!),
    agentResources: executor && {
      cpuRequest: quantity(executor.cpuRequest), cpuLimit: quantity(executor.cpuLimit),
      memoryRequest: quantity(executor.memoryRequest), memoryLimit: quantity(executor.memoryLimit),
    },
    registry: {
      credentialsSecret: DATA_PLANE_NAMES.registryPushSecret, caSecret: DATA_PLANE_NAMES.registryCaSecret, pushHost: projectRegistryHost(project),
      ...(policy.registryProxyPort ? { pullSecret: DATA_PLANE_NAMES.registryPullSecret } : {}),
    },
    maxRecentNodes: spec?.cache?.rememberedNodes ?? 3,
    ...(policy.images && { images: policy.images }),
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

export function executionCompileInput(exe: PipelineExecution, pipeline: Pipeline | undefined, setting: PipelineSetting | undefined, policy: BuildPolicy = DEFAULT_BUILD_POLICY): JenkinsCompileInput {
  return {
    config: exe.spec.config as unknown as PipelineConfig,
    facts: executionFacts(exe, policy),
    recentNodes: pipeline?.status?.recentNodes ?? [],
    settings: buildSettings(exe, setting, policy, checkoutCredentialId(exe, pipeline)),
    jobName: executionJobName(exe),
  };
}

/** Untrusted builds (forks) check out without any credential (ADR 0004), so none is made for them. */
function checkoutCredentialId(exe: PipelineExecution, pipeline: Pipeline | undefined): string | undefined {
  if (!pipeline?.spec.credentialRef || !secretsAllowed(executionFacts(exe))) return undefined;
  return gitCredentialId(exe.metadata.name!);
}

export function compileExecution(exe: PipelineExecution, pipeline: Pipeline | undefined, setting: PipelineSetting | undefined, policy: BuildPolicy = DEFAULT_BUILD_POLICY): CompiledJenkinsJob {
  return compileJenkinsJob(executionCompileInput(exe, pipeline, setting, policy));
}
