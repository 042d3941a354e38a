// What a log request reads: the execution (it must exist), its steps, and its project's log store. MinIO errors
// become problems here: unreachable is a 503 "log temporarily unavailable" (F8), never a 500.
import { Inject, Injectable } from '@nestjs/common';
import { Keelson, KubeClient, type ObjectOf } from '@keelson/kube';
import { isLogUnavailable, LogError, type MinioLogStore, type StepLogRef } from '@keelson/logs';
import { KUBE } from '../../tokens';
import { LOG_STORES } from '../../logs/logs.tokens';
import type { LogStores } from '../../logs/log-stores';
import { ApiProblem } from '../problem/api-problem';
import type { StepSelector } from './log-request';
import { executionPlan } from '../../executions/execution-job.compiler';
import { initialStages } from '../../sync/stage-status.mapper';

export type Execution = ObjectOf<typeof Keelson.PipelineExecution>;

export interface StepOfRun {
  ref: StepLogRef;
  stageName: string;
  stepName: string;
  /** Phase in the status: a Pending or Skipped step has no log (yet). */
  phase: string;
}

export function unavailable(): ApiProblem {
  return new ApiProblem('unavailable', 503, 'Service Unavailable', 'log temporarily unavailable: the log storage does not answer; try again shortly', {}, { 'Retry-After': '10' });
}

/** LogErrors as problems; anything else is rethrown. */
export function logProblem(err: unknown): never {
  if (err instanceof ApiProblem) throw err;
  if (isLogUnavailable(err)) throw unavailable();
  if (err instanceof LogError && err.code === 'InvalidPattern') throw new ApiProblem('invalid-request', 400, 'Invalid request', err.message, { errors: [{ pointer: '/query/regex', detail: err.message }] });
  if (err instanceof LogError && err.code === 'NotFound') throw new ApiProblem('not-found', 404, 'Not Found', 'the log is not stored (any more)');
  if (err instanceof LogError) throw unavailable();
  throw err;
}

@Injectable()
export class ExecutionLogsReader {
  constructor(@Inject(KUBE) private readonly kube: KubeClient, @Inject(LOG_STORES) private readonly stores: LogStores) {}

  async execution(namespace: string, name: string): Promise<Execution> {
    const exe = await this.kube.resource(Keelson.PipelineExecution).find(namespace, name);
    if (!exe) throw new ApiProblem('not-found', 404, 'Not Found', `pipelineexecution ${namespace}/${name} not found`);
    return exe;
  }

  /** Every step of the run, in order (from the status; the config's plan before the first status). */
  steps(exe: Execution): StepOfRun[] {
    const base = { namespace: exe.metadata.namespace!, pipeline: exe.spec.pipelineRef.name, run: exe.spec.run ?? 0 };
    return stagesOf(exe).flatMap((stage, s) => stage.steps.map((step, t) => ({
      ref: { ...base, stage: s, step: t }, stageName: stage.name, stepName: step.name, phase: step.phase,
    })));
  }

  step(exe: Execution, selector: StepSelector): StepOfRun {
    const found = this.steps(exe).find((s) => s.ref.stage === selector.stage && s.ref.step === selector.step);
    if (!found) {
      throw new ApiProblem('not-found', 404, 'Not Found', `pipelineexecution ${exe.metadata.namespace}/${exe.metadata.name} has no stage ${selector.stage} step ${selector.step}`, {
        errors: [{ pointer: '/query/step', detail: 'no such step in this execution' }],
      });
    }
    return found;
  }

  async store(exe: Execution): Promise<MinioLogStore> {
    try {
      return await this.stores.forProject(exe.metadata.namespace!);
    } catch (err) {
      // The data plane's credentials are not there (never provisioned): nothing was ever stored.
      if ((err as { code?: string }).code === 'CredentialsMissing') throw new ApiProblem('not-found', 404, 'Not Found', 'this project has no log storage yet');
      throw unavailable();
    }
  }
}

/** The status' stages; before the first progress write (or for a run never admitted), the config's plan. */
function stagesOf(exe: Execution): NonNullable<NonNullable<Execution['status']>['stages']> {
  if (exe.status?.stages?.length) return exe.status.stages;
  if (!exe.spec.config) return [];
  try {
    return initialStages(executionPlan(exe));
  } catch {
    return [];
  }
}
