// Commit statuses through the pipeline's own credential: the CommitStatusReporter port over libs/scm, which
// turns our states into the provider's words and limits. A pipeline without a credential of its repository's
// provider has nobody to report as: that is final, not retried.
import type { PipelineExecution } from '@keelson/crds';
import { Keelson, KubeClient } from '@keelson/kube';
import { ScmError } from '@keelson/scm';
import type { CommitState, CommitStatusDetails, CommitStatusReporter } from '../reporting/commit-status.port';
import { ScmAccess, ScmUnavailableError } from './scm-access';

/** A failure no retry fixes; the report processor records it once. */
class FinalReportError extends Error {
  readonly retryable = false;
}

export class ScmCommitStatusReporter implements CommitStatusReporter {
  constructor(private readonly kube: KubeClient, private readonly access: ScmAccess) {}

  async report(execution: PipelineExecution, state: CommitState, details: CommitStatusDetails): Promise<void> {
    const namespace = execution.metadata.namespace!;
    const commit = execution.spec.commit;
    if (!commit) throw new FinalReportError(`execution ${execution.metadata.name} has no commit to report on`);
    const pipeline = await this.kube.resource(Keelson.Pipeline).find(namespace, execution.spec.pipelineRef.name);
    if (!pipeline) throw new FinalReportError(`pipeline ${namespace}/${execution.spec.pipelineRef.name} is gone`);
    try {
      const session = await this.access.forPipeline(pipeline);
      if (!session) throw new FinalReportError(`pipeline ${namespace}/${pipeline.metadata.name} has no credential of its repository's provider (spec.credentialRef)`);
      await session.client.setCommitStatus(session.token, session.repo, commit, { state, ...details });
    } catch (err) {
      if (err instanceof ScmUnavailableError) throw new FinalReportError(err.message);
      // Rate limits, outages and timeouts retry; a refused token or a missing repository does not.
      if (err instanceof ScmError && !err.retryable) throw new FinalReportError(err.message);
      throw err;
    }
  }
}
