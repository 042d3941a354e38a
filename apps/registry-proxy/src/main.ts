// Entry of the node-local registry proxy (the chart's registry-proxy DaemonSet runs it from the manager image:
// `node dist/apps/registry-proxy/src/main.js`).
import { Agent } from 'node:https';
import { ConfigError, loadConfig } from '@keelson/config';
import { createLogger } from '@keelson/observability';

import { DirectoryProjectCas } from './project-cas';
import { REGISTRY_PROXY_VARIABLES } from './registry-proxy.config';
import { createRegistryProxyServer, upstreamFromTemplates } from './registry-proxy.server';

function main(): void {
  const config = loadConfig(REGISTRY_PROXY_VARIABLES);
  const logger = createLogger({ level: config.logLevel, name: 'keelson-registry-proxy' });
  const server = createRegistryProxyServer({
    cas: new DirectoryProjectCas(config.caDir),
    upstream: upstreamFromTemplates(config.upstream, config.upstreamTlsName),
    timeoutMs: config.timeoutMs,
    logger,
    agent: new Agent({ keepAlive: true, maxSockets: 64 }),
  });
  server.listen(config.port, config.host, () => logger.info({ host: config.host, port: config.port, caDir: config.caDir }, 'registry proxy listening'));
  const stop = (): void => {
    logger.info({}, 'registry proxy stopping');
    server.close(() => process.exit(0));
    // Pulls in flight get the pod's grace period; idle keep-alive sockets do not hold the exit.
    server.closeIdleConnections();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

try {
  main();
} catch (err) {
  process.stderr.write(`${err instanceof ConfigError ? err.message : (err as Error).stack}\n`);
  process.exit(1);
}
