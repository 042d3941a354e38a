import { applyTree, parseTree, TreeSyntaxError } from './tree-filter';

const job = {
  _class: 'org.jenkinsci.plugins.workflow.job.WorkflowJob', name: 'web', color: 'blue',
  lastBuild: { _class: 'org.jenkinsci.plugins.workflow.job.WorkflowRun', number: 3, result: 'SUCCESS' },
  builds: [3, 2, 1].map((number) => ({
    _class: 'org.jenkinsci.plugins.workflow.job.WorkflowRun', number, result: null,
    actions: [
      { _class: 'hudson.model.ParametersAction', parameters: [{ _class: 'hudson.model.StringParameterValue', name: 'EXECUTION_ID', value: `web-${number}` }] },
      { _class: 'hudson.model.CauseAction', causes: [] },
      {},
    ],
  })),
};

describe('the tree= filter', () => {
  it('keeps only the named properties and _class, at every level', () => {
    expect(applyTree(job, parseTree('name,builds[number,actions[parameters[name,value]]]'))).toEqual({
      _class: job._class, name: 'web',
      builds: [3, 2, 1].map((number) => ({
        _class: 'org.jenkinsci.plugins.workflow.job.WorkflowRun', number,
        actions: [
          { _class: 'hudson.model.ParametersAction', parameters: [{ _class: 'hudson.model.StringParameterValue', name: 'EXECUTION_ID', value: `web-${number}` }] },
          { _class: 'hudson.model.CauseAction' },
          {},
        ],
      })),
    });
  });

  it('slices arrays with {m,n} and {n}', () => {
    expect(applyTree(job, parseTree('builds[number]{1,3}'))).toEqual({ _class: job._class, builds: [{ _class: job.builds[0]._class, number: 2 }, { _class: job.builds[0]._class, number: 1 }] });
    expect(applyTree(job, parseTree('builds[number]{0}'))).toEqual({ _class: job._class, builds: [{ _class: job.builds[0]._class, number: 3 }] });
  });

  it('shows a bean named without a sub-tree as its _class only, and keeps nulls and primitives', () => {
    expect(applyTree(job, parseTree('lastBuild,color,missing'))).toEqual({ _class: job._class, lastBuild: { _class: job.lastBuild._class }, color: 'blue' });
    expect(applyTree({ result: null }, parseTree('result'))).toEqual({ result: null });
  });

  it.each(['builds[number', 'a]b', 'builds{x}'])('refuses the malformed tree %s', (spec) => {
    expect(() => parseTree(spec)).toThrow(TreeSyntaxError);
  });
});
