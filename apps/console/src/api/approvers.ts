// Who may answer an approval step, as the manager decides it (apps/manager/src/executions/approvers.ts, which the
// console cannot import): the step's `users` and `groups` from the run's config snapshot; with neither, anyone who
// may act on the run. The manager still decides on every answer; this only picks what to show as "waiting for me".
import { approvalInfo } from '../graph/approval-info';
import type { Gate } from './approvals';
import type { PipelineExecution, WhoAmI } from './types';

export interface Approvers {
  users: string[];
  groups: string[];
}

/** Who may answer step `step` of stage `stage`, from the snapshot; undefined when the snapshot calls it no approval step. */
export function approversOf(e: PipelineExecution, stage: number, step: number): Approvers | undefined {
  // The snapshot is opaque to the console: read defensively (graph/approval-info.ts reads the lists).
  const snapshot = e.spec.config as { stages?: Array<{ steps?: Array<{ type?: unknown }> }> } | undefined;
  const s = Array.isArray(snapshot?.stages) ? snapshot.stages[stage]?.steps?.[step] : undefined;
  if (s?.type !== 'approval') return undefined;
  const { users, groups } = approvalInfo(e, stage, step);
  return { users, groups };
}

export function mayAnswer(approvers: Approvers, me: WhoAmI): boolean {
  if (approvers.users.length === 0 && approvers.groups.length === 0) return true;
  return approvers.users.includes(me.username) || me.groups.some((g) => approvers.groups.includes(g));
}

/** The gates I am among who may answer. */
export function gatesFor(gates: Gate[], me: WhoAmI): Gate[] {
  return gates.filter((g) => {
    const approvers = approversOf(g.e, g.stage, g.step);
    return approvers !== undefined && mayAnswer(approvers, me);
  });
}
