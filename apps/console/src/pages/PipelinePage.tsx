// A pipeline: its runs newest first, a page at a time (the API's continue cursor), filtered by status, branch and
// event (in the URL), and the Run dialog.
import { Link, useParams, useSearchParams } from 'react-router';
import { useExecutions, usePipeline, type ExecutionFilters } from '../api/queries';
import { RunDialog } from '../components/RunDialog';
import { RunsTable } from '../components/RunsTable';
import { Empty, ErrorState, Loading } from '../components/States';
import { paths } from '../routes-paths';
import styles from './Page.module.css';

const PHASES = ['', 'Pending', 'Queued', 'Provisioning', 'Running', 'Succeeded', 'Failed', 'Aborted'];
const EVENTS = ['', 'push', 'pull_request', 'tag', 'manual', 'image'];

export function PipelinePage() {
  const { p = '', pl = '' } = useParams();
  const [params, setParams] = useSearchParams();
  const filters: ExecutionFilters = {
    pipeline: pl,
    ...(params.get('phase') && { phase: params.get('phase')! }),
    ...(params.get('branch') && { branch: params.get('branch')! }),
    ...(params.get('event') && { event: params.get('event')! }),
  };
  const pipeline = usePipeline(p, pl);
  const runs = useExecutions(p, filters);
  const setFilter = (key: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next, { replace: true });
  };
  const items = runs.data?.pages.flatMap((page) => page.items) ?? [];
  const filtered = Boolean(filters.phase || filters.branch || filters.event);
  return (
    <>
      <div className={styles.crumbs}>
        <Link to={paths.home()}>Projects</Link> / <Link to={paths.pipelines(p)}>{p}</Link> / {pl}
      </div>
      <div className={styles.head}>
        <h1>{pipeline.data?.spec.displayName ?? pl}</h1>
        {pipeline.data && <span className={`${styles.mono} ${styles.muted}`}>{pipeline.data.spec.repositoryUrl}</span>}
        <div className={styles.actions}>
          <Link className={styles.button} to={paths.deliveries(p, pl)}>Webhook deliveries</Link>
          <RunDialog ns={p} pipeline={pl} />
        </div>
      </div>
      {pipeline.isError && <ErrorState error={pipeline.error} what="the pipeline" onRetry={() => void pipeline.refetch()} />}
      <div className={styles.filters}>
        <label className={styles.field}>
          Status
          <select value={filters.phase ?? ''} onChange={(e) => setFilter('phase', e.target.value)}>
            {PHASES.map((ph) => <option key={ph} value={ph}>{ph || 'Any'}</option>)}
          </select>
        </label>
        <label className={styles.field}>
          Event
          <select value={filters.event ?? ''} onChange={(e) => setFilter('event', e.target.value)}>
            {EVENTS.map((ev) => <option key={ev} value={ev}>{ev || 'Any'}</option>)}
          </select>
        </label>
        <label className={styles.field}>
          Branch
          <input
            defaultValue={filters.branch ?? ''} placeholder="any"
            onKeyDown={(e) => { if (e.key === 'Enter') setFilter('branch', e.currentTarget.value.trim()); }}
            onBlur={(e) => setFilter('branch', e.currentTarget.value.trim())}
          />
        </label>
      </div>
      {runs.isPending ? <Loading what="runs" />
        : runs.isError ? <ErrorState error={runs.error} what="runs" onRetry={() => void runs.refetch()} />
        : items.length === 0 ? (
          <Empty title={filtered ? 'No run matches these filters' : 'No runs yet'}>
            {filtered ? 'Clear a filter to see more.' : 'Push to the repository, or start one with Run.'}
          </Empty>
        ) : (
          <>
            <RunsTable runs={items} />
            <div className={styles.more}>
              {runs.hasNextPage ? (
                <button type="button" className={styles.button} onClick={() => void runs.fetchNextPage()} disabled={runs.isFetchingNextPage}>
                  {runs.isFetchingNextPage ? 'Loading…' : 'Older runs'}
                </button>
              ) : <span className={styles.muted}>{items.length} run{items.length === 1 ? '' : 's'}, all shown</span>}
            </div>
          </>
        )}
    </>
  );
}
