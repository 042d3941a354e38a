// A run's stages at a glance (the pipelines list): one small segment per stage in order, each a status icon named
// "<stage>: <status>" for assistive technology and as a tooltip; never colour alone (the icons differ by shape).
import { statusLabel, StatusIcon } from './StatusBadge';
import styles from './MiniStageStrip.module.css';

export function MiniStageStrip({ stages, label }: { stages: Array<{ name: string; phase: string }>; label: string }) {
  if (stages.length === 0) return null;
  return (
    <ol className={styles.strip} aria-label={label}>
      {stages.map((st, i) => (
        <li key={`${i}-${st.name}`} className={styles.stage} data-phase={st.phase}>
          <StatusIcon phase={st.phase} label={`${st.name}: ${statusLabel(st.phase)}`} />
        </li>
      ))}
    </ol>
  );
}
