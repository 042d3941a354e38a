// Signed in = a token is held. The API decides what it may do; a 401 anywhere clears it (ApiClient), and the
// RequireAuth wrapper sends the user to /login with the page to come back to.
import { createContext, useContext, useSyncExternalStore, type ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';
import { paths } from '../routes-paths';
import type { TokenStore } from './token-store';

const TokenContext = createContext<TokenStore | null>(null);

export function TokenProvider({ store, children }: { store: TokenStore; children: ReactNode }) {
  return <TokenContext.Provider value={store}>{children}</TokenContext.Provider>;
}

export function useTokenStore(): TokenStore {
  const store = useContext(TokenContext);
  if (!store) throw new Error('useTokenStore outside TokenProvider');
  return store;
}

export function useToken(): string | undefined {
  const store = useTokenStore();
  return useSyncExternalStore((cb) => store.subscribe(cb), () => store.get());
}

export function RequireAuth({ children }: { children: ReactNode }) {
  const token = useToken();
  const location = useLocation();
  if (!token) return <Navigate to={paths.login(location.pathname + location.search + location.hash)} replace />;
  return <>{children}</>;
}
