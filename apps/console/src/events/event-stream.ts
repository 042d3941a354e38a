// The tab's one event stream (console.md §6.2, T4): GET /api/v1/events over fetch. Closed while the tab is hidden
// (0 connections), resumed with Last-Event-ID when it shows again, reconnected with capped exponential backoff
// when it drops. Each change goes to the listener (cache-updates.ts writes it into TanStack Query's cache).
// A page showing a live step's log follows it on this same stream (followLog): one connection per tab still.
import { ApiError } from '../api/problem';
import { readSse } from './fetch-sse';
import { LOG_EVENTS, logParam, type FollowedStep, type LogFollowHandler, type LogFollower } from './log-follow';
import type { SseEvent } from './sse-parser';

export type StreamState = 'connecting' | 'open' | 'paused' | 'retrying' | 'stopped';

export interface EventStreamOptions {
  url: () => string;
  headers: () => Record<string, string>;
  onEvent: (e: SseEvent) => void;
  /** The resume point was lost (410 Expired, or a fresh start): everything cached may be stale. */
  onResync: () => void;
  onState?: (state: StreamState, detail?: string) => void;
  onUnauthenticated?: () => void;
  doc?: Pick<Document, 'hidden' | 'addEventListener' | 'removeEventListener'>;
  fetchFn?: typeof fetch;
  /** Backoff: base and cap in ms. */
  backoff?: { baseMs: number; maxMs: number };
  random?: () => number;
}

interface ActiveFollow {
  step: FollowedStep;
  /** The byte to resume at: the offset of the last LOG frame. */
  from: number;
  handler: LogFollowHandler;
  /** LOG_END came: the next connection leaves the log out. */
  ended: boolean;
}

/**
 * How long an unfollowed log keeps the connection as it is: the page that selects another step follows it within
 * this (after reading its index), so a switch is one reconnect, not two. Frames of the old step are dropped meanwhile.
 */
const UNFOLLOW_GRACE_MS = 3_000;

/** Answers that refuse the followed log, not the stream: the stream goes on without it. */
const LOG_REFUSALS = new Set([400, 403, 404]);

export class EventStream implements LogFollower {
  private lastEventId: string | undefined;
  private follow: ActiveFollow | undefined;
  private unfollowTimer: ReturnType<typeof setTimeout> | undefined;
  /** The read of the connection in flight, until it settles (an aborted one settles soon after the abort). */
  private reading: Promise<void> | undefined;
  private controller: AbortController | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private failures = 0;
  private running = false;
  private expired = false;
  private readonly doc: EventStreamOptions['doc'];
  state: StreamState = 'stopped';

  constructor(private readonly opts: EventStreamOptions) {
    this.doc = opts.doc ?? (typeof document === 'undefined' ? undefined : document);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.doc?.addEventListener('visibilitychange', this.onVisibility);
    if (this.doc?.hidden) this.setState('paused');
    else this.connect();
  }

  stop(): void {
    this.running = false;
    this.clearUnfollowTimer();
    this.doc?.removeEventListener('visibilitychange', this.onVisibility);
    this.disconnect();
    this.setState('stopped');
  }

  /**
   * Carries one step's log on the stream from byte `from`: the stream reconnects once with the log in its URL (the
   * resources resume by Last-Event-ID, nothing is refetched). Replaces any other follow. The returned unfollow
   * reconnects without it after UNFOLLOW_GRACE_MS, unless another follow came or the log already ended.
   */
  followLog(step: FollowedStep, from: number, handler: LogFollowHandler): () => void {
    const follow: ActiveFollow = { step, from, handler, ended: false };
    this.follow = follow;
    this.clearUnfollowTimer();
    handler.onStreamState?.(this.state);
    this.reconnectIfOpen();
    return () => {
      if (this.follow !== follow) return;
      this.follow = undefined;
      if (follow.ended) return;
      this.clearUnfollowTimer();
      this.unfollowTimer = setTimeout(() => {
        this.unfollowTimer = undefined;
        if (!this.follow) this.reconnectIfOpen();
      }, UNFOLLOW_GRACE_MS);
    };
  }

  /** The id the next connection resumes from. */
  get resumeId(): string | undefined {
    return this.lastEventId;
  }

  private readonly onVisibility = (): void => {
    if (!this.running) return;
    if (this.doc?.hidden) {
      this.disconnect();
      this.setState('paused');
    } else if (!this.controller) {
      this.failures = 0;
      this.connect();
    }
  };

  private clearUnfollowTimer(): void {
    if (this.unfollowTimer) clearTimeout(this.unfollowTimer);
    this.unfollowTimer = undefined;
  }

  /** A new URL takes effect now if a connection is open; a retry waiting out its backoff, or a hidden tab, picks it up. */
  private reconnectIfOpen(): void {
    if (this.running && !this.doc?.hidden && this.controller) this.connect();
  }

