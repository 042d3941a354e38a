// The run's stages as columns and their steps as rows (parallel steps stack in a column), each step a button with
// status icon + word + duration. The elkjs graph (console.md §6.2 item 11) can replace it for large runs.
import type { PipelineExecution } from '../api/types';
import { elapsed, formatDuration } from './format';
import styles from './StageStrip.module.css';
import { StatusBadge } from './StatusBadge';

export interface StepChoice {
  stage: number;
  step: number;
}

/** The step to show first: the first failed, else the first running or waiting, else the last that ran. */
export function defaultStep(e: PipelineExecution): StepChoice | undefined {
  const stages = e.status?.stages ?? [];
  const all = stages.flatMap((st, s) => st.steps.map((step, t) => ({ s, t, phase: step.phase })));
  const pick = all.find((x) => x.phase === 'Failed')
    ?? all.find((x) => x.phase === 'Running' || x.phase === 'Waiting')
    ?? [...all].reverse().find((x) => x.phase !== 'Pending' && x.phase !== 'Skipped');
  return pick ? { stage: pick.s, step: pick.t } : undefined;
}

export function StageStrip({ e, selected, onSelect }: { e: PipelineExecution; selected?: StepChoice; onSelect: (stage: number, step: number) => void }) {
  const stages = e.status?.stages ?? [];
  if (stages.length === 0) return null;
  return (
    <div className={styles.strip} role="list" aria-label="Stages">
      {stages.map((stage, s) => {
        const d = elapsed(stage.startTime, stage.completionTime);
        return (
          <div key={`${s}-${stage.name}`} className={styles.stage} role="listitem">
            <div className={styles.stageHead}>
              <span className={styles.stageName}>{stage.name}</span>
              <StatusBadge phase={stage.phase} compact />
              {d !== undefined && <span className={styles.duration}>{formatDuration(d)}</span>}
            </div>
            <ul className={styles.steps}>
              {stage.steps.map((step, t) => {
                const sd = elapsed(step.startTime, step.completionTime);
                const isSelected = selected?.stage === s && selected.step === t;
                return (
                  <li key={`${t}-${step.name}`}>
                    <button
                      type="button"
                      className={`${styles.step}${isSelected ? ` ${styles.selected}` : ''}`}
                      aria-pressed={isSelected}
                      onClick={() => onSelect(s, t)}
                      data-phase={step.phase}
                    >
                      <StatusBadge phase={step.phase} />
                      <span className={styles.stepName}>{step.name}</span>
                      <span className={styles.duration}>{sd === undefined ? '' : formatDuration(sd)}</span>
                    </button>
                  </li>
                );
              })}
            </ul>
          </div>
        );
      })}
    </div>
  );
}
