// The proxy's settings, read from its environment (the DaemonSet's) in this one place.
import { parsers, variable } from '@keelson/config';

/** The project registry's address (data-plane.names `registryHost` of `<project>-pipeline`; a test keeps them equal). */
export const DEFAULT_UPSTREAM = 'https://registry.{project}-pipeline.svc:5000';

function upstreamTemplate(raw: string): string {
  parsers.url(['https'])(raw.replaceAll('{project}', 'p'));
  if (!raw.includes('{project}')) throw new Error('expected a URL containing {project}');
  return raw;
}

export const REGISTRY_PROXY_VARIABLES = {
  host: variable({
    env: 'REGISTRY_PROXY_LISTEN_HOST', description: 'Address the proxy binds: the pod\'s (0.0.0.0) behind a hostPort on the node\'s 127.0.0.1, or 127.0.0.1 when the pod uses the host network.',
    default: '0.0.0.0', parse: parsers.string,
  }),
  port: variable({ env: 'REGISTRY_PROXY_PORT', description: 'Port the proxy listens on; the node\'s loopback port images are pulled from (`127.0.0.1:<port>/<project>/<image>`).', default: 34362, parse: parsers.port }),
  caDir: variable({
    env: 'REGISTRY_PROXY_CA_DIR', description: 'Directory of the mounted ConfigMap holding each project registry\'s CA as `<project>.crt` (published by the manager).',
    default: '/etc/keelson/registry-cas', parse: parsers.absoluteDirectory,
  }),
  upstream: variable({
    env: 'REGISTRY_PROXY_UPSTREAM', description: 'Origin of a project\'s registry, `{project}` replaced by the project.',
    default: DEFAULT_UPSTREAM, parse: upstreamTemplate,
  }),
  upstreamTlsName: variable({
    env: 'REGISTRY_PROXY_UPSTREAM_TLS_NAME', description: 'Name the registry\'s certificate must carry, `{project}` replaced; the upstream\'s host when unset (tests connect to 127.0.0.1 and check the Service name).',
    parse: parsers.string,
  }),
  timeoutMs: variable({
    env: 'REGISTRY_PROXY_TIMEOUT_MS', description: 'Deadline of a project registry\'s answer, and of each pause while a blob streams.',
    default: 30_000, parse: parsers.integer(100, 600_000),
  }),
  logLevel: variable({ env: 'LOG_LEVEL', description: 'Log level.', default: 'info', parse: parsers.oneOf(['debug', 'info', 'warn', 'error'] as const) }),
};
