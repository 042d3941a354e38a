import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ControlPlane, RedisServer, TcpProxy, freePort, kubeconfigYaml, waitFor } from '@keelson/servers';
import { ConfigError } from '@keelson/config';
import { silentLogger } from '@keelson/observability';
import { Manager, startManager } from '../../apps/manager/src/manager';

let cp: ControlPlane;
let proxy: TcpProxy;
let redis: RedisServer;
let manager: Manager;

beforeAll(async () => {
  cp = await ControlPlane.start();
  proxy = await TcpProxy.start(Number(new URL(cp.server).port));
  // A Redis of its own: never the machine's, which other tests and tenants share.
  redis = await RedisServer.start();
});
afterAll(async () => {
  await manager?.close();
  await redis?.stop();
  await proxy?.stop();
  await cp?.stop();
});

describe('the manager process', () => {
  it('is live at once but ready only after every informer has synced', async () => {
    const kubeconfig = join(cp.dir, 'via-proxy.kubeconfig');
    writeFileSync(kubeconfig, kubeconfigYaml({ ...cp.access(cp.manager), server: `https://127.0.0.1:${proxy.port}` }));
    proxy.sever();
    manager = await startManager({ KUBECONFIG: kubeconfig, PORT: String(await freePort()), HOST: '127.0.0.1', REDIS_URL: redis.url }, silentLogger);

    expect((await fetch(`${manager.url}/healthz`)).status).toBe(200);
    const notReady = await fetch(`${manager.url}/readyz`);
    expect(notReady.status).toBe(503);
    expect(((await notReady.json()) as { informers: string[] }).informers).toEqual(expect.arrayContaining(['Pipeline', 'PipelineExecution']));

    proxy.restore();
    await waitFor('/readyz 200', async () => (await fetch(`${manager.url}/readyz`)).status === 200, { timeoutMs: 30_000 });
  });

  it('reports its version', async () => {
    const version = await (await fetch(`${manager.url}/version`)).json();
    expect(version).toMatchObject({ name: 'keelson-manager', version: expect.stringMatching(/^\d+\.\d+\.\d+/), node: process.version });
  });

  it('serves Prometheus metrics, including informer state and process metrics', async () => {
    const res = await fetch(`${manager.url}/metrics`);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(text).toMatch(/^keelson_informer_synced\{resource="pipelineexecutions"\} 1$/m);
    expect(text).toMatch(/^process_resident_memory_bytes \d+/m);
  });

  it('refuses to boot on a bad configuration and names every bad key', async () => {
    const bad = { PORT: 'eighty', ROLES: 'chef', REDIS_URL: redis.url };
    await expect(startManager(bad, silentLogger)).rejects.toThrow(ConfigError);
    await expect(startManager(bad, silentLogger)).rejects.toThrow(/PORT:[^]*ROLES:/);
  });
});
