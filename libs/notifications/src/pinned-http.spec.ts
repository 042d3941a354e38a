import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { NotificationError } from './notification.errors';
import { postJson, requireSuccess } from './pinned-http';

describe('postJson under the outbound policy', () => {
  let server: http.Server;
  let port = 0;
  const seen: string[] = [];
  const policy = { allowHttp: true, allowCidrs: ['127.0.0.0/8'] };

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      seen.push(`${req.headers.host} ${req.url}`);
      if (req.url === '/redirect') res.writeHead(302, { location: '/elsewhere' }).end();
      else if (req.url === '/silent') return; // never answers
      else res.writeHead(200).end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('connects to the address the policy checked, keeping the host name in the request', async () => {
    const lookups: string[] = [];
    const answer = await postJson(`http://robot.invalid:${port}/send?access_token=t`, { a: 1 }, { policy, timeoutMs: 2_000, lookup: async (h) => (lookups.push(h), ['127.0.0.1']) }, 'test');
    expect(answer).toEqual({ status: 200, body: 'ok' });
    expect(lookups).toEqual(['robot.invalid']); // once, for the check; the socket used the pinned answer
    expect(seen.at(-1)).toBe(`robot.invalid:${port} /send?access_token=t`);
  });

  it('never follows a redirect', async () => {
    const before = seen.length;
    const answer = await postJson(`http://127.0.0.1:${port}/redirect`, {}, { policy, timeoutMs: 2_000 }, 'test');
    expect(seen.length).toBe(before + 1);
    expect(() => requireSuccess(answer, 'notifier x (slack)', `127.0.0.1:${port}`)).toThrow(/answered HTTP 302 \(redirects are not followed\)/);
  });

  it('refuses a name that resolves to the metadata address before any connection, naming the host only', async () => {
    const before = seen.length;
    const err = await postJson(`http://metadata.invalid:${port}/latest?token=secret-token`, {}, { policy, timeoutMs: 2_000, lookup: async () => ['169.254.169.254'] }, 'notifier x (webhook)').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotificationError);
    expect(err).toMatchObject({ code: 'Refused', retryable: false });
    expect((err as Error).message).toMatch(/^notifier x \(webhook\): host "metadata\.invalid:\d+" resolves to 169\.254\.169\.254/);
    expect((err as Error).message).not.toContain('secret-token');
    expect(seen.length).toBe(before);
  });

  it('gives up on a receiver that does not answer in time, as retryable', async () => {
    const err = await postJson(`http://127.0.0.1:${port}/silent`, {}, { policy, timeoutMs: 300 }, 'test').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'Unavailable', retryable: true });
    expect((err as Error).message).toMatch(/did not answer: no answer within 300 ms/);
  });

  it('refuses plain http unless the policy allows it', async () => {
    await expect(postJson(`http://127.0.0.1:${port}/`, {}, { policy: { allowHttp: false, allowCidrs: ['127.0.0.0/8'] }, timeoutMs: 300 }, 'test')).rejects.toMatchObject({ code: 'Refused' });
  });
});
