// Who may answer an approval step: its `users` and `groups` from the execution's config snapshot, matched against
// the caller's identity as the apiserver authenticated it (never a name from the request body). With neither list,
// anyone allowed to patch the execution may (RBAC has already said yes by then).
import type { PipelineExecution } from '@keelson/crds';
import type { ApprovalConfig, PipelineConfig } from '@keelson/pipeline-config';
import { ExecutionError } from './execution.errors';

/** The caller answering an approval. */
export interface Approver {
  username: string;
  groups: readonly string[];
}

/**
 * The approval config of the step the Jenkins input `approval-<stage>-<step>` belongs to. Status stages and steps
 * are laid out from the config in the same order, so the indexes name the same step in both.
 */
export function approvalConfigAt(exe: PipelineExecution, stageIndex: number, stepIndex: number): ApprovalConfig | undefined {
  const config = exe.spec.config as unknown as PipelineConfig | undefined;
  const step = config?.stages?.[stageIndex]?.steps?.[stepIndex];
  return step?.type === 'approval' ? step.config : undefined;
}

export function mayAnswer(approval: Pick<ApprovalConfig, 'users' | 'groups'>, approver: Approver): boolean {
  const users = approval.users ?? [];
  const groups = approval.groups ?? [];
  if (users.length === 0 && groups.length === 0) return true;
  return users.includes(approver.username) || approver.groups.some((g) => groups.includes(g));
}

/** Throws NotAnApprover, naming who may answer, unless `approver` may answer the step. */
export function checkApprover(exe: PipelineExecution, stageIndex: number, stepIndex: number, approver: Approver): void {
  const approval = approvalConfigAt(exe, stageIndex, stepIndex);
  const stepName = exe.status?.stages?.[stageIndex]?.steps?.[stepIndex]?.name ?? `${stageIndex}/${stepIndex}`;
  // A waiting step the snapshot does not call an approval cannot be vouched for: refuse rather than let anyone in.
  if (!approval) throw new ExecutionError('NoPendingApproval', `step ${JSON.stringify(stepName)} is not an approval step of execution ${exe.metadata.name}'s config`);
  if (mayAnswer(approval, approver)) return;
  const users = approval.users ?? [];
  const groups = approval.groups ?? [];
  const who = [
    users.length ? `users ${users.map((u) => JSON.stringify(u)).join(', ')}` : '',
    groups.length ? `members of groups ${groups.map((g) => JSON.stringify(g)).join(', ')}` : '',
  ].filter(Boolean).join(' or ');
  throw new ExecutionError('NotAnApprover', `user ${JSON.stringify(approver.username)} may not answer approval step ${JSON.stringify(stepName)}; only ${who} may`, false, {
    details: { user: approver.username, approvers: { users, groups } },
  });
}
