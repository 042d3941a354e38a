// One watch over Server-Sent Events: the changes after where the client stands (Last-Event-ID or resourceVersion),
// then every new one, each filtered (kind, namespace, labels) and authorised before it is sent. Events go out in
// the order the informers saw them, one at a time, waiting for the socket when it is full; a client that falls
// more than `maxPending` changes behind is disconnected (it resumes from its last id), never buffered forever.
// Every heartbeat re-checks the caller's access, so a revoked RoleBinding or an expired token ends the stream.
import type { ChangeType, EventRing, ResourceChange } from './event-ring';
import type { SseStream } from './sse-stream';

export interface WatchSessionOptions {
  ring: EventRing;
  stream: SseStream;
  /** The id to resume after; undefined starts from now. */
  resumeFrom?: string;
  /** What the change looks like to this watch: the event type to send, or undefined to skip it. */
  select(change: ResourceChange): ChangeType | undefined;
  /** Whether the caller may see this change (its kind in its namespace); may ask the apiserver. */
  authorize(change: ResourceChange): boolean | Promise<boolean>;
  /** Throws a WatchEnd when the caller lost the access the stream was opened with. */
  recheck(): Promise<void>;
  /** The object as the answer shows it (or its JSON, serialised once for every watch). */
  present(change: ResourceChange): unknown;
  /** Sent first, as the data of the SUBSCRIBED event (what is watched, what was left out). */
  subscribed: Record<string, unknown>;
  heartbeatMs: number;
  maxPending: number;
  /** Bytes the socket may hold unsent before the client counts as gone. */
  maxBufferedBytes: number;
  onEnd?(reason: string): void;
}

/** Why a stream ends, sent to the client as a Kubernetes-style Status in an ERROR event. */
export class WatchEnd extends Error {
  constructor(readonly code: number, readonly reason: string, message: string) {
    super(message);
  }
}

export class WatchSession {
  private replay: ResourceChange[] = [];
  private replayAt = 0;
  private readonly pending: ResourceChange[] = [];
  private busy = false;
  private unsubscribe?: () => void;
  private timer?: NodeJS.Timeout;
  /** The id of the last change this watch looked at, sent or not: where a bookmark may say it stands. */
  private position = '';
  private lastSentId = '';
  private finished = false;

  constructor(private readonly o: WatchSessionOptions) {}

  start(): void {
    const { ring, stream } = this.o;
    stream.onClose(() => this.finish('client closed'));
    stream.open();
    if (this.o.resumeFrom !== undefined) {
      const resume = ring.since(this.o.resumeFrom);
      if ('expired' in resume) {
        this.end(new WatchEnd(410, 'Expired', `resourceVersion ${this.o.resumeFrom} is too old to resume from: list again and watch from the list's resourceVersion`));
        return;
      }
      this.replay = resume.changes;
    }
    this.unsubscribe = ring.subscribe((change) => this.enqueue(change));
    this.position = this.o.resumeFrom ?? ring.currentId();
    this.write({ id: this.position, event: 'SUBSCRIBED', data: { ...this.o.subscribed, resourceVersion: this.position } });
    this.timer = setInterval(() => void this.tick(), this.o.heartbeatMs);
    void this.pump();
  }

  private enqueue(change: ResourceChange): void {
    if (this.finished) return;
    this.pending.push(change);
    if (this.pending.length > this.o.maxPending) {
      this.drop(`more than ${this.o.maxPending} changes waiting`);
      return;
    }
    void this.pump();
  }

  private next(): ResourceChange | undefined {
    if (this.replayAt < this.replay.length) return this.replay[this.replayAt++];
    this.replay = [];
    return this.pending.shift();
  }

  private async pump(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      for (let change = this.next(); change && !this.finished; change = this.next()) {
        const type = this.o.select(change);
        if (type) {
          let allowed = this.o.authorize(change);
          if (typeof allowed !== 'boolean') allowed = await allowed;
          if (this.finished) return;
          if (allowed && !this.write({ id: change.id, event: type, data: this.o.present(change) })) await this.o.stream.drained();
        }
        this.position = change.id;
      }
    } catch (err) {
      this.end(err instanceof WatchEnd ? err : new WatchEnd(503, 'ServiceUnavailable', 'the watch cannot go on; reconnect to resume'));
    } finally {
      this.busy = false;
    }
  }

  /** Every heartbeat: access still granted, a comment to keep proxies from closing an idle stream, a bookmark. */
  private async tick(): Promise<void> {
    try {
      await this.o.recheck();
    } catch (err) {
      this.end(err instanceof WatchEnd ? err : new WatchEnd(503, 'ServiceUnavailable', 'access cannot be checked now; reconnect to resume'));
      return;
    }
    if (this.finished) return;
    // A bookmark moves the client's Last-Event-ID past changes it was not shown, so a resume need not go back to them.
    if (!this.busy && this.pending.length === 0 && this.position !== this.lastSentId) {
      this.write({ id: this.position, event: 'BOOKMARK', data: { resourceVersion: this.position } });
    }
    this.o.stream.comment('heartbeat');
  }

  private write(frame: { id: string; event: string; data: unknown }): boolean {
    if (this.o.stream.buffered > this.o.maxBufferedBytes) {
      this.drop(`more than ${this.o.maxBufferedBytes} bytes unsent`);
      return true;
    }
    this.lastSentId = frame.id;
    return this.o.stream.send(frame);
  }

  /** Ends the stream with an ERROR event the client can act on (re-list, sign in again, retry). */
  end(why: WatchEnd): void {
    if (this.finished) return;
    this.o.stream.send({
      event: 'ERROR',
      data: { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: why.code, reason: why.reason, message: why.message },
    });
    this.finish(why.reason);
    this.o.stream.end();
  }

  /** A client that does not keep up: cut without a word (it cannot read one anyway). */
  private drop(reason: string): void {
    this.finish(reason);
    this.o.stream.destroy();
  }

  private finish(reason: string): void {
    if (this.finished) return;
    this.finished = true;
    this.unsubscribe?.();
    if (this.timer) clearInterval(this.timer);
    this.pending.length = 0;
    this.replay = [];
    this.o.onEnd?.(reason);
  }
}
