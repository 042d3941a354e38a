// Who may answer an approval step, as the manager decides it (apps/manager/src/executions/approvers.ts, which the
// console cannot import): the step's `users` and `groups` from the run's config snapshot; with neither, anyone who
// may act on the run. The manager still decides on every answer; this only picks what to show as "waiting for me".
import type { Gate } from './approvals';
import type { PipelineExecution, WhoAmI } from './types';

export interface Approvers {
  users: string[];
  groups: string[];
}

/** The approval config of step `step` of stage `stage`, from the snapshot; undefined when it is no approval step. */
export function approversOf(e: PipelineExecution, stage: number, step: number): Approvers | undefined {
  const s = e.spec.config?.stages?.[stage]?.steps?.[step];
  if (s?.type !== 'approval') return undefined;
  const list = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
  return { users: list(s.config?.users), groups: list(s.config?.groups) };
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
