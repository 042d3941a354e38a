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
  logs: (ns: string, name: string) => `${apiPaths.execution(ns, name)}/logs`,
  logIndex: (ns: string, name: string) => `${apiPaths.execution(ns, name)}/logs/index`,
  logSearch: (ns: string, name: string) => `${apiPaths.execution(ns, name)}/logs/search`,
  queue: (ns: string) => `/api/v1/namespaces/${seg(ns)}/queue`,
  authConfig: () => '/api/v1/auth/config',
  /** A browser navigation, not a fetch: the manager redirects to the OIDC issuer. */
  oidcLogin: (next: string) => `/api/v1/auth/oidc/login?next=${seg(next)}`,
};
