// What a generated Jenkinsfile must do when the real Groovy runs it against the stub, and the differences
// between that and a record, as sentences (an empty list means it ran as compiled).
import { isDeepStrictEqual } from 'node:util';
import { cicdVariables, resolvePipelineConfig } from '@keelson/pipeline-config';
import { approvalInputId, stageNodeName, stepNodeName, type CompiledJenkinsJob, type JenkinsCompileInput } from '@keelson/engine-jenkins';
import { STUB_KEELSON_DIR, type GroovyCall, type GroovyRecord } from './groovy-runner';

/** Every call a Keelson Jenkinsfile may make (property reads and writes included). */
export const PIPELINE_CALLS = new Set([
  'params.EXECUTION_ID', 'currentBuild.displayName=', 'currentBuild.description=', 'timeout', 'podTemplate', 'POD_LABEL',
  'node', 'pwd', 'withEnv', 'stage', 'checkout', 'sh', 'parallel', 'catchError', 'catchError.caught', 'error', 'retry',
  'writeFile', 'container', 'input',
]);

export interface StepFile {
  /** Jenkins node name of the step (`step-0-0 unit`). */
  step: string;
  name: string;
  content: string;
}

export interface ExpectedRun {
  executionId: string;
  commit: string;
  /** Every file the steps get, decoded, in the order the Jenkinsfile writes them (the compiler's `files`). */
  files: StepFile[];
  podYaml: string;
  /** error() message that ends the build (a refused step), if any. */
  failure?: string;
  /** What only a compile input knows; absent for the golden files, which are read as they are. */
  fromInput?: {
    namespace: string;
    stages: string[];
    inputs: Array<Record<string, string>>;
    displayName: string;
    description: string;
    gitUrl: string;
  };
}

export const VERIFY_LABEL = 'Verify the checked-out commit';

/** The sh calls: the checkout check, then one per step script (the first file of each step), by its label. */
export function expectedSh(want: ExpectedRun): Array<{ label: string; script: string }> {
  const scripts = want.files.filter((f, i) => i === 0 || want.files[i - 1].step !== f.step);
  return [
    { label: VERIFY_LABEL, script: `test "$(git rev-parse HEAD)" = '${want.commit}'` },
    ...scripts.map((f) => {
      const path = `"$KEELSON_DIR/${f.name}"`;
      // A step with caches runs its cache wrapper, which runs the script.
      const wrapper = want.files.find((w) => w.step === f.step && w.name.endsWith('.cache.sh'));
      return {
        label: f.step.replace(/^step-\d+-\d+ /, ''),
        script: wrapper ? `/bin/sh "$KEELSON_DIR/${wrapper.name}"` : f.content.startsWith('#!') ? `chmod +x ${path} && exec ${path}` : `/bin/sh -xe ${path}`,
      };
    }),
  ];
}

export function expectedFromJob(job: CompiledJenkinsJob, input: JenkinsCompileInput): ExpectedRun {
  const { facts, settings } = input;
  const config = resolvePipelineConfig(input.config, cicdVariables(facts));
  const stages: string[] = ['checkout'];
  const inputs: Array<Record<string, string>> = [];
  job.plan.stages.forEach((stage, i) => {
    stages.push(stageNodeName(i, stage.name));
    if (!stage.runs) return;
    stage.steps.forEach((step, j) => {
      stages.push(stepNodeName(i, j, step.name));
      const approval = config.stages[i].steps[j];
      if (step.runs && approval.type === 'approval') {
        inputs.push({
          id: approvalInputId(i, j), message: approval.config.message, ok: 'Approve',
          ...(settings.approvalSubmitter !== undefined ? { submitter: settings.approvalSubmitter } : {}),
        });
      }
    });
  });
  const subject = [...(facts.commitMessage ?? '').split(/\r?\n/, 1)[0]].slice(0, 200).join('');
  const short = cicdVariables(facts).CICD_GIT_COMMIT;
  return {
    executionId: facts.executionId,
    commit: facts.commit,
    files: job.files,
    podYaml: job.podYaml,
    fromInput: {
      namespace: settings.namespace,
      stages,
      inputs,
      displayName: `#${facts.runNumber}`,
      description: `${facts.branch} @ ${short}${subject ? `: ${subject}` : ''}`,
      gitUrl: facts.gitUrl,
    },
  };
}

/** `depth:step` of every call: the program the Jenkinsfile is, whatever values it carries. */
export function callShape(record: GroovyRecord): string[] {
  return (record.calls ?? []).map((c) => `${c.depth}:${c.step}`);
}

