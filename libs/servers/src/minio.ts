import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomToken } from './kube-apiserver';
import { freePort } from './free-port';
import { probe } from './http-probe';
import { ManagedProcess } from './managed-process';
import { serverBinary } from './paths';
import { waitFor } from './wait-for';

/** A single-drive MinIO server on loopback with generated root credentials. */
export class MinioServer {
  private proc!: ManagedProcess;
  port = 0;
  readonly accessKey = 'keelson';
  readonly secretKey = randomToken();

  private constructor(private readonly dir: string, private readonly ownsDir: boolean) {}

  static async start(dir?: string): Promise<MinioServer> {
    const server = new MinioServer(dir ?? mkdtempSync(join(tmpdir(), 'keelson-minio-')), !dir);
    await server.boot();
    return server;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  private async boot(): Promise<void> {
    this.port = await freePort();
    const consolePort = await freePort();
    const dataDir = join(this.dir, 'minio-data');
    mkdirSync(dataDir, { recursive: true });
    this.proc = new ManagedProcess({
      name: 'minio', command: serverBinary('minio'), logDir: this.dir,
      args: ['server', dataDir, '--address', `127.0.0.1:${this.port}`, '--console-address', `127.0.0.1:${consolePort}`, '--quiet'],
      env: { MINIO_ROOT_USER: this.accessKey, MINIO_ROOT_PASSWORD: this.secretKey, MINIO_BROWSER: 'off', MINIO_UPDATE: 'off' },
    }).start();
    await waitFor('minio /minio/health/ready', async () => (await probe(`${this.endpoint}/minio/health/ready`)) === 200, {
      timeoutMs: 60_000, onTimeout: () => this.proc.tail(),
    });
  }

  async stop(): Promise<void> {
    await this.proc?.stop();
    if (this.ownsDir) rmSync(this.dir, { recursive: true, force: true });
  }
}
