// A run's stages at a glance (the pipelines list): one small segment per stage in order, each an icon with its
// phase as text for assistive technology and the stage name and phase as a tooltip; never colour alone.
import { statusLabel, StatusBadge } from './StatusBadge';
import styles from './MiniStageStrip.module.css';

export function MiniStageStrip({ stages, label }: { stages: Array<{ name: string; phase: string }>; label: string }) {
  if (stages.length === 0) return null;
  return (
    <ol className={styles.strip} aria-label={label}>
      {stages.map((st, i) => (
        <li key={`${i}-${st.name}`} className={styles.stage} data-phase={st.phase} title={`${st.name}: ${statusLabel(st.phase)}`}>
          <span className="visually-hidden">{st.name}: </span>
          <StatusBadge phase={st.phase} compact />
        </li>
      ))}
    </ol>
  );
}
