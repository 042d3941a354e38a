// One step's log, full screen, with #L120-L140 line links.
import { Link, useParams } from 'react-router';
import { useExecution } from '../api/queries';
import { runLabel } from '../components/RunsTable';
import { StatusBadge } from '../components/StatusBadge';
import { StepLog } from '../log-viewer/StepLog';
import { paths } from '../routes-paths';
import styles from './Page.module.css';

export function StepLogPage() {
  const { p = '', pl = '', run = '', s = '0', t = '0' } = useParams();
  const stage = Number(s);
  const step = Number(t);
  const exe = useExecution(p, run);
  const stageStatus = exe.data?.status?.stages?.[stage];
  const stepStatus = stageStatus?.steps[step];
  const name = stepStatus ? `${stageStatus.name} › ${stepStatus.name}` : `stage ${stage}, step ${step}`;
  return (
    <>
      <div className={styles.crumbs}>
        <Link to={paths.pipelines(p)}>{p}</Link> / <Link to={paths.pipeline(p, pl)}>{pl}</Link> /{' '}
        <Link to={`${paths.run(p, pl, run)}?stage=${stage}&step=${step}`}>{exe.data ? runLabel(exe.data) : run}</Link> / {name}
      </div>
      <div className={styles.head}>
        <h1>{name}</h1>
        {stepStatus && <StatusBadge phase={stepStatus.phase} />}
      </div>
      <div className={styles.fullLog}>
        <StepLog stepRef={{ ns: p, name: run, stage, step }} label={`Log of ${name}`} stepStart={stepStatus?.startTime} />
      </div>
    </>
  );
}
