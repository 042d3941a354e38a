// Stop, approve and reject (DESIGN §4.9). A stop is recorded on the resource (spec.stop, as `kubectl patch` can
// do too) and carried out by the sync loop or the controller; an approval is answered in Jenkins at once and
// recorded with who and when. Only the step's approvers may answer (approvers.ts), decided before Jenkins is asked.
import type { PipelineExecution } from '@keelson/crds';
import { approvalInputId, JenkinsClientError, type EngineEndpoint, type ExecutionEngine, type JenkinsClientErrorCode } from '@keelson/engine-jenkins';
import { Keelson, KubeClient, isNotFound, retryOnConflict } from '@keelson/kube';
import type { DelayedJobQueue } from '@keelson/queue';
import type { SyncJobData } from '../sync/execution-sync.types';
import { checkApprover, type Approver } from './approvers';
import { ExecutionError } from './execution.errors';
import { STOP_REQUESTED_CONDITION, stopRequestMessage } from './stop-reason';

const TERMINAL: ReadonlySet<string> = new Set(['Succeeded', 'Failed', 'Aborted']);

/**
 * Jenkins' answers meaning the input no longer waits: it was answered (by another user, or from Jenkins' own page)
 * or the build moved on or is gone. Our status may not show it yet; the caller gets 409, not 500.
 */
const INPUT_GONE: ReadonlySet<JenkinsClientErrorCode> = new Set(['InputNotPending', 'NotFound', 'BadRequest']);

export interface ApprovalAnswer {
  /** Stage name or 0-based index. */
  stage: string | number;
  /** Step name or 0-based index within the stage. */
  step: string | number;
  comment?: string;
}

export class ExecutionActions {
  constructor(
    private readonly kube: KubeClient,
    private readonly engine: ExecutionEngine,
    private readonly dataPlanes: { jenkins(project: string): Promise<EngineEndpoint> },
    private readonly syncQueue: DelayedJobQueue<SyncJobData>,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async stop(namespace: string, name: string, user: string, reason?: string): Promise<PipelineExecution> {
    const exe = await this.get(namespace, name);
    if (TERMINAL.has(exe.status?.phase ?? '')) throw new ExecutionError('NotStoppable', `execution ${namespace}/${name} has already ended (${exe.status?.phase})`);
    // Who and why go into the status first: whoever acts on spec.stop then finds them (stop-reason.ts).
    if (!exe.spec.stop) await this.recordStopRequest(namespace, name, user, reason);
    const stopped = await this.kube.resource(Keelson.PipelineExecution).patch(namespace, name, {
      metadata: { annotations: { 'keelson.dev/stopped-by': user } }, spec: { stop: true },
    });
    await this.syncQueue.nudge(exe.metadata.uid!);
    return stopped;
  }

  private async recordStopRequest(namespace: string, name: string, user: string, reason: string | undefined): Promise<void> {
    const message = stopRequestMessage(user, reason);
    const time = this.now().toISOString().replace(/\.\d{3}Z$/, 'Z');
    await retryOnConflict(async () => {
      const fresh = await this.get(namespace, name);
      if (TERMINAL.has(fresh.status?.phase ?? '')) return;
      const others = (fresh.status?.conditions ?? []).filter((c) => c.type !== STOP_REQUESTED_CONDITION);
      const conditions = [...others, { type: STOP_REQUESTED_CONDITION, status: 'True' as const, reason: 'StoppedByUser', message, lastTransitionTime: time, observedGeneration: fresh.metadata.generation }];
      await this.kube.resource(Keelson.PipelineExecution).patchStatus(namespace, name, { conditions }, fresh.metadata.resourceVersion);
    }, { attempts: 10 });
  }

  approve(namespace: string, name: string, answer: ApprovalAnswer, approver: Approver): Promise<PipelineExecution> {
    return this.answer(namespace, name, answer, approver, 'Approved');
  }

  reject(namespace: string, name: string, answer: ApprovalAnswer, approver: Approver): Promise<PipelineExecution> {
    return this.answer(namespace, name, answer, approver, 'Rejected');
  }

  private async answer(namespace: string, name: string, answer: ApprovalAnswer, approver: Approver, decision: 'Approved' | 'Rejected'): Promise<PipelineExecution> {
    const exe = await this.get(namespace, name);
    const { stageIndex, stepIndex } = this.locate(exe, answer);
    checkApprover(exe, stageIndex, stepIndex, approver);
    const user = approver.username;
    const build = exe.status?.build;
    if (!build?.number) throw new ExecutionError('NoPendingApproval', `execution ${namespace}/${name} has no running build`);
    let endpoint;
    try {
      endpoint = await this.dataPlanes.jenkins(namespace);
      await this.engine.answerInput(endpoint, { job: build.job, number: build.number }, approvalInputId(stageIndex, stepIndex), decision === 'Approved' ? 'proceed' : 'abort');
    } catch (err) {
      if ((err as { retryable?: boolean }).retryable) throw new ExecutionError('EngineUnavailable', `Jenkins did not take the answer: ${(err as Error).message}`, true, { cause: err });
      if (err instanceof JenkinsClientError && INPUT_GONE.has(err.code)) {
        throw new ExecutionError('NoPendingApproval', `the approval of execution ${namespace}/${name} no longer waits for an answer (answered already, or the build moved on)`, false, { cause: err });
      }
      throw err;
    }
    const time = this.now().toISOString().replace(/\.\d{3}Z$/, 'Z');
    const recorded = await retryOnConflict(async () => {
      const fresh = await this.get(namespace, name);
      const stages = structuredClone(fresh.status?.stages ?? []);
      const step = stages[stageIndex]?.steps[stepIndex];
      if (!step) return fresh;
      step.approval = { decision, user, time, ...(answer.comment ? { comment: answer.comment.slice(0, 4096) } : {}) };
      return this.kube.resource(Keelson.PipelineExecution).patchStatus(namespace, name, { stages }, fresh.metadata.resourceVersion);
    }, { attempts: 10 });
    await this.syncQueue.nudge(exe.metadata.uid!);
    return recorded;
  }

  private locate(exe: PipelineExecution, answer: ApprovalAnswer): { stageIndex: number; stepIndex: number } {
    const stages = exe.status?.stages ?? [];
    const stageIndex = typeof answer.stage === 'number' ? answer.stage : stages.findIndex((s) => s.name === answer.stage);
    const steps = stages[stageIndex]?.steps ?? [];
    const stepIndex = typeof answer.step === 'number' ? answer.step : steps.findIndex((s) => s.name === answer.step);
    const step = steps[stepIndex];
    if (!step) throw new ExecutionError('NoPendingApproval', `execution ${exe.metadata.name} has no step ${JSON.stringify(answer.step)} in stage ${JSON.stringify(answer.stage)}`);
    if (step.approval) {
      const by = `${step.approval.decision === 'Approved' ? 'approved' : 'rejected'} by ${JSON.stringify(step.approval.user)}`;
      throw new ExecutionError('NoPendingApproval', `step ${JSON.stringify(step.name)} was already ${by}`);
    }
    if (step.phase !== 'Waiting') throw new ExecutionError('NoPendingApproval', `step ${JSON.stringify(step.name)} does not wait for an approval (it is ${step.phase})`);
    return { stageIndex, stepIndex };
  }

  private async get(namespace: string, name: string): Promise<PipelineExecution> {
    try {
      return await this.kube.resource(Keelson.PipelineExecution).get(namespace, name);
    } catch (err) {
      if (isNotFound(err)) throw new ExecutionError('ExecutionNotFound', `execution ${namespace}/${name} not found`);
      throw err;
    }
  }
}
