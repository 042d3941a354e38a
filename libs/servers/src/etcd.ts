import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './free-port';
import { ManagedProcess } from './managed-process';
import { serverBinary } from './paths';
import { probe } from './http-probe';
import { waitFor } from './wait-for';

export interface Etcd {
  url: string;
  process: ManagedProcess;
  stop(): Promise<void>;
}

/** A single-member etcd on loopback with fsync off: test data need not survive a power cut. */
export async function startEtcd(dir: string): Promise<Etcd> {
  const [client, peer] = [await freePort(), await freePort()];
  const url = `http://127.0.0.1:${client}`;
  const dataDir = join(dir, 'etcd-data');
  mkdirSync(dataDir, { recursive: true });
  const proc = new ManagedProcess({
    name: 'etcd', command: serverBinary('etcd'), logDir: dir,
    args: ['--data-dir', dataDir, '--listen-client-urls', url, '--advertise-client-urls', url,
      '--listen-peer-urls', `http://127.0.0.1:${peer}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${peer}`,
      '--initial-cluster', `default=http://127.0.0.1:${peer}`, '--unsafe-no-fsync', '--log-level', 'warn'],
  }).start();
  await waitFor('etcd health', async () => (await probe(`${url}/health`)) === 200, {
    timeoutMs: 30_000, onTimeout: () => proc.tail(),
  });
  return { url, process: proc, stop: () => proc.stop() };
}
