// The app: providers (API client, token, query cache, event stream) and the router built from routes.tsx.
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { useEffect, useLayoutEffect, type ReactNode } from 'react';
import { BrowserRouter, MemoryRouter, Route, Routes, useLocation, useNavigate } from 'react-router';
import { ApiProvider } from './api/api-context';
import { ApiClient } from './api/client';
import { ApiError } from './api/problem';
import { RequireAuth, TokenProvider } from './auth/auth-context';
import type { TokenStore } from './auth/token-store';
import { AppShell } from './components/AppShell';
import { EventStreamProvider } from './events/stream-context';
import { LoginPage } from './pages/LoginPage';
import { paths } from './routes-paths';
import { ROUTES } from './routes';

export function makeQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        // The event stream keeps watched data fresh; refetch on focus only as a fallback.
        staleTime: 30_000,
        retry: (count, err) => !(err instanceof ApiError && err.status >= 400 && err.status < 500) && count < 2,
      },
    },
  });
}

/** When the token goes (sign out, or a 401), go to /login and drop what was cached for it. */
function SignOutWatcher({ tokens, client }: { tokens: TokenStore; client: QueryClient }) {
  const navigate = useNavigate();
  const location = useLocation();
  useEffect(() => tokens.subscribe((token) => {
    if (token) return;
    client.clear();
    if (location.pathname !== '/login') navigate(paths.login(location.pathname + location.search + location.hash), { replace: true });
  }), [tokens, client, navigate, location]);
  return null;
}

/** The page's plain title; a layout effect, so a page's own (passive) title effect, e.g. the run's status, wins. */
function Titled({ title, children }: { title: string; children: ReactNode }) {
  useLayoutEffect(() => {
    document.title = `${title} · Keelson`;
  }, [title]);
  return <>{children}</>;
}

export function AppRoutes() {
  return (
    <Routes>
      <Route path="/login" element={<LoginPage />} />
      <Route element={<RequireAuth><EventStreamProvider><AppShell /></EventStreamProvider></RequireAuth>}>
        {ROUTES.map(({ path, page: Page, title }) => <Route key={path} path={path} element={<Titled title={title}><Page /></Titled>} />)}
      </Route>
    </Routes>
  );
}

export interface AppProps {
  tokens: TokenStore;
  client?: QueryClient;
  api?: ApiClient;
  /** Tests render at a path without a browser history. */
  initialPath?: string;
}

export function App({ tokens, client = makeQueryClient(), api = new ApiClient(tokens), initialPath }: AppProps) {
  const routes: ReactNode = (
    <>
      <SignOutWatcher tokens={tokens} client={client} />
      <AppRoutes />
    </>
  );
  return (
    <TokenProvider store={tokens}>
      <ApiProvider client={api}>
        <QueryClientProvider client={client}>
          {initialPath ? <MemoryRouter initialEntries={[initialPath]}>{routes}</MemoryRouter> : <BrowserRouter>{routes}</BrowserRouter>}
        </QueryClientProvider>
      </ApiProvider>
    </TokenProvider>
  );
}
