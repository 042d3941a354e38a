// Builds a RunEvent from what a parser read, checking every value that later reaches git or a resource name:
// a branch or tag as `git check-ref-format` would (no `..`, no leading `-`: scenario B9) and a full SHA.
import { branchNameProblem } from '@keelson/git-source';
import { WebhookPayloadError, type EventCommitInfo, type EventRepository, type RunEvent } from './webhook-event';

const FULL_SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
const SHORT_SHA = /^[0-9a-f]{7,64}$/;

export function checkRefName(what: 'branch' | 'tag', name: string, field: string): string {
  const problem = branchNameProblem(name);
  if (problem) throw new WebhookPayloadError(`field ${field}: ${what} ${JSON.stringify(name.slice(0, 200))} ${problem}`);
  return name;
}

export function checkSha(sha: string, field: string): string {
  const lower = sha.toLowerCase();
  if (!FULL_SHA.test(lower)) throw new WebhookPayloadError(`field ${field} is not a full commit SHA`);
  return lower;
}

export function checkShortSha(sha: string, field: string): string {
  const lower = sha.toLowerCase();
  if (!SHORT_SHA.test(lower)) throw new WebhookPayloadError(`field ${field} is not a commit SHA`);
  return lower;
}

/** A push of a branch or a tag, from its full ref (`refs/heads/…` or `refs/tags/…`). */
export function pushEvent(ref: string, field: string, commit: string, repository: EventRepository, info: EventCommitInfo): RunEvent | string {
  if (ref.startsWith('refs/heads/')) {
    const branch = checkRefName('branch', ref.slice('refs/heads/'.length), field);
    return { kind: 'push', ref, branch, commit, repository, ...info };
  }
  if (ref.startsWith('refs/tags/')) {
    const tag = checkRefName('tag', ref.slice('refs/tags/'.length), field);
    return { kind: 'tag', ref, tag, commit, repository, ...info };
  }
  return `ref ${JSON.stringify(ref.slice(0, 200))} is neither a branch nor a tag`;
}
