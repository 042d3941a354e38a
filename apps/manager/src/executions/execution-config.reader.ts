// The pipeline file a run read, at its commit, for the console's config page (issue 14 §1). The text is not in the
// execution (spec.config is the parsed snapshot), so it is read again from git: through the same ConfigSource,
// with the same credentials (repositoryReadCredentials) and outbound policy as when the run was prepared, so a
// caller who may read the execution sees exactly the file the run saw, and a fork's file is read anonymously.
// Errors and warnings come back with their line and column, so the page can link each to its line.
import type { Pipeline, PipelineExecution } from '@keelson/crds';
import { GitSourceError, type ConfigSource } from '@keelson/git-source';
import { Keelson, KubeClient } from '@keelson/kube';
import { DEFAULT_PARSE_LIMITS, parsePipelineConfig } from '@keelson/pipeline-config';
import type { OutboundPolicy } from '@keelson/outbound';
import { ExecutionError } from './execution.errors';
import { translateGitError } from './execution-preparer';
import { repositoryReadCredentials } from './git-auth';

/** The largest file shown: what the parser reads at most, so nothing larger can have run. */
export const MAX_CONFIG_TEXT_BYTES = DEFAULT_PARSE_LIMITS.maxBytes;

/** A place in the file and what is said about it. */
export interface ConfigMessage {
  line: number;
  column: number;
  message: string;
}

export interface ExecutionConfigText {
  /** The file's path in the repository (`.devops.yml`, or the Rancher file the run read). */
  path: string;
  commit: string;
  text: string;
  /** What runs but deserves a look: the run's own records (status.configWarnings) when it has them. */
  warnings: ConfigMessage[];
  /** Why the file does not compile, as the parser says now; empty for a file that compiles. */
  errors: ConfigMessage[];
}

/** How long a failed read is answered from memory: a reader who retries (or loops) does not make git fetch again. */
export const FAILED_READ_MEMORY_MS = 60_000;

export class ExecutionConfigReader {
  /** Reads under way and failures of the last minute, by repository, commit, path and whether a token is sent. */
  private readonly reads = new Map<string, { text: Promise<string | undefined>; failedAt?: number }>();

  constructor(
    private readonly kube: KubeClient, private readonly source: ConfigSource, private readonly outbound: OutboundPolicy,
    private readonly clock: () => number = Date.now,
  ) {}

  async read(namespace: string, name: string): Promise<ExecutionConfigText> {
    const exe = await this.kube.resource(Keelson.PipelineExecution).find(namespace, name);
    if (!exe) throw new ExecutionError('ExecutionNotFound', `execution ${namespace}/${name} not found`);
    const { commit, configPath: path } = exe.spec;
    if (!commit || !path) throw new ExecutionError('ConfigNotFound', `execution ${namespace}/${name} recorded no commit or pipeline file`);
    const pipelineName = exe.spec.pipelineRef.name;
    const pipeline = await this.kube.resource(Keelson.Pipeline).find(namespace, pipelineName);
    // Without the pipeline there is no credential to read with, and no say on whether one may be used.
    if (!pipeline) throw new ExecutionError('PipelineNotFound', `pipeline ${namespace}/${pipelineName} of execution ${name} not found: its file is read with the pipeline's credential`);
    const text = await this.readText(pipeline, exe, commit, path);
    if (text === undefined) throw new ExecutionError('ConfigNotFound', `${path}: not found at commit ${commit} (the repository no longer has it)`);
    if (Buffer.byteLength(text, 'utf8') > MAX_CONFIG_TEXT_BYTES) {
      throw new ExecutionError('ConfigTooLarge', `${path} at commit ${commit} is larger than ${MAX_CONFIG_TEXT_BYTES} bytes, more than a pipeline file may be`);
    }
    const parsed = parsePipelineConfig(text, { file: path });
    const recorded = exe.status?.configWarnings;
    return {
      path, commit, text,
      warnings: (recorded ?? parsed.warnings).map(located),
      errors: parsed.ok ? [] : parsed.issues.map(located),
    };
  }

  private async readText(pipeline: Pipeline, exe: PipelineExecution, commit: string, path: string): Promise<string | undefined> {
    const repositoryUrl = exe.spec.repositoryUrl ?? pipeline.spec.repositoryUrl;
    try {
      // The pipeline's credential today is for the repository it names today: a run of another repository (a fork's,
      // or the pipeline's before it was pointed elsewhere) is read without it.
      const anonymous = exe.spec.fork || repositoryUrl !== pipeline.spec.repositoryUrl;
      const auth = await repositoryReadCredentials(this.kube, pipeline, repositoryUrl, { anonymous }, this.outbound);
      return await this.readOnce(`${repositoryUrl}\n${commit}\n${path}\n${auth ? 'token' : 'anonymous'}`, () => this.source.readFile(repositoryUrl, commit, path, auth));
    } catch (err) {
      if (err instanceof GitSourceError && err.code === 'FileTooLarge') {
        throw new ExecutionError('ConfigTooLarge', `${path} at commit ${commit}: ${err.message}`, false, { cause: err });
      }
      if (err instanceof GitSourceError && (err.code === 'RepositoryNotFound' || err.code === 'CommitNotFound')) {
        throw new ExecutionError('ConfigNotFound', `${path} at commit ${commit}: ${err.message}`, false, { cause: err });
      }
      const translated = translateGitError(err);
      // Here the repository is the upstream of the answer: a gateway failure (502), not the manager's (503).
      if (translated instanceof ExecutionError && translated.code === 'RepositoryUnavailable') {
        throw new ExecutionError('RepositoryUnreachable', translated.message, true, { cause: err });
      }
      throw translated;
    }
  }

  /**
   * One git read per key at a time, and a failure is kept for FAILED_READ_MEMORY_MS: anyone who may read a run
   * could otherwise keep the manager fetching with the pipeline's token (the ConfigSource caches successes only).
   */
  private readOnce(key: string, read: () => Promise<string | undefined>): Promise<string | undefined> {
    const now = this.clock();
    for (const [k, r] of this.reads) if (r.failedAt !== undefined && now - r.failedAt >= FAILED_READ_MEMORY_MS) this.reads.delete(k);
    const known = this.reads.get(key);
    if (known) return known.text;
    const entry: { text: Promise<string | undefined>; failedAt?: number } = { text: read() };
    this.reads.set(key, entry);
    entry.text.then(() => this.reads.delete(key), () => { entry.failedAt = this.clock(); });
    return entry.text;
  }
}

function located(m: { line: number; column: number; message: string }): ConfigMessage {
  return { line: m.line, column: m.column, message: m.message };
}
