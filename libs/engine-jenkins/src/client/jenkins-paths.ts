// URL paths of Jenkins objects below the root. A job name may name a folder path (`team/web`): each segment
// becomes `/job/<segment>`, encoded, so no name can reach another URL.
import { JenkinsClientError } from './jenkins.errors';

function segments(job: string): string[] {
  const parts = job.split('/');
  if (parts.some((p) => p === '' || p === '.' || p === '..')) {
    throw new JenkinsClientError('InvalidInput', `job name ${JSON.stringify(job)} is not a Jenkins item path`);
  }
  return parts;
}

/** `/job/a/job/b` for `a/b`. */
export function jobPath(job: string): string {
  return segments(job).map((s) => `/job/${encodeURIComponent(s)}`).join('');
}

/** Where `createItem` is posted for this job, and the item's own name. */
export function createItemTarget(job: string): { parent: string; name: string } {
  const parts = segments(job);
  const name = parts.pop() as string;
  return { parent: parts.map((s) => `/job/${encodeURIComponent(s)}`).join(''), name };
}

/** The job's own name (a queue item's `task.name`). */
export function leafName(job: string): string {
  return segments(job).at(-1) as string;
}

export function buildPath(job: string, number: number): string {
  return `${jobPath(job)}/${number}`;
}

/** Queue item id from a `Location: <root>/queue/item/<id>/` header, absolute or relative. */
export function queueItemFromLocation(location: string | undefined): number | undefined {
  const match = location ? /\/queue\/item\/(\d+)\/?$/.exec(location) : null;
  return match ? Number(match[1]) : undefined;
}
