// A Server-Sent Events client for tests: reads a `text/event-stream` response frame by frame (as EventSource
// parses it, comment lines counted), lets a test wait for the event it expects, and drops the connection on demand.
// Serves the log API (`message`/`end` events whose data is JSON) and the resource watch (`ADDED`, `SUBSCRIBED`...).

export interface SseEvent {
  id?: string;
  event: string;
  /** The data parsed as JSON, or the raw text when it is not JSON. */
  data: any;
  /** When the event arrived (Date.now()). */
  at: number;
}

export class SseClient {
  readonly events: SseEvent[] = [];
  comments = 0;
  ended = false;
  private readonly waiters: Array<() => void> = [];

  private constructor(readonly status: number, readonly headers: Headers, private readonly abort: AbortController) {}

  /**
   * Opens `url`; the body is read in the background until the server ends it or close() is called. An answer
   * that is not an event stream (an error) becomes one `HTTP` event carrying its JSON body, and the client ends.
   */
  static async open(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
    const abort = new AbortController();
    const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: abort.signal });
    const client = new SseClient(res.status, res.headers, abort);
    if (!res.headers.get('content-type')?.startsWith('text/event-stream')) {
      client.events.push({ event: 'HTTP', data: await res.json().catch(() => undefined), at: Date.now() });
      client.ended = true;
      return client;
    }
    void client.read(res.body!);
    return client;
  }

  private async read(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          this.parse(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
        }
      }
    } catch {
      // aborted
    }
    this.ended = true;
    this.wake();
  }

  private parse(frame: string): void {
    const e: Partial<SseEvent> & { dataLines: string[] } = { dataLines: [] };
    let fields = 0;
    for (const line of frame.split('\n')) {
      if (line.startsWith(':')) {
        this.comments++;
        continue;
      }
      const i = line.indexOf(':');
      const name = i < 0 ? line : line.slice(0, i);
      const value = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
      fields++;
      if (name === 'id') e.id = value;
      else if (name === 'event') e.event = value;
      else if (name === 'data') e.dataLines.push(value);
    }
    if (fields === 0 || e.dataLines.length === 0) {
      this.wake();
      return;
    }
    const text = e.dataLines.join('\n');
    let data: unknown = text;
    try {
      data = JSON.parse(text);
    } catch {
      // not JSON
    }
    this.events.push({ id: e.id, event: e.event ?? 'message', data, at: Date.now() });
    this.wake();
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /** The id of the last event that carried one: what a browser sends as Last-Event-ID when it reconnects. */
  get lastEventId(): string | undefined {
    for (let i = this.events.length - 1; i >= 0; i--) if (this.events[i].id !== undefined) return this.events[i].id;
    return undefined;
  }

  /** Waits until `predicate` holds for the events so far (rejects if the stream ended first), at most `timeoutMs`. */
  async until(predicate: (events: SseEvent[]) => boolean, what: string, timeoutMs = 15_000): Promise<SseEvent[]> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.events)) {
      if (this.ended) throw new Error(`stream ended before ${what}; got ${this.describe()}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; got ${this.describe()}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 200));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.events;
  }

  /** The first event that satisfies `test`, waiting for it as until() does. */
  async next(test: (e: SseEvent) => boolean, timeoutMs = 30_000): Promise<SseEvent> {
    await this.until((events) => events.some(test), 'the event', timeoutMs);
    return this.events.find(test)!;
  }

  /** Waits for the stream's end (the server closed it). */
  async closedByServer(timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.ended) {
      if (Date.now() > deadline) throw new Error('the server did not end the stream');
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** The log text the log API's message events carried (each one's data is a JSON string). */
  text(): string {
    return this.events.filter((e) => e.event === 'message').map((e) => e.data as string).join('');
  }

  close(): void {
    this.abort.abort();
  }

  private describe(): string {
    return JSON.stringify(this.events.map((e) => [e.event, e.id, e.data?.metadata?.name ?? (typeof e.data === 'string' ? e.data.slice(0, 80) : undefined)]));
  }
}
