// The repositories the project's connections can see, and whether each is built (the Rancher-style "enable
// repository"): enabling makes a Pipeline for it (POST …/pipelines {repository}, which clones with the listing's
// credential and registers the webhook), or lifts an existing one's suspend; disabling suspends it (PATCH
// spec.suspend), keeping its history. A repository is matched to its Pipeline by the keelson.dev/repository label
// that POST puts on it, else by clone URL.
import { useQueryClient } from '@tanstack/react-query';
import { Power } from 'lucide-react';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { useApi } from '../api/api-context';
import { apiPaths } from '../api/paths';
import { ApiError } from '../api/problem';
import { keys, usePipelines } from '../api/queries';
import { sourceKeys, useCredentials, useRepositories } from '../api/source-code-queries';
import type { SourceCodeRepository } from '../api/source-code-types';
import type { Pipeline } from '../api/types';
import { ConditionBadge, findCondition } from '../components/ConditionBadge';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { Empty, ErrorState, Loading } from '../components/States';
import { ToneBadge } from '../components/ToneBadge';
import { paths } from '../routes-paths';
import styles from './Page.module.css';

const REPOSITORY_LABEL = 'keelson.dev/repository';

export function pipelineOf(repo: SourceCodeRepository, pipelines: Pipeline[]): Pipeline | undefined {
  return pipelines.find((pl) => pl.metadata.labels?.[REPOSITORY_LABEL] === repo.metadata.name)
    ?? pipelines.find((pl) => pl.spec.repositoryUrl === repo.spec.url);
}

export function RepositoriesPage() {
  const { p = '' } = useParams();
  const repos = useRepositories(p);
  const pipelines = usePipelines(p);
  const credentials = useCredentials(p);
  const head = (
    <>
      <div className={styles.crumbs}><Link to={paths.home()}>Projects</Link> / <Link to={paths.pipelines(p)}>{p}</Link></div>
      <div className={styles.head}>
        <h1>Repositories</h1>
        <div className={styles.actions}><Link className={styles.button} to={paths.providers(p)}>Git providers</Link></div>
      </div>
    </>
  );
  if (repos.isPending || pipelines.isPending) return <>{head}<Loading what="repositories" /></>;
  if (repos.isError) return <>{head}<ErrorState error={repos.error} what="repositories" onRetry={() => void repos.refetch()} /></>;
  if (pipelines.isError) return <>{head}<ErrorState error={pipelines.error} what="pipelines" onRetry={() => void pipelines.refetch()} /></>;
  const items = repos.data.pages.flatMap((pg) => pg.items);
  if (items.length === 0) {
    return (
      <>{head}
        <Empty title="No repository listed yet">
          Repositories appear once someone connects to a git provider on <Link to={paths.providers(p)}>Git providers</Link> and the listing finishes.
        </Empty>
      </>
    );
  }
  const providerOf = (credential: string) => credentials.data?.items.find((c) => c.metadata.name === credential)?.spec.providerRef.name;
  return (
    <>
      {head}
      <table className={styles.table}>
        <thead>
          <tr><th scope="col">Repository</th><th scope="col">Provider</th><th scope="col">Clone URL</th><th scope="col">Pipeline</th><th scope="col">Webhook</th><th scope="col"><span className="visually-hidden">Actions</span></th></tr>
        </thead>
        <tbody>
          {items.map((repo) => (
            <RepositoryRow key={repo.metadata.name} ns={p} repo={repo} pipeline={pipelineOf(repo, pipelines.data.items)} provider={providerOf(repo.spec.credentialRef.name)} />
          ))}
        </tbody>
      </table>
      {repos.hasNextPage && (
        <div className={styles.more}>
          <button type="button" className={styles.button} onClick={() => void repos.fetchNextPage()} disabled={repos.isFetchingNextPage}>
            {repos.isFetchingNextPage ? 'Loading…' : 'More repositories'}
          </button>
        </div>
      )}
    </>
  );
}

function RepositoryRow({ ns, repo, pipeline, provider }: { ns: string; repo: SourceCodeRepository; pipeline?: Pipeline; provider?: string }) {
  const api = useApi();
  const client = useQueryClient();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const label = repo.spec.fullName ?? repo.metadata.name;
  const enabled = pipeline !== undefined && !pipeline.spec.suspend;
  const refetch = () => Promise.all([
    client.invalidateQueries({ queryKey: keys.pipelines(ns) }),
    client.invalidateQueries({ queryKey: sourceKeys.repositories(ns) }),
  ]);
  const enable = async () => {
    setBusy(true);
    setError(undefined);
    try {
      if (pipeline) await api.patch(apiPaths.pipeline(ns, pipeline.metadata.name), { spec: { suspend: false } });
      else await api.post(apiPaths.pipelines(ns), { repository: repo.metadata.name });
      await refetch();
    } catch (err) {
      setError(err instanceof ApiError ? `${err.problem.title}: ${err.problem.detail}` : String(err));
    } finally {
      setBusy(false);
    }
  };
  const disable = async () => {
    await api.patch(apiPaths.pipeline(ns, pipeline!.metadata.name), { spec: { suspend: true } });
    await refetch();
  };
  const webhook = findCondition(pipeline?.status?.conditions, 'WebhookRegistered');
  return (
    <tr>
      <td>
        {repo.spec.htmlUrl ? <a href={repo.spec.htmlUrl} rel="noreferrer noopener" target="_blank">{label}</a> : label}
        {repo.spec.private && <span className={styles.muted}> (private)</span>}
        {repo.spec.defaultBranch && <div className={styles.muted}>default branch {repo.spec.defaultBranch}</div>}
      </td>
      <td>{provider ?? '—'}<div className={styles.muted}>via {repo.spec.credentialRef.name}</div></td>
      <td className={styles.mono}>{repo.spec.url}</td>
      <td>
        {!pipeline ? <ToneBadge tone="neutral" label="Not built" />
          : (
            <>
              {enabled ? <ToneBadge tone="success" label="Enabled" /> : <ToneBadge tone="neutral" label="Disabled" />}
              <div><Link to={paths.pipeline(ns, pipeline.metadata.name)}>{pipeline.metadata.name}</Link></div>
            </>
          )}
      </td>
      <td>
        {!pipeline ? '—' : webhook?.reason === 'NotManaged' ? <ToneBadge tone="neutral" label="Managed outside Keelson" title={webhook.message} />
          : <ConditionBadge condition={webhook} trueLabel="Registered" falseLabel="Failing" unknownLabel="Not registered yet" />}
        {webhook?.status === 'False' && webhook.reason !== 'NotManaged' && <div className={styles.muted}>{webhook.message}</div>}
      </td>
      <td>
        {enabled ? (
          <ConfirmDialog trigger="Disable" triggerLabel={`Disable ${label}`} title={`Disable ${label}?`} confirmLabel="Disable" onConfirm={disable}>
            <p>Suspends pipeline {pipeline!.metadata.name}: pushes and other triggers start no run until it is enabled again. Its runs and settings are kept.</p>
          </ConfirmDialog>
        ) : (
          <button type="button" className={`${styles.button} ${styles.primary}`} onClick={() => void enable()} disabled={busy} aria-label={`Enable ${label}`}>
            <Power size={14} aria-hidden="true" /> {busy ? 'Enabling…' : 'Enable'}
          </button>
        )}
        {error && <p role="alert" className={styles.muted}>Could not enable: {error}</p>}
      </td>
    </tr>
  );
}
