// One Server-Sent Events response: frames (`id`, `event`, `data`), comments, backpressure, and the end of it.
// Writes wait for 'drain' rather than piling up in memory; the caller bounds what waits before it.
import type { ServerResponse } from 'node:http';

export interface SseFrame {
  id?: string;
  event?: string;
  data: unknown;
}

/** How long a browser waits before it reconnects (the `retry:` field). */
const RECONNECT_MS = 2000;

export class SseStream {
  private ended = false;
  private readonly closeHandlers: Array<() => void> = [];

  constructor(private readonly res: ServerResponse) {
    res.on('close', () => {
      this.ended = true;
      for (const h of this.closeHandlers.splice(0)) h();
    });
  }

  get closed(): boolean {
    return this.ended || this.res.destroyed;
  }

  /** Bytes written that the socket has not taken yet. */
  get buffered(): number {
    return this.res.writableLength;
  }

  open(): void {
    this.res.statusCode = 200;
    this.res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    this.res.setHeader('Cache-Control', 'no-cache, no-transform');
    this.res.setHeader('Connection', 'keep-alive');
    // nginx (ingress-nginx) buffers responses unless told not to.
    this.res.setHeader('X-Accel-Buffering', 'no');
    this.res.flushHeaders();
    this.res.write(`retry: ${RECONNECT_MS}\n\n`);
  }

  /** Writes one event; false when the socket is full and the caller should await drained(). */
  send(frame: SseFrame): boolean {
    if (this.closed) return true;
    let text = '';
    if (frame.id !== undefined) text += `id: ${frame.id}\n`;
    if (frame.event !== undefined) text += `event: ${frame.event}\n`;
    // JSON.stringify escapes every line break, so the data is one line.
    text += `data: ${typeof frame.data === 'string' ? frame.data : JSON.stringify(frame.data)}\n\n`;
    return this.res.write(text);
  }

  comment(text: string): void {
    if (!this.closed && !this.res.writableNeedDrain) this.res.write(`: ${text}\n\n`);
  }

  drained(): Promise<void> {
    if (this.closed || !this.res.writableNeedDrain) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.res.off('drain', done);
        this.res.off('close', done);
        resolve();
      };
      this.res.once('drain', done);
      this.res.once('close', done);
    });
  }

  onClose(handler: () => void): void {
    if (this.closed) handler();
    else this.closeHandlers.push(handler);
  }

  end(): void {
    if (!this.ended) this.res.end();
    this.ended = true;
  }

  /** Drops the connection without a proper end (a client that does not read). */
  destroy(): void {
    this.ended = true;
    this.res.destroy();
  }
}
