// From the engine's view of a build (stage-view nodes named by the compiler) to the execution's stage and step
// status. Pure: the sync processor decides when to write what this returns.
import type { ExecutionPhase, PipelineExecutionStatus, StepPhase } from '@keelson/crds';
import { parseJenkinsNodeName, type EngineBuildState, type EngineNodeStatus, type EngineStage } from '@keelson/engine-jenkins';
import type { ExecutionPlan } from '@keelson/pipeline-config';

export type StageStatus = NonNullable<PipelineExecutionStatus['stages']>[number];
export type StepStatus = StageStatus['steps'][number];

/** Every stage and step as it stands before the build starts: Pending, or Skipped when the plan skips it. */
export function initialStages(plan: ExecutionPlan): StageStatus[] {
  return plan.stages.map((stage) => ({
    name: stage.name,
    phase: stage.runs ? 'Pending' : 'Skipped',
    steps: stage.steps.map((step) => ({ name: step.name ?? step.type, phase: step.runs ? 'Pending' : 'Skipped' })),
  }));
}

const STEP_PHASE_OF: Record<EngineNodeStatus, StepPhase> = {
  NOT_EXECUTED: 'Pending',
  IN_PROGRESS: 'Running',
  PAUSED_PENDING_INPUT: 'Waiting',
  SUCCESS: 'Succeeded',
  UNSTABLE: 'Failed',
  FAILED: 'Failed',
  ABORTED: 'Aborted',
};

function iso(ms: number | undefined): string | undefined {
  return ms === undefined || ms <= 0 ? undefined : new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function applyNode<T extends { phase: StepPhase; startTime?: string; completionTime?: string; message?: string }>(target: T, node: EngineStage): T {
  // A skipped node stays Skipped: the compiler marks it NOT_BUILT, which stage view reports as NOT_EXECUTED.
  if (target.phase === 'Skipped') return target;
  const phase = STEP_PHASE_OF[node.status];
  const done = phase === 'Succeeded' || phase === 'Failed' || phase === 'Aborted';
  const next: T = { ...target, phase };
  const start = iso(node.startTimeMillis);
  if (start) next.startTime = start;
  if (done && node.startTimeMillis) next.completionTime = iso(node.startTimeMillis + (node.durationMillis ?? 0));
  if (node.error) next.message = node.error.slice(0, 4096);
  else if (phase === 'Waiting') next.message = 'waiting for approval';
  return next;
}

/** Stages and steps updated from the engine's nodes; nodes the compiler did not name are ignored. */
export function stagesFromEngine(current: StageStatus[], engine: EngineBuildState): StageStatus[] {
  const stages = current.map((s) => ({ ...s, steps: s.steps.map((step) => ({ ...step })) }));
  for (const node of engine.stages) {
    const ref = parseJenkinsNodeName(node.name);
    if (ref?.kind === 'stage' && stages[ref.stage]) {
      // Stages carry no message in the CRD: why a stage ended is told by its steps.
      const { message: _message, ...stage } = applyNode(stages[ref.stage], node) as StageStatus & { message?: string };
      stages[ref.stage] = stage;
    }
    if (ref?.kind === 'step' && stages[ref.stage]?.steps[ref.step]) {
      stages[ref.stage].steps[ref.step] = applyNode(stages[ref.stage].steps[ref.step], node);
    }
  }
  return stages;
}

/** Stages once the build is over: whatever had not finished is Aborted (stopped) or Skipped (never reached). */
export function closeStages(stages: StageStatus[], phase: ExecutionPhase, now: string): StageStatus[] {
  const close = <T extends { phase: StepPhase; completionTime?: string }>(s: T): T => {
    if (s.phase === 'Running' || s.phase === 'Waiting') return { ...s, phase: phase === 'Succeeded' ? 'Succeeded' : 'Aborted', completionTime: s.completionTime ?? now };
    if (s.phase === 'Pending') return { ...s, phase: 'Skipped' };
    return s;
  };
  return stages.map((stage) => ({ ...close(stage), steps: stage.steps.map(close) }));
}

/** The execution's phase for a finished build (Jenkins result → CR phase; A3 of scenarios.md). */
export function finalPhase(engine: EngineBuildState): { phase: ExecutionPhase; reason: string } {
  switch (engine.result) {
    case 'SUCCESS':
      return { phase: 'Succeeded', reason: 'the build succeeded' };
    case 'ABORTED':
      return { phase: 'Aborted', reason: 'the build was aborted' };
    case 'UNSTABLE':
      return { phase: 'Failed', reason: 'the build is unstable' };
    case 'NOT_BUILT':
      return { phase: 'Failed', reason: 'Jenkins did not build it' };
    default: {
      const failed = engine.stages.find((s) => s.status === 'FAILED' && parseJenkinsNodeName(s.name)?.kind === 'step');
      return { phase: 'Failed', reason: failed ? `step ${failed.name.replace(/^step-\d+-\d+ /, '')} failed${failed.error ? `: ${failed.error}` : ''}`.slice(0, 1024) : 'the build failed' };
    }
  }
}

/**
 * Why Jenkins keeps the build queued, without the countdowns Jenkins puts in it ("Expires in 3.7 sec"), which
 * would change the reason, and cost a write, on every poll.
 */
export function queuedReason(why: string | undefined): string {
  const first = why?.split(/(?<=[a-z)’'])\.\s/)[0].replace(/\.$/, '').replace(/\d+(\.\d+)?\s*(ms|sec|min|s)\b/g, 'a while').trim();
  return (first ? `waiting for Jenkins: ${first}` : 'waiting for Jenkins to start the build').slice(0, 1024);
}
