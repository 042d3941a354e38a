// Starts the tab's one event stream while signed in and exposes its state for the header's live indicator.
import { useQueryClient } from '@tanstack/react-query';
import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import { useApi } from '../api/api-context';
import { apiPaths } from '../api/paths';
import { useToken } from '../auth/auth-context';
import { CacheUpdater } from './cache-updates';
import { EventStream, type StreamState } from './event-stream';

const StreamContext = createContext<{ state: StreamState; detail?: string }>({ state: 'stopped' });

export function EventStreamProvider({ children }: { children: ReactNode }) {
  const api = useApi();
  const client = useQueryClient();
  const token = useToken();
  const [status, setStatus] = useState<{ state: StreamState; detail?: string }>({ state: 'stopped' });
  useEffect(() => {
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
    stream.start();
    return () => {
      stream.stop();
      cache.flush();
    };
  }, [api, client, token]);
  return <StreamContext.Provider value={status}>{children}</StreamContext.Provider>;
}

export function useStreamState() {
  return useContext(StreamContext);
}
