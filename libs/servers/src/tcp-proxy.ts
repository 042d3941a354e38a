import { createConnection, createServer, Server, Socket } from 'node:net';
import { freePort } from './free-port';

/**
 * A loopback TCP proxy a test can cut: sever() drops every open connection and refuses new ones until
 * restore(). TLS passes through untouched. Used to partition one client from a server while others still
 * reach it (a leader that cannot renew, a watch that misses events).
 */
export class TcpProxy {
  private server!: Server;
  private readonly sockets = new Set<Socket>();
  private severed = false;
  port = 0;

  private constructor(private readonly targetPort: number) {}

  static async start(targetPort: number): Promise<TcpProxy> {
    const proxy = new TcpProxy(targetPort);
    proxy.port = await freePort();
    proxy.server = createServer((client) => proxy.accept(client));
    await new Promise<void>((resolve) => proxy.server.listen(proxy.port, '127.0.0.1', resolve));
    return proxy;
  }

  private accept(client: Socket): void {
    if (this.severed) {
      client.destroy();
      return;
    }
    const upstream = createConnection({ host: '127.0.0.1', port: this.targetPort });
    for (const s of [client, upstream]) {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
      s.on('error', () => s.destroy());
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  }

  sever(): void {
    this.severed = true;
    for (const s of this.sockets) s.destroy();
  }

  restore(): void {
    this.severed = false;
  }

  async stop(): Promise<void> {
    this.sever();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
