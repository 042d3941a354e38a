// Who may start (DESIGN §4.3): at most `limit` executions of a project are admitted (Provisioning or Running)
// at once; the others wait as Queued, oldest first. A run its pipeline's own `concurrency.limit` holds back
// (pipeline-concurrency.ts) waits without taking a project slot, so it never blocks another pipeline's run.
// Pure, over a snapshot of the project's executions.
import type { ExecutionPhase } from '@keelson/crds';

export interface AdmissionCandidate {
  name: string;
  phase?: ExecutionPhase;
  /** metadata.creationTimestamp (RFC 3339, second precision). */
  created: string;
  /** Run number, to order executions created in the same second of one pipeline. */
  run?: number;
  stop?: boolean;
}

/** Why a run waits, as the CamelCase reason of its `Admitted` condition. */
export type WaitCause = 'PipelineConcurrencyLimit' | 'ProjectConcurrencyLimit';

export type AdmissionVerdict = { admit: true } | { admit: false; reason: string; cause: WaitCause };

const ADMITTED: ReadonlySet<string> = new Set(['Provisioning', 'Running']);
const WAITING: ReadonlySet<string | undefined> = new Set([undefined, 'Pending', 'Queued']);

export function isAdmitted(phase: ExecutionPhase | undefined): boolean {
  return ADMITTED.has(phase ?? '');
}

/**
 * The verdict for every waiting execution of one project. `heldByPipeline` names the runs their pipeline's limit
 * holds back, with the reason (`heldByPipelineLimit`).
 */
export function decideAdmission(
  executions: AdmissionCandidate[], limit: number, project: string, heldByPipeline: ReadonlyMap<string, string> = new Map(),
): Map<string, AdmissionVerdict> {
  const running = executions.filter((e) => isAdmitted(e.phase)).length;
  const candidates = executions.filter((e) => WAITING.has(e.phase) && !e.stop && e.run !== undefined);
  const verdicts = new Map<string, AdmissionVerdict>();
  for (const e of candidates) {
    const held = heldByPipeline.get(e.name);
    if (held) verdicts.set(e.name, { admit: false, reason: held, cause: 'PipelineConcurrencyLimit' });
  }
  const waiting = candidates
    .filter((e) => !verdicts.has(e.name))
    .sort((a, b) => a.created.localeCompare(b.created) || (a.run ?? 0) - (b.run ?? 0) || a.name.localeCompare(b.name));
  const free = Math.max(0, limit - running);
  const reason = `${running} of ${limit} running in project ${project}`;
  waiting.forEach((e, i) => verdicts.set(e.name, i < free ? { admit: true } : { admit: false, reason, cause: 'ProjectConcurrencyLimit' }));
  return verdicts;
}
