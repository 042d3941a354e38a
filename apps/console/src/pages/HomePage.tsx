// Home: what waits for me (approvals I may answer), my recent runs, the pipelines whose default branch fails, the
// projects I can see and the latest runs across them. Every list is one bounded cross-namespace call (no request
// per pipeline); "me" is GET /api/v1/whoami.
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { useApi } from '../api/api-context';
import { waitingGates } from '../api/approvals';
import { gatesFor } from '../api/approvers';
import { failingDefaultBranches } from '../api/default-branch';
import { approvalInfo, whoMayAnswer } from '../graph/approval-info';
import { apiPaths } from '../api/paths';
import { useProjects, useWhoAmI } from '../api/queries';
import type { List, Pipeline, PipelineExecution, SourceCodeRepository } from '../api/types';
import { relativeTime } from '../components/format';
import { RunsTable, runLabel } from '../components/RunsTable';
import { Empty, ErrorState, Loading } from '../components/States';
import { StatusBadge } from '../components/StatusBadge';
import { paths } from '../routes-paths';
import styles from './Page.module.css';

/** Finished runs read to find each default branch's latest: the API's largest page. */
const FINISHED_WINDOW = 500;

function useList<T>(key: readonly unknown[], path: string, query: Record<string, string | number>, enabled = true) {
  const api = useApi();
  return useQuery({ queryKey: key, queryFn: ({ signal }) => api.get<List<T>>(path, { signal, query }), enabled });
}

