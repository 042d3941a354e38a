// API paths (docs/openapi.json), each segment escaped.
const seg = encodeURIComponent;

export const apiPaths = {
  projects: () => '/api/v1/projects',
  whoami: () => '/api/v1/whoami',
  allExecutions: () => '/api/v1/pipelineexecutions',
  allPipelines: () => '/api/v1/pipelines',
  allRepositories: () => '/api/v1/sourcecoderepositories',
  events: () => '/api/v1/events',
  pipelines: (ns: string) => `/api/v1/namespaces/${seg(ns)}/pipelines`,
  pipeline: (ns: string, name: string) => `/api/v1/namespaces/${seg(ns)}/pipelines/${seg(name)}`,
  run: (ns: string, pipeline: string) => `/api/v1/namespaces/${seg(ns)}/pipelines/${seg(pipeline)}/run`,
  executions: (ns: string) => `/api/v1/namespaces/${seg(ns)}/pipelineexecutions`,
  execution: (ns: string, name: string) => `/api/v1/namespaces/${seg(ns)}/pipelineexecutions/${seg(name)}`,
  stop: (ns: string, name: string) => `${apiPaths.execution(ns, name)}/stop`,
  rerun: (ns: string, name: string) => `${apiPaths.execution(ns, name)}/rerun`,
  executionConfig: (ns: string, name: string) => `${apiPaths.execution(ns, name)}/config`,
  logs: (ns: string, name: string) => `${apiPaths.execution(ns, name)}/logs`,
  logIndex: (ns: string, name: string) => `${apiPaths.execution(ns, name)}/logs/index`,
  logSearch: (ns: string, name: string) => `${apiPaths.execution(ns, name)}/logs/search`,
  queue: (ns: string) => `/api/v1/namespaces/${seg(ns)}/queue`,
};
