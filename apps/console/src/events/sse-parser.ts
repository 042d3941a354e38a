// An incremental Server-Sent Events parser (WHATWG HTML §9.2.6): fed text chunks as they arrive, cut anywhere
// (mid-line, between CR and LF), it calls onEvent once per dispatched event. The browser's EventSource cannot
// send an Authorization header, so the console reads SSE with fetch and this parser.
export interface SseEvent {
  /** "message" when the event has no `event:` field. */
  event: string;
  data: string;
  /** The last event id seen so far (ids persist across events, as in EventSource). */
  id: string | undefined;
}

export class SseParser {
  private buffer = '';
  private data: string[] = [];
  private eventType = '';
  private lastId: string | undefined;
  private pendingCR = false;
  /** The `retry:` reconnection time the server asked for, in ms. */
  retry: number | undefined;

  constructor(private readonly onEvent: (e: SseEvent) => void, lastEventId?: string) {
    this.lastId = lastEventId;
  }

  get lastEventId(): string | undefined {
    return this.lastId;
  }

  push(chunk: string): void {
    let text = chunk;
    // A CR at the end of the previous chunk already ended a line; an LF right after it belongs to that CRLF.
    if (this.pendingCR && text.startsWith('\n')) text = text.slice(1);
    this.pendingCR = false;
    this.buffer += text;
    let start = 0;
    for (let i = 0; i < this.buffer.length; i++) {
      const c = this.buffer.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      this.line(this.buffer.slice(start, i));
      if (c === 13) {
        if (i + 1 === this.buffer.length) this.pendingCR = true;
        else if (this.buffer.charCodeAt(i + 1) === 10) i++;
      }
      start = i + 1;
    }
    this.buffer = this.buffer.slice(start);
  }

  private line(line: string): void {
    if (line === '') return this.dispatch();
    if (line.startsWith(':')) return; // a comment: the server's heartbeat
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'event': this.eventType = value; break;
      case 'data': this.data.push(value); break;
      case 'id': if (!value.includes('\0')) this.lastId = value; break;
      case 'retry': if (/^\d+$/.test(value)) this.retry = Number(value); break;
      default: break; // unknown fields are ignored
    }
  }

  private dispatch(): void {
    const type = this.eventType || 'message';
    const hadData = this.data.length > 0;
    const data = this.data.join('\n');
    this.data = [];
    this.eventType = '';
    if (!hadData) return;
    this.onEvent({ event: type, data, id: this.lastId });
  }
}
