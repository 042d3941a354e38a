// The project's queue: what waits, in the order it will start, and why ("waiting because…", T13); what runs,
// with its start-latency breakdown.
import { Link, useParams } from 'react-router';
import { useQueue } from '../api/queries';
import { formatDuration } from '../components/format';
import { Empty, ErrorState, Loading } from '../components/States';
import { StatusBadge } from '../components/StatusBadge';
import { paths } from '../routes-paths';
import styles from './Page.module.css';

const CAUSES: Record<string, string> = {
  Preparing: 'Reading its configuration from git',
  ProjectConcurrencyLimit: 'Project concurrency limit reached',
  PipelineConcurrencyLimit: 'Pipeline concurrency limit reached',
  Admitting: 'A slot is free: being admitted',
  DataPlaneProvisioning: 'Project data plane being provisioned',
  JenkinsQueue: 'In the Jenkins queue',
  PodUnschedulable: 'No node can take the build pod yet',
  PodStarting: 'Build pod starting',
  PodPending: 'Build pod pending',
};

const seconds = (s?: number) => (s === undefined ? '—' : formatDuration(s * 1000));

export function QueuePage() {
  const { p = '' } = useParams();
  const queue = useQueue(p);
  if (queue.isPending) return <Loading what="the queue" />;
  if (queue.isError) return <ErrorState error={queue.error} what="the queue" onRetry={() => void queue.refetch()} />;
  const q = queue.data;
  return (
    <>
      <div className={styles.crumbs}><Link to={paths.home()}>Projects</Link> / {p}</div>
      <div className={styles.head}>
        <h1>Queue</h1>
        <span className={styles.muted}>{q.admitted} of {q.limit} slots in use</span>
      </div>
      <h2>Waiting</h2>
      {q.queued.length === 0 ? <Empty title="Nothing is waiting">Every run of {p} has started.</Empty> : (
        <table className={styles.table}>
          <thead><tr><th scope="col">#</th><th scope="col">Run</th><th scope="col">Status</th><th scope="col">Waiting because</th><th scope="col">Waiting for</th></tr></thead>
          <tbody>
            {q.queued.map((x) => (
              <tr key={x.name}>
                <td>{x.position}</td>
                <td><Link to={paths.run(p, x.pipeline, x.name)}>{x.pipeline} {x.run ? `#${x.run}` : x.name}</Link></td>
                <td><StatusBadge phase={x.phase} /></td>
                <td><strong>{CAUSES[x.cause] ?? x.cause}</strong><div className={styles.muted}>{x.message}</div></td>
                <td>{seconds(x.waitingSeconds)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>Running</h2>
      {q.running.length === 0 ? <Empty title="Nothing is running" /> : (
        <table className={styles.table}>
          <thead>
            <tr><th scope="col">Run</th><th scope="col">Node</th><th scope="col">Queued</th><th scope="col">Provisioning</th><th scope="col">Jenkins queue</th><th scope="col">Pod scheduling</th><th scope="col">Pod startup</th><th scope="col">Total to start</th></tr>
          </thead>
          <tbody>
            {q.running.map((x) => (
              <tr key={x.name}>
                <td><Link to={paths.run(p, x.pipeline, x.name)}>{x.pipeline} {x.run ? `#${x.run}` : x.name}</Link></td>
                <td>{x.node ?? '—'}{x.warmNode ? ' (warm)' : ''}</td>
                <td>{seconds(x.startLatency.queued)}</td>
                <td>{seconds(x.startLatency.provisioning)}</td>
                <td>{seconds(x.startLatency.jenkinsQueue)}</td>
                <td>{seconds(x.startLatency.podScheduling)}</td>
                <td>{seconds(x.startLatency.podStartup)}</td>
                <td>{seconds(x.startLatency.total)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
