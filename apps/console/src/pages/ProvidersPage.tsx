// A project's git providers and the credentials signed in to them (issue 11). "Connect" asks the API for the
// provider's authorize URL (the bearer token rides on a fetch; a plain link could not carry it) and sends the
// browser there; the provider's callback comes back to this page with `?credential=<name>`.
import { useQueryClient } from '@tanstack/react-query';
import { CheckCircle2, LogIn, RefreshCw, X } from 'lucide-react';
import { useState } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { useApi } from '../api/api-context';
import { apiPaths } from '../api/paths';
import { problemMessage } from '../api/use-form-action';
import { sourceKeys, useCredentials, useProviders } from '../api/source-code-queries';
import type { RefreshRequested, SourceCodeCredential, SourceCodeProvider } from '../api/source-code-types';
import { browserLocation } from '../components/browser-location';
import { ConditionBadge, findCondition } from '../components/ConditionBadge';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { formatTime, relativeTime } from '../components/format';
import { Empty, ErrorState, Loading } from '../components/States';
import { ToneBadge } from '../components/ToneBadge';
import { paths } from '../routes-paths';
import styles from './Page.module.css';

const TYPE_NAMES: Record<string, string> = { github: 'GitHub', gitlab: 'GitLab', gitea: 'Gitea', bitbucket: 'Bitbucket' };
const PUBLIC_SERVERS: Record<string, string> = { github: 'https://github.com', gitlab: 'https://gitlab.com', bitbucket: 'https://bitbucket.org' };

const message = problemMessage;

export function ProvidersPage() {
  const { p = '' } = useParams();
  const [search, setSearch] = useSearchParams();
  const connected = search.get('credential') ?? undefined;
  const providers = useProviders(p);
  const credentials = useCredentials(p, connected);
  return (
    <>
      <div className={styles.crumbs}><Link to={paths.home()}>Projects</Link> / <Link to={paths.pipelines(p)}>{p}</Link> / settings</div>
      <div className={styles.head}><h1>Git providers</h1></div>
      {connected && (
        <ConnectedBanner
          ns={p}
          name={connected}
          credential={credentials.data?.items.find((c) => c.metadata.name === connected)}
          onDismiss={() => setSearch((s) => { s.delete('credential'); return s; }, { replace: true })}
        />
      )}
      <h2>Providers</h2>
      {providers.isPending ? <Loading what="providers" />
        : providers.isError ? <ErrorState error={providers.error} what="providers" onRetry={() => void providers.refetch()} />
          : providers.data.items.length === 0 ? (
            <Empty title="No git provider is configured">
              An administrator adds a SourceCodeProvider to {p} (GitHub, GitLab, Gitea or Bitbucket, with its OAuth application); then you can connect to it here.
            </Empty>
          ) : <ProviderTable ns={p} providers={providers.data.items} />}
      <h2>Connections</h2>
      {credentials.isPending ? <Loading what="connections" />
        : credentials.isError ? <ErrorState error={credentials.error} what="connections" onRetry={() => void credentials.refetch()} />
          : credentials.data.items.length === 0 ? (
            <Empty title="No connection yet">Connect to a provider above: its repositories are then listed under <Link to={paths.repositories(p)}>Repositories</Link>.</Empty>
          ) : <CredentialTable ns={p} credentials={credentials.data.items} highlighted={connected} />}
    </>
  );
}

function ConnectedBanner({ ns, name, credential, onDismiss }: { ns: string; name: string; credential?: SourceCodeCredential; onDismiss: () => void }) {
  return (
    <div className={`${styles.banner} ${styles.bannerRow}`} role="status">
      <CheckCircle2 size={16} aria-hidden="true" />
      <span>
        <strong>Connected as {name}</strong>
        {credential && <> ({credential.spec.loginName} at {credential.spec.providerRef.name}). {credential.status?.lastRefreshTime
          ? <>{credential.status.repositoryCount ?? 0} repositories listed: <Link to={paths.repositories(ns)}>enable one</Link>.</>
          : 'Its repositories are being listed…'}</>}
      </span>
      <button type="button" className={styles.button} onClick={onDismiss} aria-label="Dismiss"><X size={14} aria-hidden="true" /></button>
    </div>
  );
}

