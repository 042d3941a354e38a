// What Keelson takes from a provider's webhook delivery, the same shape for every provider, so that trigger
// matching, deduplication and execution creation never look at a provider's payload.

export type WebhookProvider = 'github' | 'gitlab' | 'gitea' | 'bitbucket';

/** A repository as the delivery names it. `id` is the provider's own identity, when it sends one. */
export interface EventRepository {
  id?: string;
  fullName: string;
  /** Every URL the payload gives for it (clone, ssh, web), to compare with the Pipeline's repository. */
  urls: string[];
  /** The https clone URL, when known. */
  cloneUrl?: string;
}

export interface EventCommitInfo {
  author?: { name?: string; email?: string; avatarUrl?: string };
  /** First line of the commit message, or the pull request's title. */
  title?: string;
  message?: string;
  htmlUrl?: string;
}

/** A delivery that may start a run. */
export interface RunEvent extends EventCommitInfo {
  kind: 'push' | 'tag' | 'pull_request';
  repository: EventRepository;
  /** Full ref that runs: refs/heads/B, refs/tags/T, or the provider's pull request ref. */
  ref: string;
  branch?: string;
  tag?: string;
  /** Full SHA; a Bitbucket pull request says only 12 characters, kept in `shortCommit` instead. */
  commit?: string;
  shortCommit?: string;
  pullRequest?: {
    number: number;
    /** The branch it merges into: the filter of the pullRequest trigger matches this. */
    targetBranch: string;
    sourceBranch: string;
    /** From another repository than the pipeline's: no secrets, no cache writes (ADR 0004). */
    fork: boolean;
    source: EventRepository;
  };
}

/** A delivery that is answered 2xx and recorded, but starts nothing. */
export interface IgnoredEvent {
  kind: 'ignored';
  reason: string;
  repository?: EventRepository;
}

export type WebhookEvent = RunEvent | IgnoredEvent;

/** Thrown for a delivery that is malformed: answered 400 with the message, nothing created. */
export class WebhookPayloadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookPayloadError';
  }
}