export function HomePage() {
  const me = useWhoAmI();
  const username = me.data?.username;
  const mine = useList<PipelineExecution>(['executions', '*', { user: username, limit: 10 }], apiPaths.allExecutions(), { user: username ?? '', limit: 10 }, !!username);
  const running = useList<PipelineExecution>(['executions', '*', { phase: 'Running' }], apiPaths.allExecutions(), { phase: 'Running', limit: 500 });
  const finished = useList<PipelineExecution>(['executions', '*', { phase: 'Succeeded,Failed', limit: FINISHED_WINDOW }], apiPaths.allExecutions(), { phase: 'Succeeded,Failed', limit: FINISHED_WINDOW });
  const pipelines = useList<Pipeline>(['pipelines', '*'], apiPaths.allPipelines(), { limit: 500 });
  const repositories = useList<SourceCodeRepository>(['sourcecoderepositories', '*'], apiPaths.allRepositories(), { limit: 500 });
  const recent = useList<PipelineExecution>(['executions', '*', { limit: 10 }], apiPaths.allExecutions(), { limit: 10 });
  const gates = running.data ? waitingGates(running.data.items) : [];
  const forMe = me.data ? gatesFor(gates, me.data) : [];
  return (
    <>
      {gates.length > 0 && (
        <div className={styles.banner} role="status">
          <Link to={paths.approvals()}>{gates.length} approval{gates.length === 1 ? '' : 's'} waiting</Link>
        </div>
      )}

      <section aria-labelledby="home-waiting">
        <div className={styles.head}><h1 id="home-waiting">Waiting for me</h1></div>
        {me.isError ? <ErrorState error={me.error} what="who you are" onRetry={() => void me.refetch()} />
          : running.isError ? <ErrorState error={running.error} what="approvals" onRetry={() => void running.refetch()} />
          : me.isPending || running.isPending ? <Loading what="approvals" />
          : forMe.length === 0 ? <Empty title="Nothing waits for you">Approval steps you may answer appear here.</Empty>
          : (
            <table className={styles.table}>
              <thead><tr><th scope="col">Run</th><th scope="col">Project</th><th scope="col">Step</th><th scope="col">Who may answer</th><th scope="col">Waiting since</th></tr></thead>
              <tbody>
                {forMe.map((g) => {
                  const ns = g.e.metadata.namespace ?? '';
                  const who = whoMayAnswer(approvalInfo(g.e, g.stage, g.step));
                  return (
                    <tr key={`${ns}/${g.e.metadata.name}/${g.stage}/${g.step}`}>
                      <td><Link to={`${paths.run(ns, g.e.spec.pipelineRef.name, g.e.metadata.name)}?stage=${g.stage}&step=${g.step}`}>{g.e.spec.pipelineRef.name} {runLabel(g.e)}</Link></td>
                      <td>{ns}</td>
                      <td>{g.stageName} › {g.stepName}{g.message && <div className={styles.muted}>{g.message}</div>}</td>
                      <td>{who}</td>
                      <td>{relativeTime(g.since)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          )}
      </section>

      <section aria-labelledby="home-mine">
        <div className={styles.head}><h1 id="home-mine">My recent runs</h1>{username && <span className={styles.muted}>started by {username}</span>}</div>
        {me.isError ? null
          : mine.isError ? <ErrorState error={mine.error} what="your runs" onRetry={() => void mine.refetch()} />
          : me.isPending || mine.isPending ? <Loading what="your runs" />
          : mine.data.items.length === 0 ? <Empty title="You have started no runs">Runs you start or rerun appear here; runs of pushes are under their pipelines.</Empty>
          : <RunsTable runs={mine.data.items} showPipeline showProject />}
      </section>

      <FailingDefaultBranches pipelines={pipelines} repositories={repositories} finished={finished} />

      <Projects />

      <section aria-labelledby="home-recent">
        <div className={styles.head}><h1 id="home-recent">Recent runs</h1></div>
        {recent.isPending ? <Loading what="recent runs" />
          : recent.isError ? <ErrorState error={recent.error} what="recent runs" onRetry={() => void recent.refetch()} />
          : recent.data.items.length === 0 ? <Empty title="No runs yet" />
          : <RunsTable runs={recent.data.items} showPipeline showProject />}
      </section>
    </>
  );
}

type ListQuery<T> = ReturnType<typeof useList<T>>;

function FailingDefaultBranches({ pipelines, repositories, finished }: { pipelines: ListQuery<Pipeline>; repositories: ListQuery<SourceCodeRepository>; finished: ListQuery<PipelineExecution> }) {
  const failed = pipelines.error ?? finished.error;
  // Repositories only name default branches: without them, main or master are assumed.
  const ready = pipelines.data && finished.data && !repositories.isPending;
  const failing = ready ? failingDefaultBranches(pipelines.data!.items, repositories.data?.items ?? [], finished.data!.items) : [];
  return (
    <section aria-labelledby="home-failing">
      <div className={styles.head}><h1 id="home-failing">Failing default branches</h1></div>
      {failed ? <ErrorState error={failed} what="default branches" onRetry={() => { void pipelines.refetch(); void finished.refetch(); }} />
        : !ready ? <Loading what="default branches" />
        : failing.length === 0 ? <Empty title="No default branch is failing">The latest finished run of every default branch succeeded (of the {FINISHED_WINDOW} latest finished runs).</Empty>
        : (
          <table className={styles.table}>
            <thead><tr><th scope="col">Pipeline</th><th scope="col">Project</th><th scope="col">Branch</th><th scope="col">Run</th><th scope="col">Status</th><th scope="col">Finished</th></tr></thead>
            <tbody>
              {failing.map(({ pipeline, branch, run }) => {
                const ns = pipeline.metadata.namespace ?? '';
                return (
                  <tr key={`${ns}/${pipeline.metadata.name}`}>
                    <td><Link to={paths.pipeline(ns, pipeline.metadata.name)}>{pipeline.spec.displayName ?? pipeline.metadata.name}</Link></td>
                    <td>{ns}</td>
                    <td>{branch}</td>
                    <td><Link to={paths.run(ns, pipeline.metadata.name, run.metadata.name)}>{runLabel(run)}</Link></td>
                    <td><StatusBadge phase={run.status?.phase} /></td>
                    <td>{relativeTime(run.status?.completionTime)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
    </section>
  );
}

function Projects() {
  const projects = useProjects();
  return (
    <section aria-labelledby="home-projects">
      <div className={styles.head}><h1 id="home-projects">Projects</h1></div>
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
                  {p.queued === null ? '' : ' · '}
                  {p.queued === null ? null : <Link to={paths.queue(p.name)}>{p.queued} queued</Link>}
                </div>
              </div>
            ))}
          </div>
        )}
    </section>
  );
}
