// The one-glance summary a Pipeline carries in API answers (not in the cluster): its newest execution.
import type { KubeObject } from '@keelson/kube';
import { phaseOf } from './list-filters';

export interface LastExecution {
  name: string;
  run?: number;
  phase: string;
  branch?: string;
  commit?: string;
  /** First line of the commit message, or the pull request's title. */
  title?: string;
  startTime?: string;
  completionTime?: string;
  /** From start to completion; null while it has not both. */
  durationSeconds: number | null;
  /** Its stages, name and phase, in order: the console's mini stage strip per pipeline, without a request per row. */
  stages?: Array<{ name: string; phase: string }>;
}

interface ExecutionView {
  spec?: { run?: number; branch?: string; tag?: string; commit?: string; title?: string; message?: string };
  status?: { startTime?: string; completionTime?: string; stages?: Array<{ name?: string; phase?: string }> };
}

export function lastExecutionOf(exe: KubeObject | undefined): LastExecution | null {
  if (!exe) return null;
  const { spec = {}, status = {} } = exe as KubeObject & ExecutionView;
  const start = Date.parse(status.startTime ?? '');
  const end = Date.parse(status.completionTime ?? '');
  const title = spec.title ?? spec.message?.split('\n', 1)[0];
  return {
    name: exe.metadata.name ?? '',
    ...(spec.run !== undefined && { run: spec.run }),
    phase: phaseOf(exe),
    ...((spec.branch ?? spec.tag) !== undefined && { branch: spec.branch ?? spec.tag }),
    ...(spec.commit !== undefined && { commit: spec.commit }),
    ...(title !== undefined && { title: title.slice(0, 1024) }),
    ...(status.startTime !== undefined && { startTime: status.startTime }),
    ...(status.completionTime !== undefined && { completionTime: status.completionTime }),
    durationSeconds: Number.isFinite(start) && Number.isFinite(end) ? Math.max(0, Math.round((end - start) / 1000)) : null,
    ...(status.stages !== undefined && { stages: status.stages.map((st) => ({ name: st.name ?? '', phase: st.phase ?? 'Pending' })) }),
  };
}
