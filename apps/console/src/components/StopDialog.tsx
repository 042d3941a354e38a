// Stop a run, with an optional reason (POST …/stop, StopRequest: at most 500 characters). The reason and who
// stopped the run come back in the run's status (the StopRequested condition, then status.reason).
import { Square } from 'lucide-react';
import { useState } from 'react';
import { Button, Dialog, DialogTrigger, Heading, Label, Modal, ModalOverlay, TextArea, TextField } from 'react-aria-components';
import { useQueryClient } from '@tanstack/react-query';
import { useApi } from '../api/api-context';
import { apiPaths } from '../api/paths';
import { useFormAction } from '../api/use-form-action';
import { keys } from '../api/queries';
import type { PipelineExecution } from '../api/types';
import pageStyles from '../pages/Page.module.css';
import styles from './RunDialog.module.css';

/** What the API takes (apps/manager/src/executions/stop-reason.ts STOP_REASON_MAX_LENGTH). */
export const STOP_REASON_MAX_LENGTH = 500;

export function StopDialog({ e, label }: { e: PipelineExecution; label: string }) {
  return (
    <DialogTrigger>
      <Button className={pageStyles.button}><Square size={14} aria-hidden="true" /> Stop</Button>
      <ModalOverlay className={styles.overlay} isDismissable>
        <Modal className={styles.modal}>
          <Dialog className={styles.dialog}>
            {({ close }) => <StopForm e={e} label={label} close={close} />}
          </Dialog>
        </Modal>
      </ModalOverlay>
    </DialogTrigger>
  );
}

function StopForm({ e, label, close }: { e: PipelineExecution; label: string; close: () => void }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const [reason, setReason] = useState('');
  const ns = e.metadata.namespace ?? '';
  const { busy, error, submit } = useFormAction(async () => {
    const why = reason.trim();
    const stopped = await api.post<PipelineExecution>(apiPaths.stop(ns, e.metadata.name), why ? { reason: why } : {});
    // The answer is the run as it now is; the event stream brings what follows.
    queryClient.setQueryData(keys.execution(ns, e.metadata.name), stopped);
    close();
  });
  return (
    <form onSubmit={submit}>
      <Heading slot="title" className={styles.title}>Stop {label}?</Heading>
      <p className={pageStyles.muted}>The running step is ended and the stages after it are skipped. The reason is shown with the run, with your name.</p>
      <TextField className={pageStyles.field} value={reason} onChange={setReason} maxLength={STOP_REASON_MAX_LENGTH} autoFocus>
        <Label>Reason</Label>
        <TextArea rows={3} placeholder="optional, e.g. wrong branch" />
      </TextField>
      <span className={pageStyles.muted}>{reason.length}/{STOP_REASON_MAX_LENGTH}</span>
      {error && <p className={styles.error} role="alert">{error}</p>}
      <div className={styles.buttons}>
        <button type="button" className={pageStyles.button} onClick={close}>Cancel</button>
        <button type="submit" className={`${pageStyles.button} ${pageStyles.primary}`} disabled={busy}>{busy ? 'Stopping…' : 'Stop run'}</button>
      </div>
    </form>
  );
}
