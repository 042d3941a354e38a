import type { PipelineExecution } from '@keelson/crds';
import { JenkinsClientError, type EngineEndpoint, type ExecutionEngine } from '@keelson/engine-jenkins';
import type { KubeClient } from '@keelson/kube';
import { parsePipelineConfig } from '@keelson/pipeline-config';
import type { DelayedJobQueue } from '@keelson/queue';
import type { SyncJobData } from '../sync/execution-sync.types';
import type { Approver } from './approvers';
import { ExecutionActions } from './execution-actions.service';
import { ExecutionError } from './execution.errors';
import { stopReason } from './stop-reason';

const GATED = `
stages:
- name: build
  steps:
  - runScriptConfig: {image: alpine, shellScript: make}
- name: prod
  steps:
  - name: open
    approval: {message: Anyone?}
  - name: ship
    approval: {message: Ship it?, users: [alice, carol], groups: [release-managers]}
`;

function configOf(text: string): Record<string, unknown> {
  const parsed = parsePipelineConfig(text);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.config as unknown as Record<string, unknown>;
}

/** An execution of GATED whose build waits at both approvals of stage `prod`. */
function aWaitingExecution(overrides: { stepPhase?: string; approval?: Record<string, string> } = {}): PipelineExecution {
  const waiting = (name: string) => ({ name, phase: overrides.stepPhase ?? 'Waiting', ...(overrides.approval ? { approval: overrides.approval } : {}) });
  return {
    apiVersion: 'devops.keelson.dev/v1alpha1', kind: 'PipelineExecution',
    metadata: { name: 'web-7', namespace: 'demo', uid: 'uid-7', resourceVersion: '10' },
    spec: { pipelineRef: { name: 'web' }, run: 7, commit: 'a'.repeat(40), config: configOf(GATED), trigger: { event: 'manual', user: 'dave' } },
    status: {
      phase: 'Running', build: { job: 'web-7', number: 3 },
      stages: [
        { name: 'build', phase: 'Succeeded', steps: [{ name: 'step-1', phase: 'Succeeded' }] },
        { name: 'prod', phase: 'Running', steps: [waiting('open'), waiting('ship')] },
      ],
    },
  } as unknown as PipelineExecution;
}

interface Harness {
  actions: ExecutionActions;
  /** Every write in order: `status` (with what it wrote) or `spec` (a merge patch of the object). */
  writes: Array<{ status: Record<string, unknown> } | { patch: Record<string, unknown> }>;
  answers: Array<{ inputId: string; decision: string }>;
  statusPatches: unknown[];
  engine: { fail?: Error };
}

function harness(exe: PipelineExecution): Harness {
  const answers: Harness['answers'] = [];
  const statusPatches: unknown[] = [];
  const writes: Harness['writes'] = [];
  const engineState: Harness['engine'] = {};
  let current = exe;
  const executions = {
    get: async () => structuredClone(current),
    patchStatus: async (_ns: string, _name: string, status: Record<string, unknown>) => {
      statusPatches.push(status);
      writes.push({ status });
      current = { ...current, status: { ...current.status, ...status } } as PipelineExecution;
      return structuredClone(current);
    },
    patch: async (_ns: string, _name: string, patch: { spec?: Record<string, unknown> }) => {
      writes.push({ patch });
      current = { ...current, spec: { ...current.spec, ...patch.spec } } as PipelineExecution;
      return structuredClone(current);
    },
  };
  const kube = { resource: () => executions } as unknown as KubeClient;
  const engine = {
    answerInput: async (_e: EngineEndpoint, _ref: unknown, inputId: string, decision: string) => {
      if (engineState.fail) throw engineState.fail;
      answers.push({ inputId, decision });
    },
  } as unknown as ExecutionEngine;
  const dataPlanes = { jenkins: async (): Promise<EngineEndpoint> => ({ url: 'http://jenkins', username: 'u', password: 'p' }) };
  const queue = { nudge: async () => undefined } as unknown as DelayedJobQueue<SyncJobData>;
  const actions = new ExecutionActions(kube, engine, dataPlanes, queue, () => new Date('2030-01-02T03:04:05.678Z'));
  return { actions, answers, statusPatches, writes, engine: engineState };
}

const as = (username: string, ...groups: string[]): Approver => ({ username, groups: ['system:authenticated', ...groups] });

async function refusal(promise: Promise<unknown>): Promise<ExecutionError> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  if (!(err instanceof ExecutionError)) throw new Error(`expected an ExecutionError, got ${String(err)}`);
  return err;
}

