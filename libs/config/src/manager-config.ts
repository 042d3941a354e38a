import { parsers, variable } from './config-schema';

export const ROLES = ['api', 'webhooks', 'controllers', 'workers'] as const;
export type Role = (typeof ROLES)[number];

/** Every setting of the manager, read from the environment in this one place. */
export const MANAGER_VARIABLES = {
  host: variable({ env: 'HOST', description: 'Address the HTTP server binds.', default: '0.0.0.0', parse: parsers.string }),
  port: variable({ env: 'PORT', description: 'Port of the HTTP server (REST API, webhooks, health, metrics).', default: 8080, parse: parsers.port }),
  kubeconfig: variable({
    env: 'KUBECONFIG', description: 'Kubeconfig of the management cluster; the pod\'s service account when unset.', parse: parsers.string,
  }),
  redisUrl: variable({ env: 'REDIS_URL', description: 'Redis for the work queues.', sensitive: true, default: 'redis://127.0.0.1:6379', parse: parsers.url(['redis', 'rediss']) }),
  redisPrefix: variable({ env: 'REDIS_PREFIX', description: 'Key prefix of every queue, so several installations can share one Redis.', default: 'keelson', parse: parsers.string }),
  logLevel: variable({ env: 'LOG_LEVEL', description: 'Log level.', default: 'info', parse: parsers.oneOf(['debug', 'info', 'warn', 'error'] as const) }),
  roles: variable({ env: 'ROLES', description: `Roles this process plays: ${ROLES.join(', ')}.`, default: [...ROLES] as Role[], parse: parsers.listOf(ROLES) }),
  watchNamespace: variable({ env: 'WATCH_NAMESPACE', description: 'Only watch this namespace; all namespaces when unset.', parse: parsers.dnsLabel }),
  leaseNamespace: variable({ env: 'LEADER_ELECTION_NAMESPACE', description: 'Namespace of the controllers\' leader Lease.', default: 'keelson-system', parse: parsers.dnsLabel }),
  podName: variable({ env: 'POD_NAME', description: 'Identity in leader election; the host name and pid when unset.', parse: parsers.string }),
  apiAuth: variable({
    env: 'API_AUTH', description: 'How the REST API checks callers: kubernetes (TokenReview + SubjectAccessReview) or disabled (development only; every caller is user "dev").',
    default: 'kubernetes', parse: parsers.oneOf(['kubernetes', 'disabled'] as const),
  }),
};
