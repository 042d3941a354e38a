// Executions of one pipeline that start together (the project allows several at once): each build must run its
// own execution's Jenkinsfile. The Jenkins job of a pipeline is rewritten with each execution's script before
// its trigger, and Jenkins reads the script when the build starts, so two starts in flight at once must not
// give one build the other's script (its EXECUTION_ID guard would then fail it).
import { BuildLedger } from '../../support/build-ledger';
import { expectBuildsSucceeded, expectOneBuildEachEndingAsJenkins, run } from '../../support/fault-checks';
import { KeelsonStack } from '../../support/keelson-stack';

const DEVOPS_YML = `
stages:
- name: build
  steps:
  - runScriptConfig: {image: alpine:3.20, shellScript: "echo building\\nsleep 2"}
`;

let stack: KeelsonStack;
let ledger: BuildLedger;

beforeAll(async () => {
  stack = await KeelsonStack.start({ files: { '.devops.yml': DEVOPS_YML } });
  await stack.createPipeline('together');
  await stack.createSetting({ maxConcurrentExecutions: 6 });
  ledger = BuildLedger.start(stack.jenkins);
}, 300_000);

afterAll(async () => {
  ledger?.stop();
  await stack?.stop();
});

describe('executions of one pipeline started at the same time', () => {
  it('each run their own Jenkinsfile to success, with one build each', async () => {
    const names = await Promise.all(Array.from({ length: 6 }, () => run(stack, stack.manager, 'together', 'main')));
    await expectOneBuildEachEndingAsJenkins(stack, ledger, names);
    expectBuildsSucceeded(stack, ledger, names);
  });
});
