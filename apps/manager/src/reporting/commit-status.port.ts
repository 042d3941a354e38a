// The port through which Keelson tells a git provider how a webhook run of a commit is going. The scm adapter
// (libs/scm's `ScmClient.setCommitStatus`) implements it and maps these states onto each provider's words
// (GitHub has no `running` or `cancelled`, GitLab no `error`, Bitbucket uses INPROGRESS/SUCCESSFUL/FAILED/STOPPED)
// and length limits (GitHub: description ≤ 140 characters), see reference/providers-api.md §0.1.
import type { PipelineExecution } from '@keelson/crds';

export const COMMIT_STATES = ['pending', 'running', 'success', 'failure', 'cancelled', 'error'] as const;
export type CommitState = (typeof COMMIT_STATES)[number];

export interface CommitStatusDetails {
  /** `<CONSOLE_URL>/p/<ns>/pipelines/<p>/runs/<name>` (the console's run page); absent when no console URL is configured. */
  targetUrl?: string;
  /** One line, at most 140 characters (GitHub's limit, the tightest). */
  description: string;
  /** `keelson/<pipeline>`: one status line per pipeline on the commit, the latest state winning. */
  context: string;
}

export interface CommitStatusReporter {
  /**
   * Sets the status of `execution.spec.commit` in the execution's repository. Throws to be retried with backoff;
   * an error with `retryable: false` is final (a refused credential, a repository that is gone).
   */
  report(execution: PipelineExecution, state: CommitState, details: CommitStatusDetails): Promise<void>;
}

export const COMMIT_STATUS_REPORTER = Symbol('CommitStatusReporter');
