// A table of runs: status (icon + word), number, commit, branch, trigger, duration, when.
import { Link } from 'react-router';
import type { PipelineExecution } from '../api/types';
import { paths } from '../routes-paths';
import styles from '../pages/Page.module.css';
import { elapsed, formatDuration, relativeTime, shortSha } from './format';
import { StatusBadge } from './StatusBadge';

export function runLabel(e: PipelineExecution): string {
  return e.spec.run ? `#${e.spec.run}` : e.metadata.name;
}

export function RunsTable({ runs, showPipeline = false, showProject = false }: { runs: PipelineExecution[]; showPipeline?: boolean; showProject?: boolean }) {
  return (
    <table className={styles.table}>
      <thead>
        <tr>
          <th scope="col">Status</th>
          <th scope="col">Run</th>
          {showProject && <th scope="col">Project</th>}
          {showPipeline && <th scope="col">Pipeline</th>}
          <th scope="col">Commit</th>
          <th scope="col">Branch</th>
          <th scope="col">Trigger</th>
          <th scope="col">Duration</th>
          <th scope="col">Created</th>
        </tr>
      </thead>
      <tbody>
        {runs.map((e) => {
          const ns = e.metadata.namespace ?? '';
          const pl = e.spec.pipelineRef.name;
          const d = elapsed(e.status?.startTime, e.status?.completionTime);
          return (
            <tr key={`${ns}/${e.metadata.name}`}>
              <td><StatusBadge phase={e.status?.phase} /></td>
              <td><Link to={paths.run(ns, pl, e.metadata.name)}>{runLabel(e)}</Link></td>
              {showProject && <td>{ns}</td>}
              {showPipeline && <td><Link to={paths.pipeline(ns, pl)}>{pl}</Link></td>}
              <td>
                <span className={styles.mono}>{shortSha(e.spec.commit)}</span>
                {e.spec.title && <div className={styles.muted}>{e.spec.title}</div>}
              </td>
              <td>{e.spec.branch ?? e.spec.tag ?? '—'}</td>
              <td>{e.spec.trigger?.event ?? '—'}{e.spec.trigger?.user ? ` by ${e.spec.trigger.user}` : ''}</td>
              <td>{d === undefined ? '—' : formatDuration(d)}</td>
              <td title={e.metadata.creationTimestamp}>{relativeTime(e.metadata.creationTimestamp ?? e.status?.queuedTime)}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
