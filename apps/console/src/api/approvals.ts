// Approval gates: steps of running executions in phase Waiting (an approval step waits for an answer).
import type { PipelineExecution } from './types';

export interface Gate {
  e: PipelineExecution;
  stage: number;
  step: number;
  stageName: string;
  stepName: string;
  since?: string;
  message?: string;
}

export function waitingGates(items: PipelineExecution[]): Gate[] {
  return items.flatMap((e) => (e.status?.stages ?? []).flatMap((st, s) => st.steps.flatMap((step, t) => (step.phase === 'Waiting'
    ? [{ e, stage: s, step: t, stageName: st.name, stepName: step.name, since: step.startTime, message: step.message }]
    : []))));
}
