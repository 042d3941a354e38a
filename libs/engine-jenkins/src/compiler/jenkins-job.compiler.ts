// The whole compilation of one execution: pod, Jenkinsfile and job config.xml from one shared context.
import type { ExecutionPlan } from '@keelson/pipeline-config';

import { containerSteps, createCompileContext } from './compile-context';
import type { JenkinsCompileInput } from './compile-input.types';
import { toYaml } from './escape';
import { compileJenkinsfile } from './jenkinsfile/jenkinsfile.compiler';
import { MANAGED_JOB_NOTE, renderJobConfigXml } from './job-config.xml';
import { buildPodFromContext } from './pod/build-pod.builder';
import { cacheVolumesFromContext } from './pod/cache-volumes';
import { stepCacheWrapper } from './steps/cache-wrapper';
import type { CacheVolumes, Pod } from './pod/pod.types';

export interface CompiledJenkinsJob {
  jobName: string;
  /** POST it to /createItem or /job/<jobName>/config.xml. */
  configXml: string;
  jenkinsfile: string;
  pod: Pod;
  podYaml: string;
  /** The cache volumes and claims the pod mounts: the manager creates them (volumes first) before the build. */
  cacheVolumes: CacheVolumes;
  /** What runs and what is skipped: record it in the execution status as it is, the script follows it. */
  plan: ExecutionPlan;
  /** The scripts and data files the steps run, decoded (the Jenkinsfile carries them as base64). */
  files: CompiledStepFile[];
}

export interface CompiledStepFile {
  /** Jenkins node name of the step. */
  step: string;
  /** File name in `$KEELSON_DIR`. */
  name: string;
  content: string;
}

/**
 * @param plan the plan recorded when the execution was created; by default it is computed from the facts.
 * @throws JenkinsCompileError, or PipelineConfigError (`ConfigSubstitution`) from resolving `${CICD_*}`.
 */
export function compileJenkinsJob(input: JenkinsCompileInput, plan?: ExecutionPlan): CompiledJenkinsJob {
  const ctx = createCompileContext(input, plan);
  const pod = buildPodFromContext(ctx);
  const podYaml = toYaml(pod);
  const jenkinsfile = compileJenkinsfile(ctx, podYaml);
  const { facts } = input;
  const configXml = renderJobConfigXml({
    description: `Keelson pipeline ${facts.project}/${facts.pipeline}. ${MANAGED_JOB_NOTE}`,
    jenkinsfile,
    buildsToKeep: input.settings.buildsToKeep,
  });
  const files = containerSteps(ctx).flatMap((s) => {
    const script = s.script as NonNullable<typeof s.script>;
    const wrapper = stepCacheWrapper(ctx, s);
    return [script, ...script.files, ...(wrapper ? [wrapper] : [])].map((f) => ({ step: s.nodeName, name: f.name, content: f.content }));
  });
  return {
    jobName: ctx.jobName, configXml, jenkinsfile, pod, podYaml, cacheVolumes: cacheVolumesFromContext(ctx), plan: ctx.plan, files,
  };
}
