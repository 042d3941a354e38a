// A Server-Sent Events client for tests: events as the browser's EventSource parses them (id, event, data, with
// comment lines counted), read from a fetch stream that the test can abort.
export interface SseEvent {
  id?: string;
  event: string;
  data: string;
  /** When the event arrived (Date.now()). */
  at: number;
}

export class SseClient {
  readonly events: SseEvent[] = [];
  comments = 0;
  status = 0;
  headers?: Headers;
  private readonly abort = new AbortController();
  private waiters: Array<() => void> = [];
  readonly done: Promise<void>;

  constructor(url: string, headers: Record<string, string>) {
    this.done = this.run(url, headers);
  }

  private async run(url: string, headers: Record<string, string>): Promise<void> {
    try {
      const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: this.abort.signal });
      this.status = res.status;
      this.headers = res.headers;
      if (!res.body) return;
      const decoder = new TextDecoder();
      let buffer = '';
      for await (const part of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(part, { stream: true });
        let end = buffer.indexOf('\n\n');
        while (end >= 0) {
          this.parse(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
          end = buffer.indexOf('\n\n');
        }
      }
    } catch (err) {
      if ((err as Error).name !== 'AbortError') throw err;
    } finally {
      this.wake();
    }
  }

  private parse(block: string): void {
    const event: SseEvent = { event: 'message', data: '', at: Date.now() };
    const data: string[] = [];
    let fields = 0;
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) {
        this.comments++;
        continue;
      }
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'id') event.id = value;
      else if (field === 'event') event.event = value;
      else if (field === 'data') data.push(value);
      else continue;
      fields++;
    }
    if (fields === 0 || data.length === 0) return;
    event.data = data.join('\n');
    this.events.push(event);
    this.wake();
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /** Resolves once an event satisfies `test` (or the stream ended: then it rejects). */
  async until(test: (e: SseEvent) => boolean, timeoutMs = 30_000): Promise<SseEvent> {
    const deadline = Date.now() + timeoutMs;
    let ended = false;
    void this.done.finally(() => (ended = true));
    for (;;) {
      const found = this.events.find(test);
      if (found) return found;
      if (ended) throw new Error(`the event stream ended without the event (got ${JSON.stringify(this.events)})`);
      if (Date.now() > deadline) throw new Error(`no such event within ${timeoutMs} ms (got ${JSON.stringify(this.events)})`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 100);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** The log text the message events carried (their data is a JSON string). */
  text(): string {
    return this.events.filter((e) => e.event === 'message').map((e) => JSON.parse(e.data) as string).join('');
  }

  close(): void {
    this.abort.abort();
  }
}
