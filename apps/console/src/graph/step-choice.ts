// Which step of a run the run page shows: the one in the URL (?stage=&step=), else the default below.
import type { PipelineExecution } from '../api/types';

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
