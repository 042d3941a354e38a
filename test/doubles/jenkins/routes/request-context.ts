// What a route handler gets: the exchange, the addressed instance and its auth, and the double's settings.
import type { InstanceAuth } from '../http/auth';
import { HttpError, type Exchange } from '../http/exchange';
import type { Router } from '../http/router';
import type { Build } from '../model/build';
import type { JenkinsInstance } from '../model/jenkins-instance';
import type { Job } from '../model/job';
import type { ViewContext } from '../views/view-context';

export interface RequestContext {
  x: Exchange;
  instance: JenkinsInstance;
  auth: InstanceAuth;
  /** The default quiet period of jobs, in seconds (Jenkins: 5). */
  quietPeriodSeconds: number;
  version: string;
  view(): ViewContext;
}

export type JenkinsRouter = Router<RequestContext>;

export function jobOf(c: RequestContext, name: string): Job {
  const job = c.instance.jobs.get(name);
  if (!job) throw new HttpError(404, 'Not Found');
  return job;
}

/** `{build}` in a path: a number, or one of Jenkins' permalinks. */
export function buildOf(c: RequestContext, job: Job, ref: string): Build {
  const runs = job.runs();
  const permalinks: Record<string, Build | undefined> = {
    lastBuild: runs[0],
    lastCompletedBuild: runs.find((r) => !r.building),
    lastSuccessfulBuild: runs.find((r) => r.result === 'SUCCESS' || r.result === 'UNSTABLE'),
    lastFailedBuild: runs.find((r) => r.result === 'FAILURE'),
  };
  const build = /^\d+$/.test(ref) ? job.builds.get(Number(ref)) : permalinks[ref];
  if (!build) throw new HttpError(404, 'Not Found');
  return build;
}
