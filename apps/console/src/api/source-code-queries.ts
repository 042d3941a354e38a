// Queries of the source-code pages (providers, credentials, repositories) and a pipeline's webhook deliveries.
// These kinds are not on the event stream: a page refetches after its own writes.
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useApi } from './api-context';
import { apiPaths } from './paths';
import type { Delivery, SourceCodeCredential, SourceCodeProvider, SourceCodeRepository } from './source-code-types';
import type { List } from './types';

export const sourceKeys = {
  providers: (ns: string) => ['sourcecodeproviders', ns] as const,
  credentials: (ns: string) => ['sourcecodecredentials', ns] as const,
  repositories: (ns: string) => ['sourcecoderepositories', ns] as const,
  deliveries: (ns: string, pipeline: string, limit: number) => ['deliveries', ns, pipeline, limit] as const,
};

const LIST_LIMIT = 500;

export function useProviders(ns: string) {
  const api = useApi();
  return useQuery({
    queryKey: sourceKeys.providers(ns),
    queryFn: ({ signal }) => api.get<List<SourceCodeProvider>>(apiPaths.providers(ns), { signal, query: { limit: LIST_LIMIT } }),
  });
}

/** `waitFor`: a credential just made by a sign-in, polled until its first listing is done (not a watched kind). */
export function useCredentials(ns: string, waitFor?: string) {
  const api = useApi();
  return useQuery({
    queryKey: sourceKeys.credentials(ns),
    queryFn: ({ signal }) => api.get<List<SourceCodeCredential>>(apiPaths.credentials(ns), { signal, query: { limit: LIST_LIMIT } }),
    refetchInterval: (query) => {
      if (!waitFor) return false;
      const credential = query.state.data?.items.find((c) => c.metadata.name === waitFor);
      return credential?.status?.lastRefreshTime ? false : 3_000;
    },
  });
}

/** Repositories a page at a time with the API's `continue` cursor. */
export function useRepositories(ns: string) {
  const api = useApi();
  return useInfiniteQuery({
    queryKey: sourceKeys.repositories(ns),
    initialPageParam: '',
    queryFn: ({ pageParam, signal }) => api.get<List<SourceCodeRepository>>(apiPaths.repositories(ns), {
      signal, query: { limit: LIST_LIMIT, continue: pageParam || undefined },
    }),
    getNextPageParam: (last) => last.metadata.continue || undefined,
  });
}

/** The API answers the newest `limit` deliveries (at most 200) with no cursor: "show more" asks for a larger limit. */
export function useDeliveries(ns: string, pipeline: string, limit: number) {
  const api = useApi();
  return useQuery({
    queryKey: sourceKeys.deliveries(ns, pipeline, limit),
    queryFn: ({ signal }) => api.get<{ items: Delivery[] }>(apiPaths.deliveries(ns, pipeline), { signal, query: { limit } }),
    placeholderData: (previous) => previous,
  });
}