function ProviderTable({ ns, providers }: { ns: string; providers: SourceCodeProvider[] }) {
  return (
    <table className={styles.table}>
      <thead><tr><th scope="col">Name</th><th scope="col">Type</th><th scope="col">Server</th><th scope="col">State</th><th scope="col"><span className="visually-hidden">Actions</span></th></tr></thead>
      <tbody>
        {providers.map((pr) => (
          <tr key={pr.metadata.name}>
            <td>{pr.metadata.name}</td>
            <td>{TYPE_NAMES[pr.spec.type] ?? pr.spec.type}</td>
            <td className={styles.mono}>{pr.spec.serverUrl ?? PUBLIC_SERVERS[pr.spec.type] ?? '—'}</td>
            <td>
              {pr.spec.enabled === false ? <ToneBadge tone="neutral" label="Disabled" />
                : <ConditionBadge condition={findCondition(pr.status?.conditions, 'Ready')} trueLabel="Ready" falseLabel="Not ready" />}
              {findCondition(pr.status?.conditions, 'Ready')?.status === 'False' && <div className={styles.muted}>{findCondition(pr.status?.conditions, 'Ready')?.message}</div>}
            </td>
            <td><ConnectButton ns={ns} provider={pr} /></td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function ConnectButton({ ns, provider }: { ns: string; provider: SourceCodeProvider }) {
  const api = useApi();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const name = provider.metadata.name;
  const connect = async () => {
    setBusy(true);
    setError(undefined);
    try {
      // Accept: application/json (the client's default) gets {authorizeUrl} instead of a 302 a fetch cannot follow.
      const { authorizeUrl } = await api.get<{ authorizeUrl: string }>(apiPaths.authorize(ns, name));
      browserLocation.assign(authorizeUrl);
    } catch (err) {
      setError(message(err));
      setBusy(false);
    }
  };
  return (
    <>
      <button type="button" className={`${styles.button} ${styles.primary}`} onClick={() => void connect()} disabled={busy || provider.spec.enabled === false} aria-label={`Connect to ${name}`}>
        <LogIn size={14} aria-hidden="true" /> {busy ? 'Connecting…' : 'Connect'}
      </button>
      {error && <p role="alert" className={styles.muted}>Could not connect: {error}</p>}
    </>
  );
}

function CredentialTable({ ns, credentials, highlighted }: { ns: string; credentials: SourceCodeCredential[]; highlighted?: string }) {
  return (
    <table className={styles.table}>
      <thead>
        <tr><th scope="col">Connection</th><th scope="col">Provider</th><th scope="col">Login</th><th scope="col">Kubernetes user</th><th scope="col">State</th><th scope="col">Repositories</th><th scope="col"><span className="visually-hidden">Actions</span></th></tr>
      </thead>
      <tbody>
        {credentials.map((c) => <CredentialRow key={c.metadata.name} ns={ns} credential={c} current={c.metadata.name === highlighted} />)}
      </tbody>
    </table>
  );
}

function CredentialRow({ ns, credential: c, current }: { ns: string; credential: SourceCodeCredential; current: boolean }) {
  const api = useApi();
  const client = useQueryClient();
  const name = c.metadata.name;
  const [refresh, setRefresh] = useState<{ busy?: boolean; asked?: string; error?: string }>({});
  const askRefresh = async () => {
    setRefresh({ busy: true });
    try {
      const answer = await api.post<RefreshRequested>(apiPaths.refreshCredential(ns, name), undefined);
      setRefresh({ asked: answer.requested });
      void client.invalidateQueries({ queryKey: sourceKeys.credentials(ns) });
      void client.invalidateQueries({ queryKey: sourceKeys.repositories(ns) });
    } catch (err) {
      setRefresh({ error: message(err) });
    }
  };
  const disconnect = async () => {
    await api.delete(apiPaths.credential(ns, name));
    await client.invalidateQueries({ queryKey: sourceKeys.credentials(ns) });
    void client.invalidateQueries({ queryKey: sourceKeys.repositories(ns) });
  };
  const ready = findCondition(c.status?.conditions, 'Ready');
  return (
    <tr aria-current={current ? 'true' : undefined}>
      <td>{name}{current && <div className={styles.muted}>just connected</div>}</td>
      <td>{c.spec.providerRef.name}</td>
      <td>
        {c.spec.htmlUrl ? <a href={c.spec.htmlUrl} rel="noreferrer noopener" target="_blank">{c.spec.loginName}</a> : c.spec.loginName}
        {c.spec.displayName && <div className={styles.muted}>{c.spec.displayName}</div>}
      </td>
      <td className={styles.mono}>{c.spec.userName}</td>
      <td>
        <ConditionBadge condition={ready} trueLabel="Ready" falseLabel="Not ready" />
        {ready?.status === 'False' && <div className={styles.muted}>{ready.message}</div>}
        {c.status?.tokenExpiresAt && <div className={styles.muted}>Token expires {formatTime(c.status.tokenExpiresAt)}</div>}
      </td>
      <td>
        {c.status?.repositoryCount ?? '—'}
        <div className={styles.muted}>{c.status?.lastRefreshTime ? `listed ${relativeTime(c.status.lastRefreshTime)}` : 'not listed yet'}</div>
        {refresh.asked && <div className={styles.muted} role="status">Refresh asked at {formatTime(refresh.asked)}</div>}
        {refresh.error && <div role="alert" className={styles.muted}>Could not refresh: {refresh.error}</div>}
      </td>
      <td>
        <div className={styles.rowActions}>
          <button type="button" className={styles.button} onClick={() => void askRefresh()} disabled={refresh.busy} aria-label={`Refresh repositories of ${name}`}>
            <RefreshCw size={14} aria-hidden="true" /> Refresh repositories
          </button>
          <ConfirmDialog trigger="Disconnect" triggerLabel={`Disconnect ${name}`} title={`Disconnect ${name}?`} confirmLabel="Disconnect" onConfirm={disconnect}>
            <p>Deletes the connection {name} ({c.spec.loginName} at {c.spec.providerRef.name}) and its token. Pipelines that clone with it can no longer read private repositories until someone connects again.</p>
          </ConfirmDialog>
        </div>
      </td>
    </tr>
  );
}
