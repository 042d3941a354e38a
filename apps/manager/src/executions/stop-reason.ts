// Why a stopped execution ended: a person's stop, or a newer run of its branch (`cancelSuperseded`). The newer run
// is named in the `Superseded` condition, which the execution controller writes before it sets spec.stop; the
// status is the manager's alone (ADR 0004), so nobody else can put words in it.
import type { PipelineExecution } from '@keelson/crds';

export const SUPERSEDED_CONDITION = 'Superseded';

export function supersededMessage(newer: string): string {
  return `superseded by ${newer}`;
}

/** The final reason of a stopped execution. */
export function stopReason(exe: PipelineExecution, otherwise = 'stopped on request'): string {
  const superseded = exe.status?.conditions?.find((c) => c.type === SUPERSEDED_CONDITION && c.status === 'True');
  return superseded?.message ?? otherwise;
}
