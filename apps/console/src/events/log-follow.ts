// A step's log carried on the tab's one event stream (GET /api/v1/events?log=…&logFrom=…, docs/logs.md): the
// frames the server sends for it and what a follower hears. Log frames have no id, so Last-Event-ID stays the
// resources' position; the stream asks for the log again from the bytes received (logFrom) when it reconnects.
import type { ApiError } from '../api/problem';
import type { StreamState } from './event-stream';

export interface FollowedStep {
  ns: string;
  name: string;
  stage: number;
  step: number;
}

export interface LogFollowHandler {
  /** Whole lines; `offset` is the byte after them (where a reconnect resumes). */
  onText(text: string, offset: number): void;
  /** The log store does not answer now; the server waits for it. */
  onUnavailable(): void;
  /** Nothing more will come: sealed (`complete` unless partial), or the step will never have a log. */
  onEnd(end: { size: number; complete: boolean }): void;
  /** The server refused to follow this step (400, 403, 404): the stream goes on without it. */
  onRefused(err: ApiError): void;
  /** The tab's stream opened, paused (hidden tab), or is retrying after a drop. */
  onStreamState?(state: StreamState, detail?: string): void;
}

/** What a StepLogStore needs of the tab's stream. */
export interface LogFollower {
  /** Follows one step from byte `from` (replacing any other follow: one stream, one log); returns the unfollow. */
  followLog(step: FollowedStep, from: number, handler: LogFollowHandler): () => void;
}

export const LOG_EVENTS: ReadonlySet<string> = new Set(['LOG', 'LOG_UNAVAILABLE', 'LOG_END']);

/** The `log` query value naming the step. */
export function logParam(step: FollowedStep): string {
  return `${step.ns}/${step.name}/${step.stage}/${step.step}`;
}
