import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'node:net';
import { freePort } from './free-port';
import { ManagedProcess } from './managed-process';
import { waitFor } from './wait-for';

/** A private redis-server (Debian's) on a free port, for tests that wipe or restart Redis. */
export class RedisServer {
  private proc!: ManagedProcess;
  port = 0;

  private constructor(private readonly dir: string, private readonly ownsDir: boolean) {}

  static async start(dir?: string): Promise<RedisServer> {
    const server = new RedisServer(dir ?? mkdtempSync(join(tmpdir(), 'keelson-redis-')), !dir);
    await server.boot();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  private async boot(): Promise<void> {
    if (!this.port) this.port = await freePort();
    this.proc = new ManagedProcess({
      name: 'redis-server', command: 'redis-server', logDir: this.dir,
      args: ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.dir],
    }).start();
    await waitFor('redis-server PING', () => pingRedis(this.port), { timeoutMs: 15_000, onTimeout: () => this.proc.tail() });
  }

  async restart(): Promise<void> {
    await this.proc.stop();
    await this.boot();
  }

  /** Stops the server but keeps its port and directory, for `up()` to bring it back: Redis lost for a while. */
  async down(): Promise<void> {
    await this.proc.stop();
  }

  async up(): Promise<void> {
    await this.boot();
  }

  async stop(): Promise<void> {
    await this.proc?.stop();
    if (this.ownsDir) rmSync(this.dir, { recursive: true, force: true });
  }
}

function pingRedis(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port }, () => socket.write('PING\r\n'));
    socket.setTimeout(1000, () => socket.destroy());
    socket.once('data', (data) => {
      resolve(data.toString().startsWith('+PONG'));
      socket.destroy();
    });
    socket.once('error', () => resolve(false));
    socket.once('close', () => resolve(false));
  });
}
