// What the run's config snapshot says of an approval step: its message, who may answer (users, groups; neither
// means anyone allowed to approve runs of the project) and when it times out (the step's timeout from its start,
// else the pipeline's from the run's start). The snapshot is opaque to the console: read defensively.
import type { PipelineExecution } from '../api/types';

export interface ApprovalInfo {
  message?: string;
  users: string[];
  groups: string[];
  /** ms since the epoch, when the wait ends by timeout. */
  deadline?: number;
}

interface ConfigStep { type?: unknown; timeout?: unknown; config?: { message?: unknown; users?: unknown; groups?: unknown } }
interface ConfigSnapshot { timeout?: unknown; stages?: Array<{ steps?: ConfigStep[] }> }

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
const minutes = (v: unknown): number | undefined => (typeof v === 'number' && v > 0 ? v * 60_000 : undefined);

export function approvalInfo(e: PipelineExecution, stage: number, step: number): ApprovalInfo {
  const config = (e.spec.config ?? {}) as ConfigSnapshot;
  const conf = Array.isArray(config.stages) ? config.stages[stage]?.steps?.[step] : undefined;
  const approval = conf?.type === 'approval' ? conf.config : undefined;
  const status = e.status?.stages?.[stage]?.steps[step];
  const stepTimeout = minutes(conf?.timeout);
  const pipelineTimeout = minutes(config.timeout);
  const from = (iso?: string, ms?: number) => (iso && ms !== undefined && Number.isFinite(Date.parse(iso)) ? Date.parse(iso) + ms : undefined);
  const deadline = stepTimeout !== undefined ? from(status?.startTime, stepTimeout) : from(e.status?.startTime, pipelineTimeout);
  return {
    ...(typeof approval?.message === 'string' && { message: approval.message }),
    users: strings(approval?.users),
    groups: strings(approval?.groups),
    ...(deadline !== undefined && { deadline }),
  };
}

export function whoMayAnswer(info: ApprovalInfo): string {
  const parts = [
    info.users.length ? `${info.users.length === 1 ? 'user' : 'users'} ${info.users.join(', ')}` : '',
    info.groups.length ? `members of ${info.groups.length === 1 ? 'group' : 'groups'} ${info.groups.join(', ')}` : '',
  ].filter(Boolean);
  return parts.length ? parts.join(' or ') : 'anyone allowed to approve runs of this project';
}
