// TanStack Query keys and hooks. The event stream (events/event-stream.ts) writes into the same keys, so a page
// that reads through these hooks updates live without polling.
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useApi } from './api-context';
import { apiPaths } from './paths';
import type { ExecutionConfig, List, LogLineIndex, Pipeline, PipelineExecution, Project, ProjectQueue, WhoAmI } from './types';

export const keys = {
  projects: () => ['projects'] as const,
  whoami: () => ['whoami'] as const,
  executionConfig: (ns: string, name: string) => ['execution-config', ns, name] as const,
  pipelines: (ns: string) => ['pipelines', ns] as const,
  pipeline: (ns: string, name: string) => ['pipeline', ns, name] as const,
  executions: (ns: string, filters: ExecutionFilters) => ['executions', ns, filters] as const,
  executionsOf: (ns: string) => ['executions', ns] as const,
  execution: (ns: string, name: string) => ['execution', ns, name] as const,
  queue: (ns: string) => ['queue', ns] as const,
  logIndex: (ns: string, name: string, stage: number, step: number) => ['log-index', ns, name, stage, step] as const,
};

export interface ExecutionFilters {
  pipeline?: string;
  phase?: string;
  branch?: string;
  event?: string;
}

export const PAGE_SIZE = 25;

export function useProjects() {
  const api = useApi();
  return useQuery({ queryKey: keys.projects(), queryFn: ({ signal }) => api.get<{ items: Project[] }>(apiPaths.projects(), { signal }) });
}

export function usePipelines(ns: string) {
  const api = useApi();
  return useQuery({
    queryKey: keys.pipelines(ns),
    queryFn: ({ signal }) => api.get<List<Pipeline>>(apiPaths.pipelines(ns), { signal, query: { limit: 500 } }),
  });
}

export function usePipeline(ns: string, name: string) {
  const api = useApi();
  return useQuery({ queryKey: keys.pipeline(ns, name), queryFn: ({ signal }) => api.get<Pipeline>(apiPaths.pipeline(ns, name), { signal }) });
}

/** Runs, newest first, a page at a time with the API's `continue` cursor. */
export function useExecutions(ns: string, filters: ExecutionFilters) {
  const api = useApi();
  return useInfiniteQuery({
    queryKey: keys.executions(ns, filters),
    initialPageParam: '',
    queryFn: ({ pageParam, signal }) => api.get<List<PipelineExecution>>(apiPaths.executions(ns), {
      signal, query: { limit: PAGE_SIZE, continue: pageParam || undefined, ...filters },
    }),
    getNextPageParam: (last) => last.metadata.continue || undefined,
  });
}

export function useExecution(ns: string, name: string) {
  const api = useApi();
  return useQuery({ queryKey: keys.execution(ns, name), queryFn: ({ signal }) => api.get<PipelineExecution>(apiPaths.execution(ns, name), { signal }) });
}

export function useQueue(ns: string) {
  const api = useApi();
  return useQuery({
    queryKey: keys.queue(ns),
    queryFn: ({ signal }) => api.get<ProjectQueue>(apiPaths.queue(ns), { signal }),
    // The queue is derived (positions, causes), not a watched kind: refetched often while shown.
    refetchInterval: 5_000,
  });
}

export function useLogIndex(ns: string, name: string, stage: number, step: number) {
  const api = useApi();
  return useQuery({
    queryKey: keys.logIndex(ns, name, stage, step),
    queryFn: ({ signal }) => api.get<LogLineIndex>(apiPaths.logIndex(ns, name), { signal, query: { stage, step } }),
    staleTime: Infinity,
  });
}

/** Who the token is: for "my runs" and "waiting for me". It does not change while the token lives. */
export function useWhoAmI() {
  const api = useApi();
  return useQuery({ queryKey: keys.whoami(), queryFn: ({ signal }) => api.get<WhoAmI>(apiPaths.whoami(), { signal }), staleTime: Infinity });
}

/** The run's pipeline file at its commit: a commit never changes, so it is read once. */
export function useExecutionConfig(ns: string, name: string) {
  const api = useApi();
  return useQuery({
    queryKey: keys.executionConfig(ns, name),
    queryFn: ({ signal }) => api.get<ExecutionConfig>(apiPaths.executionConfig(ns, name), { signal }),
    staleTime: Infinity,
    retry: false,
  });
}
