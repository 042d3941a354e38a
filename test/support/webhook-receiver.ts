// A loopback HTTP endpoint that records every request a webhook sender makes, raw body included, so a test can
// recompute signatures over the exact bytes.
import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { waitFor } from '@keelson/servers';

export interface ReceivedWebhook {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  rawBody: string;
}

export class WebhookReceiver {
  readonly deliveries: ReceivedWebhook[] = [];

  private constructor(private readonly server: Server) {}

  static async start(): Promise<WebhookReceiver> {
    const server = createServer();
    const receiver = new WebhookReceiver(server);
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        receiver.deliveries.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, rawBody: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  url(path = '/hook'): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${path}`;
  }

  /** The first delivery (old or new) that `matches`; fails after `timeoutMs` naming `what`. */
  async next(what: string, matches: (d: ReceivedWebhook) => boolean, timeoutMs = 15_000): Promise<ReceivedWebhook> {
    let found: ReceivedWebhook | undefined;
    await waitFor(what, () => !!(found = this.deliveries.find(matches)), {
      timeoutMs, onTimeout: () => `received: ${this.deliveries.map((d) => `${d.method} ${d.path} ${d.headers['x-gitea-event'] ?? ''}`).join(', ') || 'nothing'}`,
    });
    return found!;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
