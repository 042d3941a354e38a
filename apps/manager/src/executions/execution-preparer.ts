// What every new execution needs before it exists: the exact commit, and the `.devops.yml` read and parsed at
// that commit (DESIGN §4.2). A config that does not parse is not an error here: the execution is still created
// and fails at once with the file:line:column message, so the user sees why.
import type { Pipeline, PipelineExecutionSpec } from '@keelson/crds';
import { GitSourceError, type ConfigSource } from '@keelson/git-source';
import { formatIssue, parsePipelineConfig } from '@keelson/pipeline-config';
import { KubeClient } from '@keelson/kube';
import { STRICT_OUTBOUND_POLICY, type OutboundPolicy } from '@keelson/outbound';
import { ExecutionError } from './execution.errors';
import { CredentialUnavailableError, gitCredentialsOf } from './git-auth';

export type RunTarget = { branch: string; commit?: string } | { commit: string; branch?: string };

export interface PrepareOptions {
  /** Where to read: a fork pull request's own repository instead of the pipeline's. */
  repositoryUrl?: string;
  /** Read without the pipeline's credential: a fork is someone else's repository (ADR 0004). */
  anonymous?: boolean;
}

export interface PreparedExecution {
  spec: Pick<PipelineExecutionSpec, 'commit' | 'branch' | 'ref' | 'repositoryUrl' | 'configPath' | 'config'>;
  /** Set when the config is missing or invalid: the execution fails at once with this message. */
  configError?: string;
}

export class ExecutionPreparer {
  /** `outbound` must be the policy the source checks addresses with; here it decides whether a token may go over plain http. */
  constructor(private readonly kube: KubeClient, private readonly source: ConfigSource, private readonly outbound: OutboundPolicy = STRICT_OUTBOUND_POLICY) {}

  async prepare(pipeline: Pipeline, target: RunTarget, options: PrepareOptions = {}): Promise<PreparedExecution> {
    const repositoryUrl = options.repositoryUrl ?? pipeline.spec.repositoryUrl;
    const configPath = pipeline.spec.configPath ?? '.devops.yml';
    try {
      // The credential's binding to its provider is checked here, before git connects to anything.
      const auth = options.anonymous ? undefined : await gitCredentialsOf(this.kube, pipeline, repositoryUrl, this.outbound);
      const commit = await this.source.resolveCommit(repositoryUrl, target.commit ? { commit: target.commit } : { branch: target.branch! }, auth);
      const branch = target.branch;
      const spec: PreparedExecution['spec'] = { commit, repositoryUrl, configPath, ...(branch ? { branch, ref: `refs/heads/${branch}` } : {}) };
      const text = await this.source.readFile(repositoryUrl, commit, configPath, auth);
      if (text === undefined) return { spec, configError: `${configPath}: not found at commit ${commit}` };
      const parsed = parsePipelineConfig(text, { file: configPath });
      if (!parsed.ok) return { spec, configError: parsed.issues.map(formatIssue).join('\n').slice(0, 1024) };
      return { spec: { ...spec, config: parsed.config as unknown as Record<string, unknown> } };
    } catch (err) {
      throw translateGitError(err);
    }
  }
}

function translateGitError(err: unknown): unknown {
  if (err instanceof CredentialUnavailableError) return new ExecutionError('RepositoryAccessDenied', err.message, false, { cause: err });
  if (!(err instanceof GitSourceError)) return err;
  switch (err.code) {
    case 'InvalidRef':
    case 'InvalidCommit':
    case 'InvalidPath':
    case 'InvalidUrl':
      return new ExecutionError('InvalidRunTarget', err.message, false, { cause: err });
    case 'RefNotFound':
    case 'CommitNotFound':
      return new ExecutionError('RefNotFound', err.message, false, { cause: err });
    case 'AuthFailed':
    case 'DestinationRefused':
      return new ExecutionError('RepositoryAccessDenied', err.message, false, { cause: err });
    default:
      return new ExecutionError('RepositoryUnavailable', err.message, err.retryable, { cause: err });
  }
}
