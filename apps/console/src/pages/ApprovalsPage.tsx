// Approvals waiting across the projects you can see: every step of a running execution in phase Waiting, with
// Approve / Reject and a comment (POST …/approve, …/reject with ApprovalAnswer).
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Check, X } from 'lucide-react';
import { useState } from 'react';
import { Link } from 'react-router';
import { useApi } from '../api/api-context';
import { apiPaths } from '../api/paths';
import { ApiError } from '../api/problem';
import type { List, PipelineExecution } from '../api/types';
import { waitingGates, type Gate } from '../api/approvals';
import { relativeTime } from '../components/format';
import { runLabel } from '../components/RunsTable';
import { Empty, ErrorState, Loading } from '../components/States';
import { paths } from '../routes-paths';
import styles from './Page.module.css';

export function ApprovalsPage() {
  const api = useApi();
  const running = useQuery({
    queryKey: ['executions', '*', { phase: 'Running' }],
    queryFn: ({ signal }) => api.get<List<PipelineExecution>>('/api/v1/pipelineexecutions', { signal, query: { phase: 'Running', limit: 500 } }),
  });
  if (running.isPending) return <Loading what="approvals" />;
  if (running.isError) return <ErrorState error={running.error} what="approvals" onRetry={() => void running.refetch()} />;
  const gates = waitingGates(running.data.items);
  return (
    <>
      <div className={styles.head}><h1>Approvals</h1></div>
      {gates.length === 0 ? <Empty title="No approval is waiting">Runs that reach an approval step appear here.</Empty> : (
        <table className={styles.table}>
          <thead><tr><th scope="col">Run</th><th scope="col">Step</th><th scope="col">Waiting since</th><th scope="col">Answer</th></tr></thead>
          <tbody>{gates.map((g) => <GateRow key={`${g.e.metadata.namespace}/${g.e.metadata.name}/${g.stage}/${g.step}`} gate={g} />)}</tbody>
        </table>
      )}
    </>
  );
}

function GateRow({ gate }: { gate: Gate }) {
  const api = useApi();
  const client = useQueryClient();
  const [comment, setComment] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const ns = gate.e.metadata.namespace ?? '';
  const pl = gate.e.spec.pipelineRef.name;
  const answer = async (decision: 'approve' | 'reject') => {
    setBusy(true);
    setError(undefined);
    try {
      await api.post(`${apiPaths.execution(ns, gate.e.metadata.name)}/${decision}`, { stage: gate.stage, step: gate.step, ...(comment.trim() && { comment: comment.trim() }) });
      await client.invalidateQueries({ queryKey: ['executions'] });
    } catch (err) {
      setError(err instanceof ApiError ? `${err.problem.title}: ${err.problem.detail}` : String(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <tr>
      <td><Link to={`${paths.run(ns, pl, gate.e.metadata.name)}?stage=${gate.stage}&step=${gate.step}`}>{ns} / {pl} {runLabel(gate.e)}</Link></td>
      <td>{gate.stageName} › {gate.stepName}{gate.message && <div className={styles.muted}>{gate.message}</div>}</td>
      <td>{relativeTime(gate.since)}</td>
      <td>
        <div className={styles.filters}>
          <label className={styles.field}>
            Comment
            <input value={comment} onChange={(e) => setComment(e.target.value)} maxLength={4096} />
          </label>
          <button type="button" className={`${styles.button} ${styles.primary}`} disabled={busy} onClick={() => void answer('approve')}><Check size={14} aria-hidden="true" /> Approve</button>
          <button type="button" className={styles.button} disabled={busy} onClick={() => void answer('reject')}><X size={14} aria-hidden="true" /> Reject</button>
        </div>
        {error && <p role="alert" className={styles.muted}>{error}</p>}
      </td>
    </tr>
  );
}
