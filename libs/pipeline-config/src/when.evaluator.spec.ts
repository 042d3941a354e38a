import { globMatches } from './glob.matcher';
import { PipelineConfig } from './model';
import { parseValid } from './pipeline-config.fixtures';
import { constraintMatches, pipelineRunsFor, planExecution, whenMatches } from './when.evaluator';

const c = (include: string[], exclude: string[] = []) => ({ include, exclude });

describe('branch globs', () => {
  it.each<[string, string, boolean]>([
    ['release/*', 'release/1.0', true],
    ['release/*', 'release/1.0/hotfix', false],
    ['release/**', 'release/1.0/hotfix', true],
    ['*', 'main', true],
    ['*', 'feature/x', false],
    ['**', 'feature/x/y', true],
    ['feat-?', 'feat-a', true],
    ['feat-?', 'feat-/', false],
    ['v[0-9]*', 'v1.2.3', true],
    ['{main,master}', 'master', true],
    ['.hidden*', '.hidden-branch', true],
    ['!main', 'main', false],
    ['!main', '!main', true],
  ])('%s matches %s: %s', (pattern, value, expected) => {
    expect(globMatches(pattern, value)).toBe(expected);
  });
});

describe('constraintMatches', () => {
  it('matches everything when the constraint is absent or its include list is empty', () => {
    expect(constraintMatches(undefined, 'x')).toBe(true);
    expect(constraintMatches(c([]), 'x')).toBe(true);
  });

  it('matches when any include glob matches and not otherwise', () => {
    expect(constraintMatches(c(['main', 'release/*']), 'release/2')).toBe(true);
    expect(constraintMatches(c(['main', 'release/*']), 'dev')).toBe(false);
  });

  it('lets exclude win over include', () => {
    expect(constraintMatches(c(['release/**'], ['release/old/**']), 'release/old/1')).toBe(false);
    expect(constraintMatches(c([], ['wip/*']), 'wip/x')).toBe(false);
    expect(constraintMatches(c([], ['wip/*']), 'main')).toBe(true);
  });
});

describe('whenMatches', () => {
  it('requires both the branch and the event constraint', () => {
    const when = { branch: c(['main']), event: c(['push']) };
    expect(whenMatches(when, { branch: 'main', event: 'push' })).toBe(true);
    expect(whenMatches(when, { branch: 'main', event: 'pull_request' })).toBe(false);
    expect(whenMatches(when, { branch: 'dev', event: 'push' })).toBe(false);
  });

  it('lets manual runs be selected by name, unlike Rancher where they had an empty event', () => {
    expect(whenMatches({ event: c(['manual']) }, { branch: 'main', event: 'manual' })).toBe(true);
    expect(whenMatches({ event: c(['push']) }, { branch: 'main', event: 'manual' })).toBe(false);
  });
});

describe('planExecution', () => {
  const config: PipelineConfig = parseValid(`
branch: {exclude: [wip/**]}
stages:
- name: test
  steps:
  - runScriptConfig: {image: x}
  - runScriptConfig: {image: x}
    when: {event: {exclude: [pull_request]}}
- name: deploy
  when: {branch: main, event: [push, manual]}
  steps:
  - applyYamlConfig: {path: a}
`);

  it('runs every stage and step whose conditions match', () => {
    expect(planExecution(config, { branch: 'main', event: 'push' })).toEqual({
      runs: true,
      stages: [
        { name: 'test', runs: true, steps: [{ name: 'step-1', type: 'runScriptConfig', runs: true }, { name: 'step-2', type: 'runScriptConfig', runs: true }] },
        { name: 'deploy', runs: true, steps: [{ name: 'step-1', type: 'applyYamlConfig', runs: true }] },
      ],
    });
  });

  it('skips steps and stages whose conditions do not match', () => {
    const plan = planExecution(config, { branch: 'feature/a', event: 'pull_request' });
    expect(plan.stages.map((s) => [s.runs, s.steps.map((p) => p.runs)])).toEqual([[true, [true, false]], [false, [false]]]);
  });

  it('skips every step of a skipped stage even when the step itself would match', () => {
    const plan = planExecution(config, { branch: 'dev', event: 'push' });
    expect(plan.stages[1]).toEqual({ name: 'deploy', runs: false, steps: [{ name: 'step-1', type: 'applyYamlConfig', runs: false }] });
  });

  it('runs nothing when the top-level branch filter excludes the branch', () => {
    expect(pipelineRunsFor(config, { branch: 'wip/x/y', event: 'push' })).toBe(false);
    const plan = planExecution(config, { branch: 'wip/x/y', event: 'push' });
    expect(plan.runs).toBe(false);
    expect(plan.stages.flatMap((s) => [s.runs, ...s.steps.map((p) => p.runs)])).not.toContain(true);
  });
});
