// Cost of the node-local registry proxy on a blob pull: a blob served by a local HTTPS server (TLS with a
// project CA, as the registry does) read directly and through the proxy, over loopback, one pull at a time and
// PARALLEL at once. Run: node -r @swc-node/register bench/registry-proxy.bench.ts   (MIB=64, RUNS=5, PARALLEL=8)
// Printed numbers, not assertions. The proxy's correctness is in test/integration/registry-proxy.test.ts.
import { once } from 'node:events';
import { Agent, createServer, request } from 'node:https';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateRegistryTls, registryDnsNames } from '@keelson/data-plane';
import { silentLogger } from '@keelson/observability';

import { createRegistryProxyServer } from '../apps/registry-proxy/src/registry-proxy.server';
import { envInt } from './support/bench-stack';
import { summaryBlock, table } from './support/report';

const MIB = envInt('MIB', 64);
const RUNS = envInt('RUNS', 5);
const PARALLEL = envInt('PARALLEL', 8);
const DIGEST = `sha256:${'e'.repeat(64)}`;

async function main(): Promise<void> {
  const tls = generateRegistryTls('registry.bench-pipeline.svc', registryDnsNames('bench-pipeline'), new Date());
  const chunk = Buffer.alloc(1024 * 1024, 1);
  const upstream = createServer({ cert: tls.tlsCrt, key: tls.tlsKey }, (_req, res) => {
    res.writeHead(200, { 'content-length': String(MIB * chunk.length), 'content-type': 'application/octet-stream', 'docker-content-digest': DIGEST });
    let sent = 0;
    const pump = (): void => {
      while (sent < MIB) {
        sent += 1;
        if (!res.write(chunk)) {
          res.once('drain', pump);
          return;
        }
      }
      res.end();
    };
    pump();
  });
  upstream.listen(0, '127.0.0.1');
  await once(upstream, 'listening');
  const upstreamPort = (upstream.address() as AddressInfo).port;
  const proxy = createRegistryProxyServer({
    cas: { caOf: async () => tls.caCrt },
    upstream: () => ({ origin: `https://127.0.0.1:${upstreamPort}`, tlsName: 'registry.bench-pipeline.svc' }),
    timeoutMs: 30_000, logger: silentLogger, agent: new Agent({ keepAlive: true, maxSockets: 64 }),
  });
  proxy.listen(0, '127.0.0.1');
  await once(proxy, 'listening');
  const proxyPort = (proxy.address() as AddressInfo).port;
  const directAgent = new Agent({ keepAlive: true, ca: tls.caCrt, servername: 'registry.bench-pipeline.svc' });

  const pull = (direct: boolean): Promise<number> => new Promise((resolve, reject) => {
    const path = direct ? `/v2/web/blobs/${DIGEST}` : `/v2/bench/web/blobs/${DIGEST}`;
    const headers = { authorization: `Basic ${Buffer.from('u:p').toString('base64')}` };
    const onResponse = (res: import('node:http').IncomingMessage) => {
      let bytes = 0;
      res.on('data', (c: Buffer) => { bytes += c.length; });
      res.on('end', () => resolve(bytes));
      res.on('error', reject);
    };
    const req = direct
      ? request({ host: '127.0.0.1', port: upstreamPort, path, headers, agent: directAgent, servername: 'registry.bench-pipeline.svc' }, onResponse)
      : httpRequest({ host: '127.0.0.1', port: proxyPort, path, headers }, onResponse);
    req.on('error', reject);
    req.end();
  });

  const rows: Array<Array<string | number>> = [];
  for (const [label, direct] of [['direct (TLS)', true], ['through the proxy', false]] as const) {
    await pull(direct); // warm-up: TLS session, JIT
    for (const parallel of [1, PARALLEL]) {
      const times: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const start = process.hrtime.bigint();
        const sizes = await Promise.all(Array.from({ length: parallel }, () => pull(direct)));
        times.push(Number(process.hrtime.bigint() - start) / 1e6);
        if (sizes.some((s) => s !== MIB * chunk.length)) throw new Error('short read');
      }
      times.sort((a, b) => a - b);
      const median = times[Math.floor(times.length / 2)];
      rows.push([label, parallel, `${median.toFixed(0)} ms`, `${((MIB * parallel) / (median / 1000)).toFixed(0)} MiB/s`]);
    }
  }
  const rss = (process.memoryUsage().rss / 1024 / 1024).toFixed(0);
  summaryBlock(`registry proxy: ${MIB} MiB blob, median of ${RUNS}`, [table(['path', 'pulls at once', 'median time', 'throughput'], rows), `process RSS after the runs (proxy, upstream and client in one process): ${rss} MiB`]);
  proxy.close();
  upstream.close();
  directAgent.destroy();
  process.exit(0);
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
