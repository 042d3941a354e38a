// The admission decision over a project's executions as they are (admission.ts and pipeline-concurrency.ts applied
// to PipelineExecutions): the controller admits by it, and the queue API explains with it, so what a person reads
// as the reason a run waits is what the controller decides.
import type { PipelineExecution } from '@keelson/crds';
import { decideAdmission, type AdmissionVerdict } from './admission';
import { heldByPipelineLimit, supersededBy, supersessionLine, type ConcurrencyCandidate } from './pipeline-concurrency';

/** The facts the concurrency decisions use; `limit` and `cancelSuperseded` come from the run's own config snapshot. */
export function concurrencyCandidate(exe: PipelineExecution): ConcurrencyCandidate {
  const concurrency = (exe.spec.config as { concurrency?: { limit?: number; cancelSuperseded?: boolean } } | undefined)?.concurrency;
  return {
    name: exe.metadata.name!, pipeline: exe.spec.pipelineRef.name, run: exe.spec.run, phase: exe.status?.phase, stop: exe.spec.stop,
    line: supersessionLine({ event: exe.spec.trigger?.event, branch: exe.spec.branch, tag: exe.spec.tag, ref: exe.spec.ref }),
    limit: concurrency?.limit, cancelSuperseded: concurrency?.cancelSuperseded === true,
  };
}

/** The verdict for every waiting execution of the project, by name. */
export function admissionVerdicts(project: readonly PipelineExecution[], limit: number, namespace: string): Map<string, AdmissionVerdict> {
  const candidates = project.map(concurrencyCandidate);
  // A run a newer one supersedes is about to end: it neither takes a slot nor stands in the queue.
  const ending = new Set(candidates.filter((c) => supersededBy(c, candidates)).map((c) => c.name));
  return decideAdmission(project.map((e) => ({
    name: e.metadata.name!, phase: e.status?.phase, created: e.metadata.creationTimestamp ?? '', run: e.spec.run, stop: e.spec.stop || ending.has(e.metadata.name!),
  })), limit, namespace, heldByPipelineLimit(candidates.map((c) => (ending.has(c.name) ? { ...c, stop: true } : c))));
}
