// "Why is it pending" (issue 12 §3): a project's executions that have not started running yet, in the order they
// will start, each with the reason it waits; and the running ones with where their start time went. Built from the
// informers' copies and the build pods the data plane has, with the controller's own admission decision
// (project-admission.ts), so the reason shown is the reason acted on. Pure.
import type { PipelineExecution, PipelineSetting } from '@keelson/crds';
import { isAdmitted, type AdmissionVerdict } from '../../controllers/pipeline-execution/admission';
import { admissionVerdicts } from '../../controllers/pipeline-execution/project-admission';
import type { BuildPodPlacement } from '../../executions/build-pod-placement';
import { startLatency, timelineEntry, type StartLatency, type TimelineEntry } from '../../executions/timeline';

/** Why a run waits, as a stable word for programs; `message` says it for people. */
export const WAIT_CAUSES = {
  Preparing: 'its config is being read from git and its run number allocated',
  ProjectConcurrencyLimit: 'the project runs as many executions as its PipelineSetting allows (maxConcurrentExecutions)',
  PipelineConcurrencyLimit: 'its pipeline runs as many executions as its concurrency.limit allows',
  Admitting: 'a slot is free: the controller is admitting it',
  DataPlaneProvisioning: 'the project\'s data plane (Jenkins, registry, MinIO) is being provisioned',
  JenkinsQueue: 'Jenkins keeps the build in its queue (the message is Jenkins\' own `why`)',
  PodUnschedulable: 'the scheduler cannot place the build pod (the message is the scheduler\'s)',
  PodStarting: 'the build pod is placed on a node and starting (images, the Jenkins agent)',
  PodPending: 'the build has started in Jenkins, which is creating its pod',
} as const;
export type WaitCause = keyof typeof WAIT_CAUSES;

export interface QueuedExecution {
  name: string;
  pipeline: string;
  run?: number;
  phase: string;
  /** 1 starts first: the admitted runs still starting, then the waiting ones in admission order. */
  position: number;
  created?: string;
  waitingSeconds?: number;
  cause: WaitCause;
  message: string;
  /** The runs holding the slots it waits for (a concurrency limit). */
  blockedBy?: string[];
}

export interface RunningExecution {
  name: string;
  pipeline: string;
  run?: number;
  startTime?: string;
  node?: string;
  warmNode?: boolean;
  startLatency: StartLatency;
  timeline: TimelineEntry[];
}

export interface ProjectQueue {
  namespace: string;
  /** maxConcurrentExecutions of the project (3 without a PipelineSetting). */
  limit: number;
  /** Executions holding a slot (Provisioning or Running). */
  admitted: number;
  queued: QueuedExecution[];
  running: RunningExecution[];
}

export interface ProjectQueueInput {
  namespace: string;
  executions: readonly PipelineExecution[];
  setting?: PipelineSetting;
  /** The build pods, by execution name; absent when none was read. */
  pods?: ReadonlyMap<string, BuildPodPlacement>;
  /** Why the build pods could not be read. */
  podsError?: string;
  now: number;
}

const WAITING: ReadonlySet<string | undefined> = new Set([undefined, 'Pending', 'Queued']);

/** Started: the first stage ran inside the pod (the timeline says so, or a stage moved on). */
export function hasStarted(exe: PipelineExecution): boolean {
  return Boolean(timelineEntry(exe.status?.timeline, 'Running')) || (exe.status?.stages ?? []).some((s) => s.phase !== 'Pending');
}

/** A Running execution whose build left Jenkins' queue but has not started: where its pod stands is the answer. */
export function waitsForItsPod(exe: PipelineExecution): boolean {
  return exe.status?.phase === 'Running' && !exe.spec.stop && !hasStarted(exe) && buildStarted(exe);
}

function buildStarted(exe: PipelineExecution): boolean {
  return exe.status?.build?.number !== undefined || Boolean(timelineEntry(exe.status?.timeline, 'BuildStarted'));
}

