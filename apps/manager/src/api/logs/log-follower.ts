// Following a step's log (issue 12 §2): the bytes after `start` as they are stored, cut into whole lines, each piece
// with the byte offset just after it, so a reader that comes back with that offset continues exactly there, with no
// line lost or doubled. Live chunks and the sealed log answer through the same store reads, so a reader never knows
// which it got. Where the pieces go is the sink's business: the logs route frames them as its own SSE stream
// (log-response-sink.ts), the events route as LOG frames on the tab's one stream (log-event-sink.ts).
import { isLogUnavailable, type MinioLogStore, type StepLogRef } from '@keelson/logs';
import type { LogEvents } from '../../logs/log-events';

/** Where a followed log goes. Each call resolves once the reader may take more: false when it went away. */
export interface LogSink {
  /** Whole lines (or a piece of an overlong line, cut at a character boundary) ending at byte `offset`. */
  text(text: string, offset: number): Promise<boolean>;
  /** The store does not answer now; the follow waits for it. */
  unavailable(): Promise<boolean>;
  /** Nothing more will come: the log is sealed (`complete` unless partial), or the step will never have one. */
  end(offset: number, size: number, complete: boolean): Promise<void>;
  readonly closed: boolean;
  /** Called once when the reader goes away (at once if it is gone). */
  onClose(handler: () => void): void;
}

export interface FollowOptions {
  /** How often the store is looked at without a wake-up from this process' archiver (other replicas). */
  pollMs?: number;
  /** Asked now and then: true once the step will never get a (sealed) log, e.g. skipped, or given up. */
  stepAbandoned(): Promise<boolean>;
  /**
   * Asks the execution's sync job to run now (at most every `nudgeMs`) while the step is live: a followed step is
   * read from Jenkins at that pace instead of the sync loop's backed-off one.
   */
  nudge?: () => Promise<void>;
  nudgeMs?: number;
}

/** Events are cut at line ends; a line longer than this is sent in pieces cut at character boundaries. */
const MAX_EVENT_BYTES = 256 * 1024;

/** Follows until the log ends or the sink closes; throws what the store throws, unavailability aside. */
export async function followLog(sink: LogSink, store: MinioLogStore, events: LogEvents | undefined, ref: StepLogRef, start: number, options: FollowOptions): Promise<void> {
  let wake: (() => void) | undefined;
  /** A wake-up that came while the loop was reading or sending: the next wait is skipped, not the chunk. */
  let woken = false;
  const nudge = () => {
    if (wake) wake();
    else woken = true;
  };
  sink.onClose(nudge);
  const unwatch = events?.watch(ref, nudge);
  let at = start;
  /** Bytes after `at` read but not sent yet: the start of a line whose end has not been stored. */
  let pending: Buffer = Buffer.alloc(0);
  let lastCheck = Date.now();
  let lastNudge = 0;
  const nudgeMs = options.nudgeMs ?? 250;
  try {
    while (!sink.closed) {
      woken = false;
      let sealed: { size: number; partial: boolean } | undefined;
      try {
        const view = await store.view(ref);
        sealed = view.sealed;
        for await (const buf of store.read(ref, at + pending.length, view.size)) {
          pending = pending.length === 0 ? buf : Buffer.concat([pending, buf]);
          const cut = sendable(pending);
          if (cut > 0) {
            if (!(await sink.text(pending.subarray(0, cut).toString('utf8'), at + cut))) return;
            at += cut;
            pending = pending.subarray(cut);
          }
        }
        // The sealed log may end without a newline: its last line goes too.
        if (sealed && pending.length > 0 && at + pending.length >= sealed.size) {
          if (!(await sink.text(pending.toString('utf8'), at + pending.length))) return;
          at += pending.length;
          pending = Buffer.alloc(0);
        }
      } catch (err) {
        if (!isLogUnavailable(err)) throw err;
        if (!(await sink.unavailable())) return;
      }
      if (sealed && at >= sealed.size) {
        await sink.end(at, sealed.size, !sealed.partial);
        return;
      }
      if (options.nudge && Date.now() - lastNudge >= nudgeMs) {
        lastNudge = Date.now();
        options.nudge().catch(() => undefined); // best effort: the sync job's own polls go on regardless
      }
      if (Date.now() - lastCheck > 5_000) {
        lastCheck = Date.now();
        if (await options.stepAbandoned()) {
          await sink.end(at, at, false);
          return;
        }
      }
      if (sink.closed) return;
      if (woken) {
        woken = false;
        continue;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, options.nudge ? Math.min(options.pollMs ?? 1_000, nudgeMs) : options.pollMs ?? 1_000);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
    }
  } finally {
    unwatch?.();
  }
}

/** How many bytes of `pending` make whole lines (or, for an overlong line, whole characters). */
function sendable(pending: Buffer): number {
  const newline = pending.lastIndexOf(0x0a);
  if (newline >= 0) return newline + 1;
  if (pending.length < MAX_EVENT_BYTES) return 0;
  let cut = MAX_EVENT_BYTES;
  while (cut > 0 && (pending[cut] & 0xc0) === 0x80) cut--; // not inside a UTF-8 sequence
  return cut;
}
