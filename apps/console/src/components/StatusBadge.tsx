// A phase as icon + word (+ colour): status is never told by colour alone (T12).
import { Ban, CheckCircle2, CircleDashed, Clock, Hand, Loader2, MinusCircle, XCircle, type LucideIcon } from 'lucide-react';
import styles from './StatusBadge.module.css';

type Tone = 'success' | 'failure' | 'running' | 'waiting' | 'neutral';

const PHASES: Record<string, { icon: LucideIcon; tone: Tone; label?: string }> = {
  Succeeded: { icon: CheckCircle2, tone: 'success' },
  Failed: { icon: XCircle, tone: 'failure' },
  Aborted: { icon: Ban, tone: 'neutral', label: 'Stopped' },
  Running: { icon: Loader2, tone: 'running' },
  Provisioning: { icon: Loader2, tone: 'running', label: 'Starting' },
  Queued: { icon: Clock, tone: 'waiting' },
  Pending: { icon: CircleDashed, tone: 'neutral' },
  Waiting: { icon: Hand, tone: 'waiting', label: 'Waiting for approval' },
  Skipped: { icon: MinusCircle, tone: 'neutral' },
};

export function statusLabel(phase?: string): string {
  if (!phase) return 'Unknown';
  return PHASES[phase]?.label ?? phase;
}

export function StatusBadge({ phase, compact = false }: { phase?: string; compact?: boolean }) {
  const def = (phase && PHASES[phase]) || { icon: CircleDashed, tone: 'neutral' as Tone };
  const Icon = def.icon;
  const label = statusLabel(phase);
  return (
    <span className={`${styles.badge} ${styles[def.tone]}`} data-phase={phase ?? 'Unknown'}>
      <Icon size={14} aria-hidden="true" className={def.tone === 'running' ? styles.spin : undefined} />
      {compact ? <span className="visually-hidden">{label}</span> : <span>{label}</span>}
    </span>
  );
}

/** The icon alone, named for assistive technology by `label` (a role="img"): where a word per item does not fit. */
export function StatusIcon({ phase, label }: { phase?: string; label: string }) {
  const def = (phase && PHASES[phase]) || { icon: CircleDashed, tone: 'neutral' as Tone };
  const Icon = def.icon;
  return (
    <span role="img" aria-label={label} title={label} className={`${styles.badge} ${styles[def.tone]}`} data-phase={phase ?? 'Unknown'}>
      <Icon size={14} aria-hidden="true" className={def.tone === 'running' ? styles.spin : undefined} />
    </span>
  );
}