  private url(): string {
    const base = this.opts.url();
    const follow = this.follow;
    if (!follow || follow.ended) return base;
    return `${base}${base.includes('?') ? '&' : '?'}log=${encodeURIComponent(logParam(follow.step))}&logFrom=${follow.from}`;
  }

  private disconnect(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.controller?.abort();
    this.controller = undefined;
  }

  private connect(): void {
    this.disconnect();
    this.clearUnfollowTimer();
    const controller = new AbortController();
    this.controller = controller;
    this.setState(this.failures ? 'retrying' : 'connecting');
    const resumed = this.lastEventId !== undefined;
    const follow = this.follow?.ended ? undefined : this.follow;
    const open = () => readSse({
      url: this.url(), headers: this.opts.headers(), lastEventId: this.lastEventId, signal: controller.signal,
      fetchFn: this.opts.fetchFn,
      onOpen: () => {
        this.failures = 0;
        this.setState('open');
        // A first connection (no resume point) may have missed changes since the pages loaded.
        if (!resumed) this.opts.onResync();
      },
      onEvent: (e) => this.handle(e),
    });
    // A connection replaced (a log followed or let go) is let go before the next one opens, and a task later, so
    // the browser never holds two, not even for the moment of a switch (T4 counts them as the browser reports them).
    const previous = this.reading;
    const read = (previous ? previous.then(() => new Promise<void>((r) => setTimeout(r, 0))).then(() => (controller.signal.aborted ? undefined : open())) : open()).then(
      () => this.ended(controller),
      (err: unknown) => this.ended(controller, err, follow),
    );
    this.reading = read;
    void read.finally(() => {
      if (this.reading === read) this.reading = undefined;
    });
  }

  private handle(e: SseEvent): void {
    if (LOG_EVENTS.has(e.event)) return this.handleLog(e);
    if (e.event === 'ERROR') {
      let code: number | undefined;
      try {
        code = (JSON.parse(e.data) as { code?: number }).code;
      } catch {
        // an ERROR without a Status body: treat as a drop
      }
      // 410: our resume point is gone from the server's ring; start fresh and refetch what is cached.
      if (code === 410) {
        this.lastEventId = undefined;
        this.expired = true;
      }
      return;
    }
    if (e.id !== undefined) this.lastEventId = e.id;
    this.opts.onEvent(e);
  }

  /** A frame of the followed log; one of a step no longer followed (a switch races the old connection) is dropped. */
  private handleLog(e: SseEvent): void {
    const follow = this.follow;
    if (!follow || follow.ended) return;
    let frame: { namespace?: string; execution?: string; stage?: number; step?: number; offset?: number; text?: string; size?: number; complete?: boolean };
    try {
      frame = JSON.parse(e.data) as typeof frame;
    } catch {
      return;
    }
    const { step } = follow;
    if (frame.namespace !== step.ns || frame.execution !== step.name || frame.stage !== step.stage || frame.step !== step.step) return;
    if (e.event === 'LOG' && typeof frame.text === 'string' && typeof frame.offset === 'number') {
      follow.from = frame.offset;
      follow.handler.onText(frame.text, frame.offset);
    } else if (e.event === 'LOG_UNAVAILABLE') {
      follow.handler.onUnavailable();
    } else if (e.event === 'LOG_END') {
      follow.ended = true;
      follow.handler.onEnd({ size: frame.size ?? follow.from, complete: frame.complete === true });
    }
  }

  private ended(controller: AbortController, err?: unknown, follow?: ActiveFollow): void {
    if (controller.signal.aborted || this.controller !== controller) return; // we closed it ourselves
    this.controller = undefined;
    if (err instanceof ApiError && LOG_REFUSALS.has(err.status) && follow && this.follow === follow) {
      // The log was refused (no access, no such step): say so, and keep the tab's stream without it.
      this.follow = undefined;
      follow.handler.onRefused(err);
      this.connect();
      return;
    }
    if (err instanceof ApiError && err.status === 401) {
      this.running = false;
      this.setState('stopped', err.problem.detail);
      this.opts.onUnauthenticated?.();
      return;
    }
    if (this.expired) {
      this.expired = false;
      this.connect();
      return;
    }
    this.failures++;
    const { baseMs, maxMs } = this.opts.backoff ?? { baseMs: 1_000, maxMs: 30_000 };
    const retryAfter = err instanceof ApiError && err.retryAfterSeconds ? err.retryAfterSeconds * 1000 : 0;
    const exp = Math.min(maxMs, baseMs * 2 ** (this.failures - 1));
    const delay = Math.max(retryAfter, exp / 2 + (this.opts.random ?? Math.random)() * (exp / 2));
    this.setState('retrying', err instanceof Error ? err.message : 'the stream ended');
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.running && !this.doc?.hidden) this.connect();
    }, delay);
  }

  private setState(state: StreamState, detail?: string): void {
    this.state = state;
    this.opts.onState?.(state, detail);
    if (this.follow && !this.follow.ended) this.follow.handler.onStreamState?.(state, detail);
  }
}
