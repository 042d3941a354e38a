// An HTTP relay between a manager and the Jenkins double that can hold Jenkins' answer to a chosen request and
// run a fault first: "Jenkins has started the build, the manager has not heard yet" is then a fixed point in
// time, not a race with a poller.
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

interface Hold {
  method: string;
  path: RegExp;
  before: () => Promise<void>;
  done: Promise<void>;
  resolve: () => void;
  reject: (err: unknown) => void;
}

export class JenkinsTap {
  private readonly server: Server;
  private readonly holds: Hold[] = [];
  private port = 0;

  private constructor(private readonly target: URL) {
    this.server = createServer((req, res) => void this.relay(req, res));
  }

  /** Relays to `targetUrl` (the double's base URL, without an instance). */
  static async start(targetUrl: string): Promise<JenkinsTap> {
    const tap = new JenkinsTap(new URL(targetUrl));
    await new Promise<void>((resolve) => tap.server.listen(0, '127.0.0.1', resolve));
    tap.port = (tap.server.address() as AddressInfo).port;
    return tap;
  }

  /** Base URL in place of the double's: `${tap.url}/{namespace}` for DATA_PLANE_JENKINS_URL. */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /**
   * The next request with this method and path gets Jenkins' answer only after `before` has run (Jenkins has
   * acted on it by then). Resolves once `before` has run.
   */
  holdAnswer(method: string, path: RegExp, before: () => Promise<void>): Promise<void> {
    let resolve!: () => void;
    let reject!: (err: unknown) => void;
    const done = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    this.holds.push({ method: method.toUpperCase(), path, before, done, resolve, reject });
    return done;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async relay(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const body = await readAll(req);
      const answer = await this.forward(req, body);
      const index = this.holds.findIndex((h) => h.method === req.method && h.path.test(new URL(req.url ?? '/', 'http://x').pathname));
      if (index >= 0) {
        const [hold] = this.holds.splice(index, 1);
        await hold.before().then(hold.resolve, hold.reject);
      }
      res.writeHead(answer.status, answer.headers).end(answer.body);
    } catch {
      if (!res.headersSent) res.writeHead(502).end();
      else res.destroy();
    }
  }

  private forward(req: IncomingMessage, body: Buffer): Promise<{ status: number; headers: Record<string, string | string[]>; body: Buffer }> {
    return new Promise((resolve, reject) => {
      const headers = { ...req.headers, host: this.target.host };
      const upstream = request({ host: this.target.hostname, port: this.target.port, method: req.method, path: req.url, headers }, (answer) => {
        void readAll(answer).then((data) => {
          const out: Record<string, string | string[]> = {};
          for (const [k, v] of Object.entries(answer.headers)) if (v !== undefined && k !== 'transfer-encoding' && k !== 'connection') out[k] = v;
          out['content-length'] = String(data.length);
          resolve({ status: answer.statusCode ?? 502, headers: out, body: data });
        }, reject);
      });
      upstream.on('error', reject);
      upstream.end(body);
    });
  }
}

function readAll(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}
