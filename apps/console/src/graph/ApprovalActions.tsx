// Approve / Reject in place on a step waiting for approval: each opens a react-aria dialog saying who may answer
// and the time left, with an optional comment, and posts …/approve or …/reject (ApprovalAnswer). The API decides
// who may answer; its refusal (NotAnApprover names who may) is shown in the dialog.
import { useQueryClient } from '@tanstack/react-query';
import { Check, X } from 'lucide-react';
import { useState } from 'react';
import { Button, Dialog, DialogTrigger, Heading, Modal, ModalOverlay } from 'react-aria-components';
import { useApi } from '../api/api-context';
import { apiPaths } from '../api/paths';
import { useFormAction } from '../api/use-form-action';
import { keys } from '../api/queries';
import type { PipelineExecution } from '../api/types';
import { formatDuration } from '../components/format';
import dialogStyles from '../components/RunDialog.module.css';
import pageStyles from '../pages/Page.module.css';
import { approvalInfo, whoMayAnswer, type ApprovalInfo } from './approval-info';
import styles from './StageGraph.module.css';
import { useNow } from './useNow';

type Decision = 'approve' | 'reject';

export function ApprovalActions({ e, stage, step }: { e: PipelineExecution; stage: number; step: number }) {
  const info = approvalInfo(e, stage, step);
  const stepName = e.status?.stages?.[stage]?.steps[step]?.name ?? '';
  return (
    <div className={styles.approval}>
      {(['approve', 'reject'] as const).map((decision) => (
        <DialogTrigger key={decision}>
          <Button className={`${styles.approvalButton}${decision === 'approve' ? ` ${styles.approveButton}` : ''}`} aria-label={`${decision === 'approve' ? 'Approve' : 'Reject'} ${stepName}`}>
            {decision === 'approve' ? <Check size={14} aria-hidden="true" /> : <X size={14} aria-hidden="true" />}
            {decision === 'approve' ? 'Approve' : 'Reject'}
          </Button>
          <ModalOverlay className={dialogStyles.overlay} isDismissable>
            <Modal className={dialogStyles.modal}>
              <Dialog className={dialogStyles.dialog}>
                {({ close }) => <AnswerForm e={e} stage={stage} step={step} stepName={stepName} info={info} decision={decision} close={close} />}
              </Dialog>
            </Modal>
          </ModalOverlay>
        </DialogTrigger>
      ))}
    </div>
  );
}

function TimeLeft({ deadline }: { deadline: number }) {
  const now = useNow(true);
  const left = deadline - now;
  return <>{left > 0 ? `${formatDuration(left)} left before it times out` : 'its timeout has passed'}</>;
}

interface AnswerProps {
  e: PipelineExecution;
  stage: number;
  step: number;
  stepName: string;
  info: ApprovalInfo;
  decision: Decision;
  close: () => void;
}

function AnswerForm({ e, stage, step, stepName, info, decision, close }: AnswerProps) {
  const api = useApi();
  const client = useQueryClient();
  const [comment, setComment] = useState('');
  const ns = e.metadata.namespace ?? '';
  const verb = decision === 'approve' ? 'Approve' : 'Reject';
  const { busy, error, submit } = useFormAction(async () => {
    const path = decision === 'approve' ? apiPaths.approve(ns, e.metadata.name) : apiPaths.reject(ns, e.metadata.name);
    const next = await api.post<PipelineExecution>(path, { stage, step, ...(comment.trim() && { comment: comment.trim() }) });
    if (next?.metadata?.name === e.metadata.name) client.setQueryData(keys.execution(ns, e.metadata.name), next);
    void client.invalidateQueries({ queryKey: ['executions'] });
    close();
  });
  return (
    <form onSubmit={submit}>
      <Heading slot="title" className={dialogStyles.title}>{verb} {stepName}</Heading>
      {info.message && <p className={styles.approvalMessage}>{info.message}</p>}
      <p className={pageStyles.muted}>Who may answer: {whoMayAnswer(info)}.</p>
      {info.deadline !== undefined && <p className={pageStyles.muted}>Time: <TimeLeft deadline={info.deadline} />.</p>}
      {decision === 'reject' && <p className={pageStyles.muted}>Rejecting ends the run: the stages after this one are skipped.</p>}
      <label className={pageStyles.field}>
        Comment (optional)
        <textarea className={styles.comment} value={comment} onChange={(ev) => setComment(ev.target.value)} maxLength={4096} rows={3} />
      </label>
      {error && <p className={dialogStyles.error} role="alert">{error}</p>}
      <div className={dialogStyles.buttons}>
        <button type="button" className={pageStyles.button} onClick={close}>Cancel</button>
        <button type="submit" className={`${pageStyles.button} ${decision === 'approve' ? pageStyles.primary : ''}`} disabled={busy}>{busy ? `${verb}…` : verb}</button>
      </div>
    </form>
  );
}
