// Sign in with a bearer token (a ServiceAccount token, or any token the cluster's TokenReview accepts). It is
// checked with one API call before it is kept. OIDC sign-in comes later (issue 14 §4).
import { KeyRound } from 'lucide-react';
import { useState, type FormEvent } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { apiPaths } from '../api/paths';
import { ApiError } from '../api/problem';
import { useApi } from '../api/api-context';
import { useTokenStore } from '../auth/auth-context';
import { TokenStore } from '../auth/token-store';
import { ApiClient } from '../api/client';
import { ThemeToggle } from '../theme/ThemeToggle';
import styles from './LoginPage.module.css';

export function LoginPage() {
  const api = useApi();
  const tokens = useTokenStore();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const next = params.get('next');
  const target = next && next.startsWith('/') && !next.startsWith('//') ? next : '/';

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    if (!token.trim()) {
      setError('Paste a bearer token first.');
      return;
    }
    setBusy(true);
    try {
      // Try the token on its own client, so a refusal does not touch the stored one.
      const probe = new TokenStore(undefined);
      probe.set(token);
      await new ApiClient(probe, undefined, api.baseUrl).get(apiPaths.projects());
      tokens.set(token);
      navigate(target, { replace: true });
    } catch (err) {
      setError(err instanceof ApiError ? `${err.problem.title}: ${err.problem.detail}` : String(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className={styles.page}>
      <main className={styles.box}>
        <h1><KeyRound size={20} aria-hidden="true" /> Sign in to Keelson</h1>
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
          {error && <p className={styles.error} role="alert">{error}</p>}
          <button type="submit" disabled={busy} className={styles.submit}>{busy ? 'Checking…' : 'Sign in'}</button>
        </form>
        <div className={styles.theme}><ThemeToggle /></div>
      </main>
    </div>
  );
}
