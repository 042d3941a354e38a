// A CommitStatusReporter for tests and local mode: it keeps what it was asked to report, and can be told to fail.
import type { PipelineExecution } from '@keelson/crds';
import type { CommitState, CommitStatusDetails, CommitStatusReporter } from '../commit-status.port';

export interface RecordedCommitStatus {
  execution: string;
  commit: string | undefined;
  state: CommitState;
  details: CommitStatusDetails;
}

export class RecordingCommitStatusReporter implements CommitStatusReporter {
  readonly reported: RecordedCommitStatus[] = [];
  /** Errors thrown by the next calls, one per call, before any is recorded. */
  readonly failures: Error[] = [];

  async report(execution: PipelineExecution, state: CommitState, details: CommitStatusDetails): Promise<void> {
    const failure = this.failures.shift();
    if (failure) throw failure;
    this.reported.push({ execution: `${execution.metadata.namespace}/${execution.metadata.name}`, commit: execution.spec.commit, state, details });
  }
}
