// What following a step's log needs besides the bytes, shared by the logs route (its own SSE stream) and the events
// route (LOG frames on the tab's one stream): the wake-ups of this process' archiver, a nudge to the execution's sync
// job while someone watches, and when to give up on a step that will never get a sealed log.
import { Inject, Injectable, Optional } from '@nestjs/common';
import type { MinioLogStore } from '@keelson/logs';
import type { DelayedJobQueue } from '@keelson/queue';
import { GIVEN_UP } from '../../logs/execution-log.archiver';
import type { LogEvents } from '../../logs/log-events';
import { LOG_EVENTS } from '../../logs/logs.tokens';
import { SYNC_QUEUE } from '../../pipelines/pipelines.tokens';
import { ExecutionLogsReader, type Execution, type StepOfRun } from './execution-logs.reader';
import { followLog, type FollowOptions, type LogSink } from './log-follower';
import type { StepSelector } from './log-request';

/** A step whose log can be followed: it exists, and so does its project's log store. */
export interface FollowableStep {
  exe: Execution;
  step: StepOfRun;
  store: MinioLogStore;
}

const TERMINAL: ReadonlySet<string> = new Set(['Succeeded', 'Failed', 'Aborted']);

@Injectable()
export class StepLogFollows {
  constructor(
    @Inject(ExecutionLogsReader) private readonly reader: ExecutionLogsReader,
    @Optional() @Inject(LOG_EVENTS) readonly events?: LogEvents,
    @Optional() @Inject(SYNC_QUEUE) private readonly syncQueue?: Pick<DelayedJobQueue<unknown>, 'nudge'>,
  ) {}

  /** The step, checked before a stream opens: a 404 problem for an execution, step or store that is not there. */
  async find(namespace: string, name: string, selector: StepSelector): Promise<FollowableStep> {
    const exe = await this.reader.execution(namespace, name);
    const step = this.reader.step(exe, selector);
    return { exe, step, store: await this.reader.store(exe) };
  }

  /** Follows the step's log from `start` into the sink until it ends or the sink closes. */
  follow(target: FollowableStep, sink: LogSink, start: number): Promise<void> {
    return followLog(sink, target.store, this.events, target.step.ref, start, this.options(target));
  }

  options({ exe, step }: FollowableStep): FollowOptions {
    const queue = this.syncQueue;
    return {
      stepAbandoned: () => this.abandoned(exe, step),
      ...(queue && { nudge: () => queue.nudge(exe.metadata.uid!) }),
    };
  }

  /** The step will never have a sealed log: it never ran and the run is over, or its log was given up or expired. */
  private async abandoned(exe: Execution, step: StepOfRun): Promise<boolean> {
    const now = await this.reader.execution(exe.metadata.namespace!, exe.metadata.name!).catch(() => undefined);
    if (!now || now.metadata.uid !== exe.metadata.uid) return true;
    const phase = now.status?.stages?.[step.ref.stage]?.steps[step.ref.step]?.phase;
    const log = now.status?.log;
    if (log?.state === 'Expired' || (log?.state === 'Partial' && log.reason?.startsWith(GIVEN_UP))) return true;
    return TERMINAL.has(now.status?.phase ?? '') && (phase === 'Pending' || phase === 'Skipped');
  }
}
