// The Jenkins double's view of a Jenkinsfile (test/doubles/jenkins/script/jenkinsfile.reader.ts), rebuilt from what
// the real Groovy did instead of from the source: where the two differ, the double runs something Jenkins would not.
import type { KeelsonScript, ScriptStage, ScriptStep } from '../doubles/jenkins/script/jenkinsfile.reader';
import type { GroovyCall, GroovyRecord } from './groovy-runner';

/** The parts of KeelsonScript a run shows (the guard's message only shows when it fails). */
export type ObservedScript = Omit<KeelsonScript, 'guard'> & { guard: { parameter: string; expected: string } };

/** @param executionId the EXECUTION_ID the run was given and its guard accepted. */
export function scriptFromRecord(record: GroovyRecord, executionId: string): ObservedScript {
  const calls = record.calls ?? [];
  const first = (step: string) => calls.find((c) => c.step === step)?.args[0];
  const checkoutAt = calls.findIndex((c) => c.step === 'stage' && c.args[0] === 'checkout');
  const stageDepth = calls[checkoutAt]?.depth ?? -1;
  const [checkoutCalls = [], ...stages] = groups(calls, (c) => c.step === 'stage' && c.depth === stageDepth);
  const checkout = checkoutCalls.find((c) => c.step === 'checkout')?.args[0];
  const verify = checkoutCalls.find((c) => c.step === 'sh')?.args[0];
  const pod = first('podTemplate');
  return {
    guard: { parameter: 'EXECUTION_ID', expected: executionId },
    displayName: first('currentBuild.displayName='),
    description: first('currentBuild.description='),
    timeoutMinutes: first('timeout')?.time,
    podTemplate: { cloud: pod?.cloud, namespace: pod?.namespace, yaml: pod?.yaml },
    checkout: {
      name: 'checkout', commit: checkout?.branches?.[0]?.name, url: checkout?.userRemoteConfigs?.[0]?.url,
      refspec: checkout?.userRemoteConfigs?.[0]?.refspec, verify: verify && { label: verify.label, script: verify.script },
    },
    stages: stages.map(([head, ...body]) => stageOf(head, body, stageDepth)),
  };
}

/** Runs of calls, each starting at a call that `starts`; calls before the first are dropped. */
function groups(calls: GroovyCall[], starts: (c: GroovyCall) => boolean): GroovyCall[][] {
  const out: GroovyCall[][] = [];
  for (const c of calls) {
    if (starts(c)) out.push([c]);
    else out[out.length - 1]?.push(c);
  }
  return out;
}

function stageOf(head: GroovyCall, body: GroovyCall[], depth: number): ScriptStage {
  const skipped = skippedMessage(body, depth + 1);
  if (skipped !== undefined) return { name: head.args[0], skipped, steps: [] };
  const steps = groups(body, (c) => c.step === 'stage' && c.depth === depth + 2);
  return { name: head.args[0], steps: steps.map(([step, ...calls]) => stepOf(step.args[0], calls, depth + 3)) };
}

/** `catchError(stageResult: 'NOT_BUILT') { error(m) }` right inside the stage at `depth`. */
function skippedMessage(body: GroovyCall[], depth: number): string | undefined {
  const catchError = body[0];
  if (catchError?.step !== 'catchError' || catchError.depth !== depth || catchError.args[0]?.stageResult !== 'NOT_BUILT') return undefined;
  return body.find((c) => c.step === 'error')?.args[0];
}

function stepOf(name: string, calls: GroovyCall[], depth: number): ScriptStep {
  const arg = (step: string) => calls.find((c) => c.step === step)?.args[0];
  const base = { name, timeoutMinutes: arg('timeout')?.time };
  const skipped = skippedMessage(calls, depth);
  if (skipped !== undefined) return { ...base, kind: 'skipped', message: skipped };
  const input = arg('input');
  if (input) return { ...base, kind: 'approval', input: { id: input.id, message: input.message, ok: input.ok, submitter: input.submitter } };
  if (calls.some((c) => c.step === 'error')) return { ...base, kind: 'refused', message: arg('error') };
  const files = calls.filter((c) => c.step === 'writeFile').map((c) => ({
    name: String(c.args[0].file).replace(/^.*\//, ''),
    content: Buffer.from(c.args[0].text, 'base64').toString('utf8'),
  }));
  const sh = arg('sh') ?? {};
  const named = /\$KEELSON_DIR\/([^"\s]+)/.exec(sh.script)?.[1] ?? '';
  // A step with caches runs its cache wrapper; the step's script is the one the wrapper runs.
  const wrapper = named.endsWith('.cache.sh') ? files.find((f) => f.name === named)?.content : undefined;
  const scriptFile = wrapper !== undefined ? /\$KEELSON_DIR\/([^"\s]+)/.exec(wrapper)?.[1] ?? '' : named;
  return {
    ...base, kind: 'run', container: arg('container'), label: sh.label, command: sh.script,
    script: files.find((f) => f.name === scriptFile)?.content ?? '', scriptFile, files, attempts: arg('retry') ?? 1,
  };
}
