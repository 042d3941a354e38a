import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { freePort } from './free-port';
import { probe } from './http-probe';
import { ManagedProcess } from './managed-process';
import { serverBinary } from './paths';
import { waitFor } from './wait-for';

export interface RegistryOptions {
  /** Where the registry POSTs its event envelopes (a push, a pull); none when absent. */
  notificationUrl?: string;
  notificationHeaders?: Record<string, string[]>;
  /** More environment, e.g. `REGISTRY_NOTIFICATIONS_ENDPOINTS` as the data plane renders it (overrides the file). */
  env?: Record<string, string>;
  dir?: string;
}

/** The distribution registry (v3) on loopback with filesystem storage. */
export class RegistryServer {
  private proc!: ManagedProcess;
  port = 0;

  private constructor(private readonly dir: string, private readonly ownsDir: boolean, private readonly opts: RegistryOptions) {}

  static async start(opts: RegistryOptions = {}): Promise<RegistryServer> {
    const server = new RegistryServer(opts.dir ?? mkdtempSync(join(tmpdir(), 'keelson-registry-')), !opts.dir, opts);
    await server.boot();
    return server;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  private async boot(): Promise<void> {
    this.port = await freePort();
    const debugPort = await freePort();
    const storage = join(this.dir, 'registry-data');
    mkdirSync(storage, { recursive: true });
    const config: Record<string, unknown> = {
      version: 0.1,
      log: { level: 'warn' },
      storage: { filesystem: { rootdirectory: storage }, delete: { enabled: true } },
      http: { addr: `127.0.0.1:${this.port}`, debug: { addr: `127.0.0.1:${debugPort}` } },
    };
    if (this.opts.notificationUrl) {
      config.notifications = {
        endpoints: [{
          name: 'keelson', url: this.opts.notificationUrl, headers: this.opts.notificationHeaders ?? {},
          timeout: '2s', threshold: 3, backoff: '1s',
        }],
      };
    }
    const configFile = join(this.dir, 'registry.yml');
    writeFileSync(configFile, stringify(config));
    this.proc = new ManagedProcess({
      name: 'registry', command: serverBinary('registry'), logDir: this.dir, args: ['serve', configFile],
      env: { OTEL_TRACES_EXPORTER: 'none', ...this.opts.env },
    }).start();
    await waitFor('registry /v2/', async () => (await probe(`${this.url}/v2/`)) === 200, {
      timeoutMs: 30_000, onTimeout: () => this.proc.tail(),
    });
  }

  async stop(): Promise<void> {
    await this.proc?.stop();
    if (this.ownsDir) rmSync(this.dir, { recursive: true, force: true });
  }
}
