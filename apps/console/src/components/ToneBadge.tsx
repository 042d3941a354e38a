// A state that is not an execution phase (a condition, a delivery's result, enabled/disabled) as icon + word +
// colour, like StatusBadge: never colour alone.
import { CheckCircle2, CircleDashed, MinusCircle, XCircle, type LucideIcon } from 'lucide-react';
import styles from './StatusBadge.module.css';

export type Tone = 'success' | 'failure' | 'waiting' | 'neutral';

const ICONS: Record<Tone, LucideIcon> = { success: CheckCircle2, failure: XCircle, waiting: CircleDashed, neutral: MinusCircle };

export function ToneBadge({ tone, label, title }: { tone: Tone; label: string; title?: string }) {
  const Icon = ICONS[tone];
  return (
    <span className={`${styles.badge} ${styles[tone]}`} title={title}>
      <Icon size={14} aria-hidden="true" />
      <span>{label}</span>
    </span>
  );
}
