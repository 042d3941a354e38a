// Keelson's commit states in each provider's words, and its text cut to each provider's limits
// (reference providers-api.md §0.1, §1.7, §2.7, §3.7, §4.7).
import { createHash } from 'node:crypto';
import type { CommitState } from '../scm.port';

/** GitHub has no running or cancelled: running is still pending, cancelled is an error (not a failure of the code). */
export const GITHUB_STATES: Record<CommitState, 'pending' | 'success' | 'failure' | 'error'> = {
  pending: 'pending', running: 'pending', success: 'success', failure: 'failure', cancelled: 'error', error: 'error',
};

/** GitLab has no error: an error fails the commit's pipeline status. */
export const GITLAB_STATES: Record<CommitState, 'pending' | 'running' | 'success' | 'failed' | 'canceled'> = {
  pending: 'pending', running: 'running', success: 'success', failure: 'failed', cancelled: 'canceled', error: 'failed',
};

/** Gitea/Forgejo: pending, success, error, failure, warning (skipped only in new Gitea); no running, no cancelled. */
export const GITEA_STATES: Record<CommitState, 'pending' | 'success' | 'failure' | 'error'> = {
  pending: 'pending', running: 'pending', success: 'success', failure: 'failure', cancelled: 'error', error: 'error',
};

export const BITBUCKET_STATES: Record<CommitState, 'INPROGRESS' | 'SUCCESSFUL' | 'FAILED' | 'STOPPED'> = {
  pending: 'INPROGRESS', running: 'INPROGRESS', success: 'SUCCESSFUL', failure: 'FAILED', cancelled: 'STOPPED', error: 'FAILED',
};

/** GitHub answers 422 to a description over 140 characters. */
export const GITHUB_DESCRIPTION_LIMIT = 140;
/** GitLab caps description, target_url and ref at 255 characters. */
export const GITLAB_TEXT_LIMIT = 255;
/** Bitbucket Cloud's limits are not documented; 255 is the common column width and keeps a status readable. */
export const BITBUCKET_DESCRIPTION_LIMIT = 255;
/** Bitbucket's build status key is at most 40 characters. */
export const BITBUCKET_KEY_LIMIT = 40;

/** The text, cut to `limit` characters (code points, so no half surrogate pair) with an ellipsis when cut. */
export function truncate(text: string, limit: number): string {
  const chars = Array.from(text);
  if (chars.length <= limit) return text;
  return `${chars.slice(0, limit - 1).join('')}…`;
}

/**
 * A Bitbucket status key for a context: the context itself when it fits, else a readable prefix and a hash of
 * the whole, so two long contexts that share a prefix still get different keys, and the same context always
 * the same key (a later status replaces the earlier one).
 */
export function bitbucketKey(context: string): string {
  if (context.length <= BITBUCKET_KEY_LIMIT) return context;
  const hash = createHash('sha256').update(context).digest('hex').slice(0, 16);
  return `${context.slice(0, BITBUCKET_KEY_LIMIT - hash.length - 1)}-${hash}`;
}
