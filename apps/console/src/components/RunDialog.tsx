// "Run" a pipeline at a branch tip or a commit (POST …/pipelines/:name/run, RunRequest). An Idempotency-Key
// per dialog opening makes a double click one run.
import { Play } from 'lucide-react';
import { useState, type FormEvent } from 'react';
import { Button, Dialog, DialogTrigger, Heading, Modal, ModalOverlay } from 'react-aria-components';
import { useNavigate } from 'react-router';
import { useApi } from '../api/api-context';
import { apiPaths } from '../api/paths';
import { ApiError } from '../api/problem';
import type { PipelineExecution } from '../api/types';
import { paths } from '../routes-paths';
import pageStyles from '../pages/Page.module.css';
import styles from './RunDialog.module.css';

export function RunDialog({ ns, pipeline }: { ns: string; pipeline: string }) {
  return (
    <DialogTrigger>
      <Button className={`${pageStyles.button} ${pageStyles.primary}`}><Play size={14} aria-hidden="true" /> Run</Button>
      <ModalOverlay className={styles.overlay} isDismissable>
        <Modal className={styles.modal}>
          <Dialog className={styles.dialog}>
            {({ close }) => <RunForm ns={ns} pipeline={pipeline} close={close} />}
          </Dialog>
        </Modal>
      </ModalOverlay>
    </DialogTrigger>
  );
}

function RunForm({ ns, pipeline, close }: { ns: string; pipeline: string; close: () => void }) {
  const api = useApi();
  const navigate = useNavigate();
  const [branch, setBranch] = useState('');
  const [commit, setCommit] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const [key] = useState(() => (typeof crypto !== 'undefined' && 'randomUUID' in crypto ? crypto.randomUUID() : String(Math.random()).slice(2)));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const body = { ...(branch.trim() && { branch: branch.trim() }), ...(commit.trim() && { commit: commit.trim() }) };
    if (!body.branch && !body.commit) {
      setError('Give a branch, a commit, or both.');
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      const exe = await api.post<PipelineExecution>(apiPaths.run(ns, pipeline), body, { headers: { 'Idempotency-Key': key } });
      navigate(paths.run(ns, pipeline, exe.metadata.name));
      close();
    } catch (err) {
      setError(err instanceof ApiError ? `${err.problem.title}: ${err.problem.detail}` : String(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={submit}>
      <Heading slot="title" className={styles.title}>Run {pipeline}</Heading>
      <label className={pageStyles.field}>
        Branch
        <input value={branch} onChange={(e) => setBranch(e.target.value)} placeholder="main" autoFocus />
      </label>
      <label className={pageStyles.field}>
        Commit (optional)
        <input value={commit} onChange={(e) => setCommit(e.target.value)} placeholder="full SHA" className={pageStyles.mono} />
      </label>
      {error && <p className={styles.error} role="alert">{error}</p>}
      <div className={styles.buttons}>
        <button type="button" className={pageStyles.button} onClick={close}>Cancel</button>
        <button type="submit" className={`${pageStyles.button} ${pageStyles.primary}`} disabled={busy}>{busy ? 'Starting…' : 'Run'}</button>
      </div>
    </form>
  );
}
