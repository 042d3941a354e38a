// Starts the tab's one event stream while signed in and exposes its state for the header's live indicator, and the
// stream itself for the pages that follow a live step's log on it (useLogFollower).
import { useQueryClient } from '@tanstack/react-query';
import { createContext, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { useApi } from '../api/api-context';
import { apiPaths } from '../api/paths';
import { useToken } from '../auth/auth-context';
import { CacheUpdater } from './cache-updates';
import { EventStream, type StreamState } from './event-stream';
import type { LogFollower } from './log-follow';

const StreamContext = createContext<{ state: StreamState; detail?: string }>({ state: 'stopped' });
const FollowerContext = createContext<LogFollower | undefined>(undefined);

export function EventStreamProvider({ children }: { children: ReactNode }) {
  const api = useApi();
  const client = useQueryClient();
  const token = useToken();
  const [status, setStatus] = useState<{ state: StreamState; detail?: string }>({ state: 'stopped' });
  // Made during render, started in the effect: a page's effects run before this one, and may already follow a log.
  const live = useMemo(() => {
    if (!token) return undefined;
    const cache = new CacheUpdater(client);
    const stream = new EventStream({
      url: () => api.url(apiPaths.events()),
      headers: () => api.headers({ Accept: 'text/event-stream' }),
      onEvent: (e) => cache.apply(e),
      onResync: () => cache.resync(),
      onState: (state, detail) => setStatus({ state, detail }),
      onUnauthenticated: () => api.tokens.clear(),
    });
    return { cache, stream };
  }, [api, client, token]);
  useEffect(() => {
    if (!live) return undefined;
    live.stream.start();
    return () => {
      live.stream.stop();
      live.cache.flush();
    };
  }, [live]);
  return (
    <StreamContext.Provider value={status}>
      <FollowerContext.Provider value={live?.stream}>{children}</FollowerContext.Provider>
    </StreamContext.Provider>
  );
}

export function useStreamState() {
  return useContext(StreamContext);
}

/** The tab's event stream, to follow a step's log on (undefined when signed out). */
export function useLogFollower(): LogFollower | undefined {
  return useContext(FollowerContext);
}
