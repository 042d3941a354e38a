// msw for the console's tests: handlers answer at BASE, the absolute origin the tests give the ApiClient.
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll } from 'vitest';

export const BASE = 'http://keelson.test';
export const server = setupServer();

export function useMsw(): void {
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());
}

/** An SSE body the test writes to. */
export function sseBody() {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const stream = new ReadableStream<Uint8Array>({ start: (c) => { controller = c; } });
  const enc = new TextEncoder();
  return {
    stream,
    send: (frame: string) => controller.enqueue(enc.encode(frame)),
    end: () => controller.close(),
  };
}
