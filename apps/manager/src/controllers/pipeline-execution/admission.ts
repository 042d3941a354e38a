// Who may start (DESIGN §4.3): at most `limit` executions of a project are admitted (Provisioning or Running)
// at once; the others wait as Queued, oldest first. Pure, over a snapshot of the project's executions.
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

export type AdmissionVerdict = { admit: true } | { admit: false; reason: string };

const ADMITTED: ReadonlySet<string> = new Set(['Provisioning', 'Running']);
const WAITING: ReadonlySet<string | undefined> = new Set([undefined, 'Pending', 'Queued']);

export function isAdmitted(phase: ExecutionPhase | undefined): boolean {
  return ADMITTED.has(phase ?? '');
}

/** The verdict for every waiting execution of one project. */
export function decideAdmission(executions: AdmissionCandidate[], limit: number, project: string): Map<string, AdmissionVerdict> {
  const running = executions.filter((e) => isAdmitted(e.phase)).length;
  const waiting = executions
    .filter((e) => WAITING.has(e.phase) && !e.stop && e.run !== undefined)
    .sort((a, b) => a.created.localeCompare(b.created) || (a.run ?? 0) - (b.run ?? 0) || a.name.localeCompare(b.name));
  const free = Math.max(0, limit - running);
  const reason = `${running} of ${limit} running in project ${project}`;
  return new Map(waiting.map((e, i): [string, AdmissionVerdict] => [e.name, i < free ? { admit: true } : { admit: false, reason }]));
}