export function runProblems(record: GroovyRecord | undefined, want: ExpectedRun): string[] {
  if (!record) return ['the runner printed no record for it'];
  if (!record.compiled) return [`Groovy does not compile it: ${record.compileError}`];
  const problems: string[] = [];
  const calls = record.calls ?? [];
  const same = (what: string, actual: unknown, expected: unknown) => problems.push(...differences(what, actual, expected));
  if (record.canary) problems.push(`THE CANARY RAN (${record.canaryCalls?.join(', ')}): user text escaped its literal`);
  same('outcome', { result: record.result, error: record.error }, want.failure ? { result: 'FAILURE', error: want.failure } : { result: 'SUCCESS', error: null });
  same('calls that are no pipeline step', calls.filter((c) => !PIPELINE_CALLS.has(c.step)).map((c) => c.step), []);
  same('files written (decoded)', calls.filter((c) => c.step === 'writeFile').map((c) => writtenFile(c)), want.files.map((f) => ({ name: f.name, content: f.content, encoding: 'Base64' })));
  same('sh calls', calls.filter((c) => c.step === 'sh').map((c) => c.args[0]), expectedSh(want));
  same('the sh scripts the stub saw', record.sh, expectedSh(want).map((s) => s.script));
  const pod = calls.find((c) => c.step === 'podTemplate')?.args[0];
  same('podTemplate yaml', pod?.yaml, want.podYaml);
  const checkout = calls.find((c) => c.step === 'checkout')?.args[0];
  same('checked-out commit', checkout?.branches?.[0]?.name, want.commit);
  const expected = want.fromInput;
  if (expected) {
    same('podTemplate namespace', pod?.namespace, expected.namespace);
    same('stages', calls.filter((c) => c.step === 'stage').map((c) => c.args[0]), expected.stages);
    same('inputs', calls.filter((c) => c.step === 'input').map((c) => c.args[0]), expected.inputs);
    same('displayName', argOf(calls, 'currentBuild.displayName='), expected.displayName);
    same('description', argOf(calls, 'currentBuild.description='), expected.description);
    same('repository URL', checkout?.userRemoteConfigs?.[0]?.url, expected.gitUrl);
  }
  return problems;
}

/** Empty when equal as JSON values, else one sentence naming where they first differ. */
export function differences(what: string, actual: unknown, expected: unknown): string[] {
  const [a, e] = [plain(actual), plain(expected)];
  return isDeepStrictEqual(a, e) ? [] : [`${what}: ${difference(a, e)}`];
}

function argOf(calls: GroovyCall[], step: string): unknown {
  return calls.find((c) => c.step === step)?.args[0];
}

/** writeFile as the agent would write it: the path under $KEELSON_DIR and the base64 text decoded. */
function writtenFile(call: GroovyCall): { name: unknown; content: unknown; encoding: unknown } {
  const { file, text, encoding } = call.args[0] ?? {};
  const prefix = `${STUB_KEELSON_DIR}/`;
  const name = typeof file === 'string' && file.startsWith(prefix) ? file.slice(prefix.length) : file;
  const canonical = typeof text === 'string' && /^[A-Za-z0-9+/]*={0,2}$/.test(text) && Buffer.from(text, 'base64').toString('base64') === text;
  return { name, content: canonical ? Buffer.from(text, 'base64').toString('utf8') : { notBase64: text }, encoding };
}

/**
 * The value rebuilt from JSON in this realm: isDeepStrictEqual compares prototypes, and the compiler's values can
 * come from structuredClone, whose objects belong to Node's realm, not jest's.
 */
function plain(value: unknown): unknown {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}

/** Where two values first differ, short enough to read in a list of hundreds. */
function difference(actual: unknown, expected: unknown, path = ''): string {
  if (Array.isArray(actual) && Array.isArray(expected)) {
    let i = 0;
    while (i < Math.max(actual.length, expected.length) && isDeepStrictEqual(actual[i], expected[i])) i++;
    if (i >= expected.length) return `${path}[${i}] is one too many: ${show(actual[i])}`;
    if (i >= actual.length) return `${path}[${i}] is missing: want ${show(expected[i])}`;
    return difference(actual[i], expected[i], `${path}[${i}]`);
  }
  if (isObject(actual) && isObject(expected)) {
    const keys = [...new Set([...Object.keys(actual), ...Object.keys(expected)])];
    const key = keys.find((k) => !isDeepStrictEqual(actual[k], expected[k])) as string;
    return difference(actual[key], expected[key], `${path}.${key}`);
  }
  if (typeof actual === 'string' && typeof expected === 'string') {
    let at = 0;
    while (at < actual.length && actual[at] === expected[at]) at++;
    return `${path} differs at character ${at}: got ${show(actual.slice(Math.max(0, at - 20), at + 40))}, want ${show(expected.slice(Math.max(0, at - 20), at + 40))}`;
  }
  return `${path} got ${show(actual)}, want ${show(expected)}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 400 ? `${text.slice(0, 400)}… (${text.length} chars)` : text;
}
