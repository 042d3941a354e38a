// Home: the projects you can see, with what runs and waits there, and the latest runs across them.
import { Link } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { useApi } from '../api/api-context';
import { useProjects } from '../api/queries';
import type { List, Pipeline, PipelineExecution } from '../api/types';
import { waitingGates } from '../api/approvals';
import { StatusBadge } from '../components/StatusBadge';
import { relativeTime } from '../components/format';
import { Empty, ErrorState, Loading } from '../components/States';
import { RunsTable } from '../components/RunsTable';
import { paths } from '../routes-paths';
import styles from './Page.module.css';

export function HomePage() {
  const api = useApi();
  const projects = useProjects();
  const recent = useQuery({
    queryKey: ['executions', '*', { limit: 10 }],
    queryFn: ({ signal }) => api.get<List<PipelineExecution>>('/api/v1/pipelineexecutions', { signal, query: { limit: 10 } }),
  });
  const running = useQuery({
    queryKey: ['executions', '*', { phase: 'Running' }],
    queryFn: ({ signal }) => api.get<List<PipelineExecution>>('/api/v1/pipelineexecutions', { signal, query: { phase: 'Running', limit: 500 } }),
  });
  const pipelines = useQuery({
    queryKey: ['pipelines', '*'],
    queryFn: ({ signal }) => api.get<List<Pipeline>>('/api/v1/pipelines', { signal, query: { limit: 500 } }),
  });
  const gates = running.data ? waitingGates(running.data.items) : [];
  const failing = (pipelines.data?.items ?? []).filter((pl) => pl.status?.lastExecution?.phase === 'Failed');
  return (
    <>
      {gates.length > 0 && (
        <div className={styles.banner} role="status">
          <Link to={paths.approvals()}>{gates.length} approval{gates.length === 1 ? '' : 's'} waiting</Link>
        </div>
      )}
      {failing.length > 0 && (
        <>
          <div className={styles.head}><h1>Last run failed</h1></div>
          <table className={styles.table}>
            <thead><tr><th scope="col">Pipeline</th><th scope="col">Project</th><th scope="col">Run</th><th scope="col">Status</th><th scope="col">Started</th></tr></thead>
            <tbody>
              {failing.map((pl) => {
                const ns = pl.metadata.namespace ?? '';
                const last = pl.status!.lastExecution!;
                return (
                  <tr key={`${ns}/${pl.metadata.name}`}>
                    <td><Link to={paths.pipeline(ns, pl.metadata.name)}>{pl.spec.displayName ?? pl.metadata.name}</Link></td>
                    <td>{ns}</td>
                    <td>{last.name ? <Link to={paths.run(ns, pl.metadata.name, last.name)}>#{last.run ?? last.name}</Link> : '—'}</td>
                    <td><StatusBadge phase={last.phase} /></td>
                    <td>{relativeTime(last.startTime)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </>
      )}
      <div className={styles.head}><h1>Projects</h1></div>
      {projects.isPending ? <Loading what="projects" />
        : projects.isError ? <ErrorState error={projects.error} what="projects" onRetry={() => void projects.refetch()} />
        : projects.data.items.length === 0 ? (
          <Empty title="No projects you can see">A project is a namespace with Keelson pipelines; ask for access to one, or create a Pipeline.</Empty>
        ) : (
          <div className={styles.cards}>
            {projects.data.items.map((p) => (
              <div key={p.name} className={styles.card}>
                <h2><Link to={paths.pipelines(p.name)}>{p.name}</Link></h2>
                <div className={styles.muted}>
                  {p.pipelines} pipeline{p.pipelines === 1 ? '' : 's'}
                  {' · '}{p.running === null ? 'runs hidden' : `${p.running} running`}
                  {p.queued === null ? '' : ` · `}
                  {p.queued === null ? null : <Link to={paths.queue(p.name)}>{p.queued} queued</Link>}
                </div>
              </div>
            ))}
          </div>
        )}
      <div className={styles.head}><h1>Recent runs</h1></div>
      {recent.isPending ? <Loading what="recent runs" />
        : recent.isError ? <ErrorState error={recent.error} what="recent runs" onRetry={() => void recent.refetch()} />
        : recent.data.items.length === 0 ? <Empty title="No runs yet" />
        : <RunsTable runs={recent.data.items} showPipeline showProject />}
    </>
  );
}
