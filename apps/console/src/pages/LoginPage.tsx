// Sign in with a bearer token (a ServiceAccount token, or any token the cluster's TokenReview accepts), or, when the
// operator configured it, with the OIDC issuer: the manager runs the code flow and returns the ID token in this
// page's URL fragment, which is read once, cleared, and kept like a typed token. Either is checked with one API
// call before it is kept.
import { useQuery } from '@tanstack/react-query';
import { AlertTriangle, KeyRound, LogIn } from 'lucide-react';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useLocation, useNavigate, useSearchParams } from 'react-router';
import { apiPaths } from '../api/paths';
import { ApiError } from '../api/problem';
import { useApi } from '../api/api-context';
import { useTokenStore } from '../auth/auth-context';
import { clearFragment, parseSignInFragment, sameOriginPath } from '../auth/sign-in-fragment';
import { TokenStore } from '../auth/token-store';
import { ApiClient } from '../api/client';
import { ThemeToggle } from '../theme/ThemeToggle';
import styles from './LoginPage.module.css';

interface AuthConfig {
  oidc: { enabled: boolean; issuer?: string };
}

function hostOf(issuer: string | undefined): string {
  try {
    return issuer ? new URL(issuer).host : 'single sign-on';
  } catch {
    return 'single sign-on';
  }
}

export function LoginPage() {
  const api = useApi();
  const tokens = useTokenStore();
  const navigate = useNavigate();
  const location = useLocation();
  const [params] = useSearchParams();
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const target = sameOriginPath(params.get('next'));
  const authConfig = useQuery({
    queryKey: ['auth-config'],
    queryFn: ({ signal }) => api.get<AuthConfig>(apiPaths.authConfig(), { signal }),
    staleTime: Infinity,
  });
  const oidc = authConfig.data?.oidc.enabled ? authConfig.data.oidc : undefined;

  /** Tries the token on its own client, so a refusal does not touch the stored one; keeps it when the API takes it. */
  const signInWith = async (candidate: string, next: string) => {
    setError(undefined);
    setBusy(true);
    try {
      const probe = new TokenStore(undefined);
      probe.set(candidate);
      await new ApiClient(probe, undefined, api.baseUrl).get(apiPaths.projects());
      tokens.set(candidate);
      navigate(next, { replace: true });
    } catch (err) {
      setError(err instanceof ApiError ? `${err.problem.title}: ${err.problem.detail}` : String(err));
    } finally {
      setBusy(false);
    }
  };

  // The OIDC callback's answer, once (a second run of the effect in StrictMode must not sign in twice).
  const consumed = useRef(false);
  useEffect(() => {
    if (consumed.current) return;
    consumed.current = true;
    const fragment = parseSignInFragment(location.hash);
    if (fragment.kind === 'none') return;
    clearFragment();
    navigate({ pathname: location.pathname, search: location.search }, { replace: true });
    if (fragment.kind === 'error') setError(`Single sign-on failed (${fragment.code}): ${fragment.message}`);
    else void signInWith(fragment.idToken, fragment.next);
    // Only the location the page opened with carries the fragment: this runs once, on mount.
  }, []);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    if (!token.trim()) {
      setError('Paste a bearer token first.');
      return;
    }
    await signInWith(token, target);
  };

  return (
    <div className={styles.page}>
      <main className={styles.box}>
        <h1><KeyRound size={20} aria-hidden="true" /> Sign in to Keelson</h1>
        {oidc && (
          <>
            <a className={styles.oidc} href={`${api.baseUrl}${apiPaths.oidcLogin(target)}`}>
              <LogIn size={16} aria-hidden="true" /> Sign in with {hostOf(oidc.issuer)}
            </a>
            <p className={styles.divider}>or with a bearer token</p>
          </>
        )}
        <form onSubmit={submit}>
          <label htmlFor="token">Bearer token</label>
          <textarea
            id="token" name="token" rows={4} value={token} autoComplete="off" spellCheck={false}
            onChange={(e) => setToken(e.target.value)} aria-describedby="token-help"
            aria-invalid={error ? true : undefined}
          />
          <p id="token-help" className={styles.help}>
            A token the cluster accepts (TokenReview), e.g. <code>kubectl create token &lt;serviceaccount&gt;</code>.
            It is kept in this tab's session storage only and sent as <code>Authorization: Bearer</code>.
          </p>
          {error && <p className={styles.error} role="alert"><AlertTriangle size={16} aria-hidden="true" />{error}</p>}
          <button type="submit" disabled={busy} className={styles.submit}>{busy ? 'Checking…' : 'Sign in'}</button>
        </form>
        <div className={styles.theme}><ThemeToggle /></div>
      </main>
    </div>
  );
}
