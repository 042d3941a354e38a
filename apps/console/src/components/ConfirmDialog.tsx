// "Are you sure?" before a destructive action (disconnect a credential, disable a pipeline): a react-aria
// alertdialog, focus trapped, Escape cancels. The action's error stays in the dialog so it can be retried.
import { useState, type ReactNode } from 'react';
import { Button, Dialog, DialogTrigger, Heading, Modal, ModalOverlay } from 'react-aria-components';
import { ApiError } from '../api/problem';
import pageStyles from '../pages/Page.module.css';
import styles from './ConfirmDialog.module.css';

export interface ConfirmDialogProps {
  /** The button that opens the dialog, e.g. "Disconnect". */
  trigger: ReactNode;
  /** What the trigger says to a screen reader when its text alone is ambiguous in a table ("Disconnect alice-github"). */
  triggerLabel?: string;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  onConfirm: () => Promise<unknown>;
}

export function ConfirmDialog({ trigger, triggerLabel, title, children, confirmLabel, onConfirm }: ConfirmDialogProps) {
  return (
    <DialogTrigger>
      <Button className={pageStyles.button} aria-label={triggerLabel}>{trigger}</Button>
      <ModalOverlay className={styles.overlay} isDismissable>
        <Modal className={styles.modal}>
          <Dialog role="alertdialog" className={styles.dialog}>
            {({ close }) => <ConfirmBody title={title} confirmLabel={confirmLabel} onConfirm={onConfirm} close={close}>{children}</ConfirmBody>}
          </Dialog>
        </Modal>
      </ModalOverlay>
    </DialogTrigger>
  );
}

function ConfirmBody({ title, children, confirmLabel, onConfirm, close }: Omit<ConfirmDialogProps, 'trigger' | 'triggerLabel'> & { close: () => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const confirm = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await onConfirm();
      close();
    } catch (err) {
      setError(err instanceof ApiError ? `${err.problem.title}: ${err.problem.detail}` : String(err));
      setBusy(false);
    }
  };
  return (
    <>
      <Heading slot="title" className={styles.title}>{title}</Heading>
      <div>{children}</div>
      {error && <p className={styles.error} role="alert">{error}</p>}
      <div className={styles.buttons}>
        <button type="button" className={pageStyles.button} onClick={close} autoFocus>Cancel</button>
        <button type="button" className={`${pageStyles.button} ${styles.danger}`} onClick={() => void confirm()} disabled={busy}>
          {busy ? 'Working…' : confirmLabel}
        </button>
      </div>
    </>
  );
}
