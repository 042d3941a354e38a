// One SSE connection over fetch, so it can carry `Authorization` and `Last-Event-ID` (EventSource cannot set
// headers, and a token in the URL would land in access logs). Resolves when the server ends the stream.
import { problemFrom } from '../api/problem';
import { SseParser, type SseEvent } from './sse-parser';

export interface SseRequest {
  url: string;
  headers: Record<string, string>;
  lastEventId?: string;
  signal: AbortSignal;
  onOpen?: () => void;
  onEvent: (e: SseEvent) => void;
  fetchFn?: typeof fetch;
}

/** Reads the stream to its end; returns the last event id. Throws ApiError for an error answer. */
export async function readSse(req: SseRequest): Promise<string | undefined> {
  const headers: Record<string, string> = { ...req.headers, Accept: 'text/event-stream', 'Cache-Control': 'no-cache' };
  if (req.lastEventId) headers['Last-Event-ID'] = req.lastEventId;
  const res = await (req.fetchFn ?? fetch)(req.url, { headers, signal: req.signal, credentials: 'omit', cache: 'no-store' });
  if (!res.ok) throw await problemFrom(res);
  if (!res.body) throw new Error('the event stream has no body');
  req.onOpen?.();
  const parser = new SseParser(req.onEvent, req.lastEventId);
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  // Closing is the caller's abort: cancelling the reader ends a read that is waiting for bytes (not every fetch
  // implementation errors a body that is already streaming when its signal aborts).
  const cancel = () => { reader.cancel().catch(() => undefined); };
  req.signal.addEventListener('abort', cancel);
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      parser.push(decoder.decode(value, { stream: true }));
    }
    parser.push(decoder.decode());
  } finally {
    req.signal.removeEventListener('abort', cancel);
    reader.releaseLock();
  }
  return parser.lastEventId;
}
