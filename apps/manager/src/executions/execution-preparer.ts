// What every new execution needs before it exists: the exact commit, and the pipeline file read and parsed at
// that commit (DESIGN §4.2). A config that does not parse is not an error here: the execution is still created
// and fails at once with the file:line:column message, so the user sees why. The file is the Pipeline's
// configPath; with the default (.devops.yml) a Rancher user's .rancher-pipeline.yml is found too, and its
// warnings (what Rancher ignored) go with the execution.
import { MAX_CONFIG_WARNINGS, type Pipeline, type PipelineExecutionSpec, type PipelineExecutionStatus } from '@keelson/crds';
import { GitSourceError, type ConfigSource } from '@keelson/git-source';
import { CONFIG_FILE_NAMES, formatIssue, parsePipelineConfig, type ConfigWarning } from '@keelson/pipeline-config';
import { KubeClient } from '@keelson/kube';
import { STRICT_OUTBOUND_POLICY, type OutboundPolicy } from '@keelson/outbound';
import { ExecutionError } from './execution.errors';
import { CredentialUnavailableError, repositoryReadCredentials } from './git-auth';

export type RunTarget = { branch: string; commit?: string } | { commit: string; branch?: string };

export interface PrepareOptions {
  /** Where to read: a fork pull request's own repository instead of the pipeline's. */
  repositoryUrl?: string;
  /** Read without the pipeline's credential: a fork is someone else's repository (ADR 0004). */
  anonymous?: boolean;
}

export type ConfigWarningRecords = NonNullable<PipelineExecutionStatus['configWarnings']>;

export interface PreparedExecution {
  spec: Pick<PipelineExecutionSpec, 'commit' | 'branch' | 'ref' | 'repositoryUrl' | 'configPath' | 'config'>;
  /** Set when the config is missing or invalid: the execution fails at once with this message. */
  configError?: string;
  /** What the file says that runs but deserves a look (Rancher files only), for the execution's status. */
  configWarnings?: ConfigWarningRecords;
}

/** Pipelines made without a path name this one; it means "the usual names, in order". */
const DEFAULT_CONFIG_PATH = CONFIG_FILE_NAMES[0];

export class ExecutionPreparer {
  /** `outbound` must be the policy the source checks addresses with; here it decides whether a token may go over plain http. */
  constructor(private readonly kube: KubeClient, private readonly source: ConfigSource, private readonly outbound: OutboundPolicy = STRICT_OUTBOUND_POLICY) {}

  async prepare(pipeline: Pipeline, target: RunTarget, options: PrepareOptions = {}): Promise<PreparedExecution> {
    const repositoryUrl = options.repositoryUrl ?? pipeline.spec.repositoryUrl;
    const configured = pipeline.spec.configPath ?? DEFAULT_CONFIG_PATH;
    const candidates: readonly string[] = configured === DEFAULT_CONFIG_PATH ? CONFIG_FILE_NAMES : [configured];
    try {
      // The credential's binding to its provider is checked here, before git connects to anything.
      const auth = await repositoryReadCredentials(this.kube, pipeline, repositoryUrl, options, this.outbound);
      const commit = await this.source.resolveCommit(repositoryUrl, target.commit ? { commit: target.commit } : { branch: target.branch! }, auth);
      const branch = target.branch;
      const where = { commit, repositoryUrl, ...(branch ? { branch, ref: `refs/heads/${branch}` } : {}) };
      const found = await this.source.readFirstFile(repositoryUrl, commit, candidates, auth);
      if (!found) return { spec: { ...where, configPath: configured }, configError: `${candidates.join(', ')}: not found at commit ${commit}` };
      const spec: PreparedExecution['spec'] = { ...where, configPath: found.path };
      const parsed = parsePipelineConfig(found.text, { file: found.path });
      const warnings = parsed.warnings.length ? { configWarnings: warningRecords(parsed.warnings) } : {};
      if (!parsed.ok) return { spec, configError: parsed.issues.map(formatIssue).join('\n').slice(0, 1024), ...warnings };
      return { spec: { ...spec, config: parsed.config as unknown as Record<string, unknown> }, ...warnings };
    } catch (err) {
      throw translateGitError(err);
    }
  }
}

/** Within the status's bounds: the last record says how many more there were (`keelson lint` prints them all). */
export function warningRecords(warnings: readonly ConfigWarning[]): ConfigWarningRecords {
  const record = (w: ConfigWarning) => ({ file: w.file.slice(0, 1024), line: w.line, column: w.column, message: w.message.slice(0, 1024) });
  if (warnings.length <= MAX_CONFIG_WARNINGS) return warnings.map(record);
  const kept = warnings.slice(0, MAX_CONFIG_WARNINGS - 1).map(record);
  const next = warnings[MAX_CONFIG_WARNINGS - 1];
  const more = warnings.length - kept.length;
  return [...kept, { ...record(next), message: `and ${more} more warnings from here on; keelson lint ${next.file} lists them all`.slice(0, 1024) }];
}

/** A git or credential failure as the ExecutionError the API answers with (shared with ExecutionConfigReader). */
export function translateGitError(err: unknown): unknown {
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
