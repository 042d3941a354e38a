import { PauseCircle, Radio, RefreshCw, WifiOff } from 'lucide-react';
import { useStreamState } from '../events/stream-context';
import styles from './AppShell.module.css';

const TEXT = { open: 'Live', connecting: 'Connecting', retrying: 'Reconnecting', paused: 'Paused', stopped: 'Offline' } as const;

/** Whether the page updates itself: icon and word, never colour alone. */
export function LiveIndicator() {
  const { state, detail } = useStreamState();
  const Icon = state === 'open' ? Radio : state === 'paused' ? PauseCircle : state === 'stopped' ? WifiOff : RefreshCw;
  return (
    <span className={`${styles.live} ${styles[`live_${state}`]}`} title={detail ?? `Event stream: ${TEXT[state]}`} role="status">
      <Icon size={14} aria-hidden="true" />
      {TEXT[state]}
    </span>
  );
}
