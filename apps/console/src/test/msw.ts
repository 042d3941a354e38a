// msw for the console's tests: handlers answer at BASE, the absolute origin the tests give the ApiClient.
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll } from 'vitest';

export const BASE = 'http://keelson.test';
/** Every test's default: no OIDC sign-in (a test that needs it overrides the handler). */
export const server = setupServer(http.get(`${BASE}/api/v1/auth/config`, () => HttpResponse.json({ oidc: { enabled: false } })));

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