export function projectQueue(input: ProjectQueueInput): ProjectQueue {
  const { namespace, executions, now } = input;
  const limit = input.setting?.spec.maxConcurrentExecutions ?? 3;
  const admittedRuns = executions.filter((e) => isAdmitted(e.status?.phase));
  const verdicts = admissionVerdicts(executions, limit, namespace);
  const byCreation = (a: PipelineExecution, b: PipelineExecution) =>
    (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') || (a.spec.run ?? 0) - (b.spec.run ?? 0) || a.metadata.name!.localeCompare(b.metadata.name!);

  const starting = admittedRuns.filter((e) => !e.spec.stop && !hasStarted(e)).sort(byCreation);
  const waiting = executions.filter((e) => WAITING.has(e.status?.phase) && !e.spec.stop).sort((a, b) => {
    // Runs still being prepared (no run number yet) stand behind those the controller can decide about.
    const prepared = Number(a.spec.run === undefined) - Number(b.spec.run === undefined);
    return prepared || byCreation(a, b);
  });

  const queued: QueuedExecution[] = [...starting, ...waiting].map((exe, i) => {
    const created = exe.metadata.creationTimestamp;
    const createdMs = created ? Date.parse(created) : NaN;
    return {
      name: exe.metadata.name!, pipeline: exe.spec.pipelineRef.name, ...(exe.spec.run !== undefined && { run: exe.spec.run }),
      phase: exe.status?.phase ?? 'Pending', position: i + 1,
      ...(created && { created }), ...(!Number.isNaN(createdMs) && { waitingSeconds: Math.max(0, Math.round((now - createdMs) / 1000)) }),
      ...why(exe, input, verdicts.get(exe.metadata.name!), admittedRuns),
    };
  });

  const running: RunningExecution[] = admittedRuns.filter((e) => hasStarted(e))
    .sort((a, b) => (a.status?.startTime ?? '').localeCompare(b.status?.startTime ?? '') || byCreation(a, b))
    .map((exe) => ({
      name: exe.metadata.name!, pipeline: exe.spec.pipelineRef.name, ...(exe.spec.run !== undefined && { run: exe.spec.run }),
      ...(exe.status?.startTime && { startTime: exe.status.startTime }), ...(exe.status?.node && { node: exe.status.node }),
      ...(exe.status?.warmNode !== undefined && { warmNode: exe.status.warmNode }),
      startLatency: startLatency(exe.status?.timeline), timeline: exe.status?.timeline ?? [],
    }));

  return { namespace, limit, admitted: admittedRuns.length, queued, running };
}

type Reason = Pick<QueuedExecution, 'cause' | 'message' | 'blockedBy'>;

function why(exe: PipelineExecution, input: ProjectQueueInput, verdict: AdmissionVerdict | undefined, admitted: PipelineExecution[]): Reason {
  const phase = exe.status?.phase;
  if (phase === 'Provisioning') return { cause: 'DataPlaneProvisioning', message: exe.status?.reason ?? 'preparing the data plane' };
  if (phase === 'Running') return startingReason(exe, input);
  if (exe.spec.run === undefined || !verdict) return { cause: 'Preparing', message: exe.status?.reason ?? 'reading .devops.yml at the commit' };
  if (verdict.admit) return { cause: 'Admitting', message: 'a slot is free; the controller is admitting it' };
  const holders = verdict.cause === 'PipelineConcurrencyLimit' ? admitted.filter((e) => e.spec.pipelineRef.name === exe.spec.pipelineRef.name) : admitted;
  return { cause: verdict.cause, message: verdict.reason, blockedBy: holders.map((e) => e.metadata.name!).sort() };
}

function startingReason(exe: PipelineExecution, input: ProjectQueueInput): Reason {
  if (!buildStarted(exe)) return { cause: 'JenkinsQueue', message: exe.status?.reason ?? 'waiting for Jenkins to start the build' };
  const pod = input.pods?.get(exe.metadata.name!);
  if (pod?.unschedulable) return { cause: 'PodUnschedulable', message: `${pod.unschedulable.reason}: ${pod.unschedulable.message}`.slice(0, 1024) };
  if (pod?.node) return { cause: 'PodStarting', message: `placed on ${pod.node} (${pod.warm ? 'warm' : 'cold'}), starting` };
  if (input.podsError) return { cause: 'PodPending', message: `the build pod could not be read: ${input.podsError}`.slice(0, 1024) };
  return { cause: 'PodPending', message: pod ? 'the build pod waits for the scheduler' : 'Jenkins is creating the build pod' };
}
