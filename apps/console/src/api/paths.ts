// API paths (docs/openapi.json), each segment escaped.
const seg = encodeURIComponent;

export const apiPaths = {
  projects: () => '/api/v1/projects',
  events: () => '/api/v1/events',
  pipelines: (ns: string) => `/api/v1/namespaces/${seg(ns)}/pipelines`,
  pipeline: (ns: string, name: string) => `/api/v1/namespaces/${seg(ns)}/pipelines/${seg(name)}`,
  run: (ns: string, pipeline: string) => `/api/v1/namespaces/${seg(ns)}/pipelines/${seg(pipeline)}/run`,
  executions: (ns: string) => `/api/v1/namespaces/${seg(ns)}/pipelineexecutions`,
  execution: (ns: string, name: string) => `/api/v1/namespaces/${seg(ns)}/pipelineexecutions/${seg(name)}`,
  stop: (ns: string, name: string) => `${apiPaths.execution(ns, name)}/stop`,
  rerun: (ns: string, name: string) => `${apiPaths.execution(ns, name)}/rerun`,
  approve: (ns: string, name: string) => `${apiPaths.execution(ns, name)}/approve`,
  reject: (ns: string, name: string) => `${apiPaths.execution(ns, name)}/reject`,
  logs: (ns: string, name: string) => `${apiPaths.execution(ns, name)}/logs`,
  logIndex: (ns: string, name: string) => `${apiPaths.execution(ns, name)}/logs/index`,
  logSearch: (ns: string, name: string) => `${apiPaths.execution(ns, name)}/logs/search`,
  queue: (ns: string) => `/api/v1/namespaces/${seg(ns)}/queue`,
  deliveries: (ns: string, pipeline: string) => `${apiPaths.pipeline(ns, pipeline)}/deliveries`,
  providers: (ns: string) => `/api/v1/namespaces/${seg(ns)}/sourcecodeproviders`,
  authorize: (ns: string, provider: string) => `${apiPaths.providers(ns)}/${seg(provider)}/authorize`,
  credentials: (ns: string) => `/api/v1/namespaces/${seg(ns)}/sourcecodecredentials`,
  credential: (ns: string, name: string) => `${apiPaths.credentials(ns)}/${seg(name)}`,
  refreshCredential: (ns: string, name: string) => `${apiPaths.credential(ns, name)}/refresh`,
  repositories: (ns: string) => `/api/v1/namespaces/${seg(ns)}/sourcecoderepositories`,
  authConfig: () => '/api/v1/auth/config',
  /** A browser navigation, not a fetch: the manager redirects to the OIDC issuer. */
  oidcLogin: (next: string) => `/api/v1/auth/oidc/login?next=${seg(next)}`,
};
