import { Keyboard } from 'lucide-react';
import { useState } from 'react';
import { Dialog, Heading, Modal, ModalOverlay } from 'react-aria-components';
import dialogStyles from './RunDialog.module.css';
import styles from '../pages/Page.module.css';
import { SHORTCUTS, useShortcuts } from './shortcuts';

/** `?` opens the list of shortcuts; the header's button too (every action reachable by Tab). */
export function ShortcutHelp() {
  const [open, setOpen] = useState(false);
  useShortcuts({ '?': () => setOpen(true) });
  return (
    <>
      <button type="button" className={styles.button} onClick={() => setOpen(true)} aria-label="Keyboard shortcuts">
        <Keyboard size={16} aria-hidden="true" />
      </button>
      <ModalOverlay className={dialogStyles.overlay} isDismissable isOpen={open} onOpenChange={setOpen}>
        <Modal className={dialogStyles.modal}>
          <Dialog className={dialogStyles.dialog}>
            <Heading slot="title" className={dialogStyles.title}>Keyboard shortcuts</Heading>
            <table className={styles.table}>
              <tbody>{SHORTCUTS.map(([key, what]) => <tr key={key}><td><kbd>{key}</kbd></td><td>{what}</td></tr>)}</tbody>
            </table>
            <div className={dialogStyles.buttons}><button type="button" className={styles.button} onClick={() => setOpen(false)}>Close</button></div>
          </Dialog>
        </Modal>
      </ModalOverlay>
    </>
  );
}
