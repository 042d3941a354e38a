// Pipelines of a project: one row each with its last run (status, number, when, and a mini strip of its stages from
// the list's `summary.lastExecution`, so no request per row). The filter lives in the URL.
import { Link, useParams, useSearchParams } from 'react-router';
import { usePipelines } from '../api/queries';
import { relativeTime } from '../components/format';
import { MiniStageStrip } from '../components/MiniStageStrip';
import { Empty, ErrorState, Loading } from '../components/States';
import { StatusBadge } from '../components/StatusBadge';
import { paths } from '../routes-paths';
import styles from './Page.module.css';

export function PipelinesPage() {
  const { p = '' } = useParams();
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const pipelines = usePipelines(p);
  const rows = (pipelines.data?.items ?? []).filter((pl) => {
    const text = `${pl.metadata.name} ${pl.spec.displayName ?? ''} ${pl.spec.repositoryUrl}`.toLowerCase();
    return text.includes(q.toLowerCase());
  });
  return (
    <>
      <div className={styles.crumbs}><Link to={paths.home()}>Projects</Link> / {p}</div>
      <div className={styles.head}><h1>Pipelines</h1></div>
      <div className={styles.filters}>
        <label className={styles.field}>
          Filter
          <input
            type="search" value={q} placeholder="name or repository"
            onChange={(e) => setParams(e.target.value ? { q: e.target.value } : {}, { replace: true })}
          />
        </label>
      </div>
      {pipelines.isPending ? <Loading what="pipelines" />
        : pipelines.isError ? <ErrorState error={pipelines.error} what="pipelines" onRetry={() => void pipelines.refetch()} />
        : pipelines.data.items.length === 0 ? (
          <Empty title={`No pipelines in ${p}`}>Create a Pipeline for a repository (REST: POST /api/v1/namespaces/{p}/pipelines, or kubectl apply).</Empty>
        ) : rows.length === 0 ? <Empty title={`No pipeline matches “${q}”`} />
        : (
          <table className={styles.table}>
            <thead>
              <tr><th scope="col">Pipeline</th><th scope="col">Repository</th><th scope="col">Last run</th><th scope="col">Status</th><th scope="col">Stages</th><th scope="col">Started</th></tr>
            </thead>
            <tbody>
              {rows.map((pl) => {
                // The API's summary is the newest execution (with its stages); the status field is the controller's.
                const summary = pl.summary?.lastExecution ?? undefined;
                const last = summary ?? pl.status?.lastExecution;
                return (
                  <tr key={pl.metadata.name}>
                    <td>
                      <Link to={paths.pipeline(p, pl.metadata.name)}>{pl.spec.displayName ?? pl.metadata.name}</Link>
                      {pl.spec.suspend && <span className={styles.muted}> (suspended)</span>}
                    </td>
                    <td className={styles.mono}>{pl.spec.repositoryUrl}</td>
                    <td>{last?.name ? <Link to={paths.run(p, pl.metadata.name, last.name)}>#{last.run ?? last.name}</Link> : <span className={styles.muted}>never run</span>}</td>
                    <td>{last ? <StatusBadge phase={last.phase} /> : '—'}</td>
                    <td>{summary?.stages?.length ? <MiniStageStrip stages={summary.stages} label={`Stages of ${pl.metadata.name} #${summary.run ?? summary.name}`} /> : <span className={styles.muted}>—</span>}</td>
                    <td>{relativeTime(last?.startTime)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
    </>
  );
}
