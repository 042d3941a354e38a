// envFrom values (ADR 0004). A build never references the project's own Secrets: the manager copies the keys
// the running steps name into one Secret per execution in the build namespace (`settings.envSecret`), and the
// containers read them from there. Both sides derive the list from the same compile context, so they agree.
import type { ExecutionPlan } from '@keelson/pipeline-config';

import { containerSteps, createCompileContext, type CompileContext, type CompiledStep } from '../compile-context';
import { JenkinsCompileError } from '../compile.errors';
import type { JenkinsCompileInput } from '../compile-input.types';
import type { EnvVar } from './pod.types';

const SECRET_NAME = /^[a-z0-9](?:[-a-z0-9.]{0,251}[a-z0-9])?$/;

/**
 * The key of a source Secret's key in the execution's Secret. Secret names cannot contain `_`, so the first
 * `__` always separates the two.
 */
export function envSecretKey(sourceName: string, sourceKey: string): string {
  return `${sourceName}__${sourceKey}`;
}

/** A key of a project Secret that a running step needs, and the first step that names it. */
export interface SecretReference {
  secret: string;
  key: string;
  stage: string;
  step: string;
}

/** The distinct source Secrets and keys of a trusted build's running steps; none for untrusted builds. */
export function secretReferencesOf(ctx: CompileContext): SecretReference[] {
  if (!ctx.trusted) return [];
  const refs = new Map<string, SecretReference>();
  for (const s of containerSteps(ctx)) {
    for (const ref of s.step.envFrom) {
      const id = envSecretKey(ref.sourceName, ref.sourceKey);
      if (!refs.has(id)) refs.set(id, { secret: ref.sourceName, key: ref.sourceKey, stage: ctx.stages[s.stageIndex].stage.name, step: s.step.name });
    }
  }
  return [...refs.values()];
}

/** What the manager must copy into `settings.envSecret` before the pod starts. Pure. */
export function buildSecretReferences(input: JenkinsCompileInput, plan?: ExecutionPlan): SecretReference[] {
  return secretReferencesOf(createCompileContext(input, plan));
}

/** The step's envFrom as references into the execution's Secret; none for untrusted builds. */
export function secretEnvVars(ctx: CompileContext, compiled: CompiledStep): EnvVar[] {
  const { envFrom } = compiled.step;
  if (!ctx.trusted || envFrom.length === 0) return [];
  const secret = ctx.input.settings.envSecret;
  if (!secret) {
    const where = `stage ${JSON.stringify(ctx.stages[compiled.stageIndex].stage.name)} step ${JSON.stringify(compiled.step.name)}`;
    throw new JenkinsCompileError('InvalidSetting', `${where} uses envFrom, but no envSecret is set: the values must be copied into a Secret of the build namespace first`);
  }
  if (!SECRET_NAME.test(secret)) throw new JenkinsCompileError('InvalidSetting', `envSecret ${JSON.stringify(secret)} is not a Secret name (a DNS subdomain)`);
  return envFrom.map((ref) => ({
    name: ref.targetKey,
    valueFrom: { secretKeyRef: { name: secret, key: envSecretKey(ref.sourceName, ref.sourceKey) } },
  }));
}
