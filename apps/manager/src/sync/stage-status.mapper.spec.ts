import type { EngineBuildState } from '@keelson/engine-jenkins';
import { closeStages, finalPhase, initialStages, queuedReason, stagesFromEngine } from './stage-status.mapper';

const plan = {
  runs: true,
  stages: [
    { name: 'build', runs: true, steps: [{ name: 'compile', type: 'runScriptConfig' as const, runs: true }] },
    { name: 'test', runs: true, steps: [{ name: 'unit', type: 'runScriptConfig' as const, runs: true }, { name: 'lint', type: 'runScriptConfig' as const, runs: false }] },
    { name: 'deploy', runs: false, steps: [{ name: 'apply', type: 'applyYamlConfig' as const, runs: false }] },
  ],
};

function engine(stages: EngineBuildState['stages'], extra: Partial<EngineBuildState> = {}): EngineBuildState {
  return { ref: { job: 'web', number: 3 }, state: 'running', stages, pendingInputs: [], ...extra };
}

describe('stage status mapping', () => {
  it('starts every planned stage and step Pending, and what the plan skips as Skipped', () => {
    expect(initialStages(plan).map((s) => [s.phase, s.steps.map((x) => x.phase)])).toEqual([
      ['Pending', ['Pending']], ['Pending', ['Pending', 'Skipped']], ['Skipped', ['Skipped']],
    ]);
  });

  it('maps stage-view nodes named by the compiler onto stages and steps, with times', () => {
    const stages = stagesFromEngine(initialStages(plan), engine([
      { name: 'checkout', status: 'SUCCESS' },
      { name: 'stage-0 build', status: 'SUCCESS', startTimeMillis: Date.UTC(2026, 10, 23, 10), durationMillis: 5000 },
      { name: 'step-0-0 compile', status: 'SUCCESS', startTimeMillis: Date.UTC(2026, 10, 23, 10), durationMillis: 4000 },
      { name: 'stage-1 test', status: 'IN_PROGRESS', startTimeMillis: Date.UTC(2026, 10, 23, 10, 0, 5) },
      { name: 'step-1-0 unit', status: 'FAILED', error: 'script returned exit code 3' },
      { name: 'step-1-1 lint', status: 'NOT_EXECUTED' },
      { name: 'something else', status: 'FAILED' },
    ]));
    expect(stages[0]).toMatchObject({ phase: 'Succeeded', startTime: '2026-11-23T10:00:00Z', completionTime: '2026-11-23T10:00:05Z' });
    expect(stages[0].steps[0]).toMatchObject({ phase: 'Succeeded', completionTime: '2026-11-23T10:00:04Z' });
    expect(stages[1]).toMatchObject({ phase: 'Running', startTime: '2026-11-23T10:00:05Z' });
    expect(stages[1].steps[0]).toMatchObject({ phase: 'Failed', message: 'script returned exit code 3' });
    expect(stages[1].steps[1].phase).toBe('Skipped');
  });

  it('shows a paused input as a Waiting step', () => {
    const stages = stagesFromEngine(initialStages(plan), engine([{ name: 'step-0-0 compile', status: 'PAUSED_PENDING_INPUT' }]));
    expect(stages[0].steps[0]).toMatchObject({ phase: 'Waiting', message: 'waiting for approval' });
    expect(stagesFromEngine(initialStages(plan), engine([{ name: 'stage-0 build', status: 'PAUSED_PENDING_INPUT' }]))[0]).not.toHaveProperty('message');
  });

  it('closes what was still running as Aborted and what never ran as Skipped', () => {
    const running = stagesFromEngine(initialStages(plan), engine([{ name: 'stage-0 build', status: 'IN_PROGRESS' }, { name: 'step-0-0 compile', status: 'IN_PROGRESS' }]));
    const closed = closeStages(running, 'Aborted', '2026-11-23T11:00:00Z');
    expect(closed[0]).toMatchObject({ phase: 'Aborted', completionTime: '2026-11-23T11:00:00Z' });
    expect(closed[1].phase).toBe('Skipped');
  });

  it('takes the final phase from the Jenkins result, naming the failed step', () => {
    expect(finalPhase(engine([], { result: 'SUCCESS' })).phase).toBe('Succeeded');
    expect(finalPhase(engine([], { result: 'ABORTED' })).phase).toBe('Aborted');
    expect(finalPhase(engine([{ name: 'step-1-0 unit', status: 'FAILED', error: 'exit code 3' }], { result: 'FAILURE' }))).toEqual({ phase: 'Failed', reason: 'step unit failed: exit code 3' });
  });
});

describe('queuedReason', () => {
  it('keeps why Jenkins waits but drops its countdown, so the reason does not change on every poll', () => {
    expect(queuedReason('In the quiet period. Expires in 3.7 sec')).toBe('waiting for Jenkins: In the quiet period');
    expect(queuedReason('In the quiet period. Expires in 0.41 sec')).toBe('waiting for Jenkins: In the quiet period');
    expect(queuedReason('Waiting for next available executor on ‘kubernetes’')).toBe('waiting for Jenkins: Waiting for next available executor on ‘kubernetes’');
    expect(queuedReason(undefined)).toBe('waiting for Jenkins to start the build');
  });
});
