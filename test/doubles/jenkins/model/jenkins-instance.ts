// One Jenkins (one data-plane namespace): jobs, queue, builds, credentials and web sessions. The HTTP routes
// call these operations; the double's fault controls reach in through them too.
import type { Logger } from '@keelson/observability';
import { Build, type BuildCause } from './build';
import { BuildQueue, type QueueItem } from './build-queue';
import { CredentialStore } from './credential-store';
import { Job, type ParameterValue } from './job';
import { BuildRunner, type BuildRunnerEnv } from '../runner/build-runner';
import { Interrupted } from '../runner/interrupt-scope';

export interface InstanceEnv extends BuildRunnerEnv {
  /** Queue ids are unique per Jenkins and survive a restart. */
  nextQueueId(): number;
  rootUrl(instance: string): string;
  logger: Logger;
}

export class JenkinsInstance {
  readonly jobs = new Map<string, Job>();
  readonly credentials = new CredentialStore();
  readonly queue: BuildQueue;
  private readonly runs = new Set<Promise<void>>();

  constructor(readonly name: string, private readonly env: InstanceEnv) {
    this.queue = new BuildQueue(env.clock, env.nextQueueId, () => this.dispatch());
  }

  createJob(name: string, xml: string): Job {
    const job = new Job(name, xml);
    this.jobs.set(name, job);
    return job;
  }

  deleteJob(job: Job, by: string): void {
    this.queue.cancelJob(job.name);
    for (const b of job.builds.values()) if (b.building) this.stop(b, by);
    this.jobs.delete(job.name);
  }

  schedule(job: Job, params: ParameterValue[], quietMs: number, cause: BuildCause): { item: QueueItem; created: boolean } {
    const scheduled = this.queue.schedule(job.name, params, quietMs, cause);
    if (quietMs <= 0) this.dispatch();
    return scheduled;
  }

  /** Buildable items start at once (pipelines are flyweight tasks), unless builds are stalled. */
  dispatch(): void {
    if (this.env.gate.holdsQueue) return;
    for (const item of this.queue.live()) {
      if (item.state === 'waiting' && item.dueAt <= this.env.clock.now()) {
        item.state = 'buildable';
        item.buildableSince = this.env.clock.now();
      }
      if (item.state !== 'buildable') continue;
      const job = this.jobs.get(item.job);
      if (!job) {
        this.queue.cancel(item);
        continue;
      }
      this.start(job, item);
    }
  }

  private start(job: Job, item: QueueItem): void {
    const number = job.nextBuildNumber++;
    const build = new Build(job.name, number, item.id, item.params, item.cause, item.inQueueSince, this.env.clock.now());
    job.builds.set(number, build);
    this.queue.leave(item, { buildNumber: number });
    const runner = new BuildRunner(build, job.config.script, this.env.rootUrl(this.name), this.env);
    const run = runner.run().catch((err) => {
      this.env.logger.error({ err: (err as Error).message, job: job.name, build: number }, 'build runner crashed');
    });
    this.runs.add(run);
    void run.finally(() => this.runs.delete(run));
  }

  /** Stop (and term, kill): the run is interrupted and ends ABORTED. */
  stop(build: Build, by: string): void {
    if (!build.building || build.scope.interrupted) return;
    build.log.line(`Aborted by ${by}`);
    build.scope.interrupt(new Interrupted(`Aborted by ${by}`, 'stopped'));
  }

  /** The build vanishes, as if Jenkins lost its record; its runner stops quietly. */
  lose(job: Job, number: number): boolean {
    const build = job.builds.get(number);
    if (!build) return false;
    job.builds.delete(number);
    build.scope.interrupt(new Interrupted('lost', 'lost'));
    return true;
  }

  /** Jenkins restarted: the queue is gone; running builds resume, or are lost too. */
  restart(loseRunningBuilds: boolean): void {
    this.queue.forget();
    if (!loseRunningBuilds) return;
    for (const job of this.jobs.values()) {
      for (const b of [...job.builds.values()]) if (b.building) this.lose(job, b.number);
    }
  }

  builds(): Build[] {
    return [...this.jobs.values()].flatMap((j) => j.runs().reverse());
  }

  /** Waits for every runner to end (after stopping them, on shutdown). */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.runs]);
  }
}