describe('ExecutionActions answering approvals', () => {
  it('lets a listed user approve, answers the input in Jenkins and records who', async () => {
    const h = harness(aWaitingExecution());
    const done = await h.actions.approve('demo', 'web-7', { stage: 'prod', step: 'ship', comment: 'go' }, as('alice'));
    expect(h.answers).toEqual([{ inputId: 'Approval-1-1', decision: 'proceed' }]);
    expect(done.status?.stages?.[1]?.steps[1]?.approval).toEqual({ decision: 'Approved', user: 'alice', time: '2030-01-02T03:04:05Z', comment: 'go' });
  });

  it('lets a member of a listed group approve', async () => {
    const h = harness(aWaitingExecution());
    await h.actions.approve('demo', 'web-7', { stage: 1, step: 1 }, as('erin', 'release-managers'));
    expect(h.answers).toHaveLength(1);
  });

  it('refuses anyone else with NotAnApprover naming the users and groups, before asking Jenkins', async () => {
    const h = harness(aWaitingExecution());
    const err = await refusal(h.actions.approve('demo', 'web-7', { stage: 'prod', step: 'ship' }, as('mallory', 'developers')));
    expect(err.code).toBe('NotAnApprover');
    expect(err.message).toBe('user "mallory" may not answer approval step "ship"; only users "alice", "carol" or members of groups "release-managers" may');
    expect(err.details).toEqual({ user: 'mallory', approvers: { users: ['alice', 'carol'], groups: ['release-managers'] } });
    expect(h.answers).toEqual([]);
    expect(h.statusPatches).toEqual([]);
  });

  it('applies the same rule to a rejection', async () => {
    const h = harness(aWaitingExecution());
    expect((await refusal(h.actions.reject('demo', 'web-7', { stage: 'prod', step: 'ship' }, as('mallory')))).code).toBe('NotAnApprover');
    await h.actions.reject('demo', 'web-7', { stage: 'prod', step: 'ship' }, as('carol'));
    expect(h.answers).toEqual([{ inputId: 'Approval-1-1', decision: 'abort' }]);
  });

  it('does not take a user name that only looks like a group, nor a group that only looks like a user', async () => {
    const h = harness(aWaitingExecution());
    expect((await refusal(h.actions.approve('demo', 'web-7', { stage: 'prod', step: 'ship' }, as('release-managers')))).code).toBe('NotAnApprover');
    expect((await refusal(h.actions.approve('demo', 'web-7', { stage: 'prod', step: 'ship' }, as('mallory', 'alice')))).code).toBe('NotAnApprover');
  });

  it('lets anyone the RBAC check let through answer an approval without users or groups', async () => {
    const h = harness(aWaitingExecution());
    await h.actions.approve('demo', 'web-7', { stage: 'prod', step: 'open' }, as('mallory'));
    expect(h.answers).toEqual([{ inputId: 'Approval-1-0', decision: 'proceed' }]);
  });

  it('answers NoPendingApproval, naming who, for a step another user already settled', async () => {
    const h = harness(aWaitingExecution({ approval: { decision: 'Approved', user: 'carol', time: '2030-01-01T00:00:00Z' } }));
    const err = await refusal(h.actions.approve('demo', 'web-7', { stage: 'prod', step: 'ship' }, as('alice')));
    expect(err.code).toBe('NoPendingApproval');
    expect(err.message).toBe('step "ship" was already approved by "carol"');
    expect(h.answers).toEqual([]);
  });

  it.each(['InputNotPending', 'NotFound', 'BadRequest'] as const)(
    'answers NoPendingApproval when Jenkins says %s: the input was settled before our status caught up', async (code) => {
      const h = harness(aWaitingExecution());
      h.engine.fail = new JenkinsClientError(code, 'answering input Approval-1-1 of build #3 of job web-7: no such input is pending', { status: 404 });
      const err = await refusal(h.actions.approve('demo', 'web-7', { stage: 'prod', step: 'ship' }, as('alice')));
      expect(err.code).toBe('NoPendingApproval');
      expect(err.message).toMatch(/no longer waits for an answer/);
      expect(h.statusPatches).toEqual([]);
    },
  );

  it('still answers EngineUnavailable, retryable, when Jenkins cannot be reached', async () => {
    const h = harness(aWaitingExecution());
    h.engine.fail = new JenkinsClientError('Unreachable', 'connect ECONNREFUSED');
    const err = await refusal(h.actions.approve('demo', 'web-7', { stage: 'prod', step: 'ship' }, as('alice')));
    expect(err).toMatchObject({ code: 'EngineUnavailable', retryable: true });
  });

  it('refuses a waiting step that the config snapshot does not call an approval', async () => {
    const exe = aWaitingExecution();
    exe.status!.stages![0].steps[0].phase = 'Waiting';
    const h = harness(exe);
    const err = await refusal(h.actions.approve('demo', 'web-7', { stage: 0, step: 0 }, as('alice')));
    expect(err.code).toBe('NoPendingApproval');
    expect(h.answers).toEqual([]);
  });
});

describe('ExecutionActions stopping', () => {
  it('records who stopped the run and why in the status before it sets spec.stop, and that becomes the final reason', async () => {
    const h = harness(aWaitingExecution());
    const stopped = await h.actions.stop('demo', 'web-7', 'alice', '  the deploy\nwindow closed ');
    expect(h.writes.map((w) => ('status' in w ? 'status' : 'spec'))).toEqual(['status', 'spec']);
    expect(stopped.spec.stop).toBe(true);
    expect(stopped.status?.conditions).toEqual([{
      type: 'StopRequested', status: 'True', reason: 'StoppedByUser', message: 'stopped by "alice": the deploy window closed', lastTransitionTime: '2030-01-02T03:04:05Z',
    }]);
    expect(stopReason(stopped)).toBe('stopped by "alice": the deploy window closed');
  });

  it('names the user alone when no reason is given', async () => {
    const h = harness(aWaitingExecution());
    expect(stopReason(await h.actions.stop('demo', 'web-7', 'bob'))).toBe('stopped by "bob"');
  });

  it('refuses a run that has ended, writing nothing', async () => {
    const exe = aWaitingExecution();
    exe.status!.phase = 'Succeeded';
    const h = harness(exe);
    expect((await refusal(h.actions.stop('demo', 'web-7', 'alice', 'late'))).code).toBe('NotStoppable');
    expect(h.writes).toEqual([]);
  });
});
