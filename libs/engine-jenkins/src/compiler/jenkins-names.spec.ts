import fc from 'fast-check';

import {
  approvalInputId, CHECKOUT_STAGE_NAME, jenkinsJobName, parseJenkinsNodeName, stageNodeName, stepContainerName, stepNodeName,
} from './jenkins-names';
import { adversarialString } from './testing/adversarial.arbitrary';

describe('jenkins names', () => {
  it('reads back the position of a stage or step whatever the user named it', () => {
    fc.assert(
      fc.property(fc.nat(50), fc.nat(50), adversarialString, (i, j, name) => {
        expect(parseJenkinsNodeName(stageNodeName(i, name))).toEqual({ kind: 'stage', stage: i });
        expect(parseJenkinsNodeName(stepNodeName(i, j, name))).toEqual({ kind: 'step', stage: i, step: j });
      }),
      { numRuns: 2000 },
    );
  });

  it('recognises the checkout stage and nothing it did not write', () => {
    expect(parseJenkinsNodeName(CHECKOUT_STAGE_NAME)).toEqual({ kind: 'checkout' });
    expect(parseJenkinsNodeName('Declarative: Post Actions')).toBeUndefined();
    expect(parseJenkinsNodeName('stage-x build')).toBeUndefined();
    expect(parseJenkinsNodeName('stage-12build')).toBeUndefined();
  });

  it('names step containers as DNS labels independent of the step name', () => {
    expect(stepContainerName(3, 10)).toBe('step-3-10');
  });

  it('writes approval input ids already capitalised, as Jenkins normalises them', () => {
    expect(approvalInputId(1, 0)).toBe('Approval-1-0');
  });

  it('uses one Jenkins job per pipeline, named after it', () => {
    expect(jenkinsJobName('web.v2')).toBe('web.v2');
  });

  it('refuses a pipeline name that is not a DNS subdomain', () => {
    for (const bad of ['', 'Web', '../x', 'a b', '-a']) expect(() => jenkinsJobName(bad)).toThrow(/DNS subdomain/);
  });
});
