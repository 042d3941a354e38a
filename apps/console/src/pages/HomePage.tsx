// Home: the projects you can see, with what runs and waits there, and the latest runs across them.
import { Link } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { useApi } from '../api/api-context';
import { useProjects } from '../api/queries';
import type { List, PipelineExecution } from '../api/types';
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
  return (
    <>
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
