// Everything derived once from the compile input and shared by the pod builder and the Jenkinsfile compiler,
// so both describe the same steps, containers and files.
import {
  cicdVariables, planExecution, resolvePipelineConfig, secretsAllowed,
  type CicdVariables, type ExecutionPlan, type PipelineConfig, type Stage, type Step,
} from '@keelson/pipeline-config';

import { JenkinsCompileError } from './compile.errors';
import type { JenkinsCompileInput, ToolImages } from './compile-input.types';
import { jenkinsJobName, stageNodeName, stepContainerName, stepNodeName } from './jenkins-names';
import { workspacePath } from './pod/cache-paths';
import { publishTarget, type PublishPlan } from './steps/publish-target';
import { buildStepScript, type StepScript } from './steps/step-script.builder';
import { DEFAULT_TOOL_IMAGES } from './tool-images.defaults';

export interface CompiledStep {
  stageIndex: number;
  stepIndex: number;
  step: Step;
  runs: boolean;
  nodeName: string;
  /** Container name; also the base name of the step's files. Approval steps have no container. */
  containerName: string;
  script?: StepScript;
  publish?: PublishPlan;
  /** Why the step fails at once instead of running (deploy and privileged steps of untrusted builds). */
  refused?: string;
}

export interface CompiledStage {
  index: number;
  stage: Stage;
  runs: boolean;
  nodeName: string;
  steps: CompiledStep[];
}

export interface CompileContext {
  input: JenkinsCompileInput;
  /** The config with `${CICD_*}` substituted for this execution. */
  config: PipelineConfig;
  plan: ExecutionPlan;
  variables: CicdVariables;
  jobName: string;
  workspace: string;
  images: ToolImages;
  /**
   * False for pull requests from forks (or of unknown origin): no envFrom, no push, no token, read-only cache, no
   * image pull secrets, and a checkout without credentials (so a fork pull request of a private repository
   * cannot be built).
   */
  trusted: boolean;
  stages: CompiledStage[];
}

const FULL_SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

export function createCompileContext(input: JenkinsCompileInput, plan?: ExecutionPlan): CompileContext {
  const { facts } = input;
  if (!FULL_SHA.test(facts.commit)) {
    throw new JenkinsCompileError('InvalidCommit', `commit ${JSON.stringify(facts.commit)} is not a full lower-case SHA`);
  }
  const variables = cicdVariables(facts);
  const config = resolvePipelineConfig(input.config, variables);
  const executionPlan = plan ?? planExecution(input.config, { branch: facts.branch, event: facts.event });
  checkPlan(config, executionPlan);
  const trusted = secretsAllowed(facts);
  const jobName = jenkinsJobName(input.jobName ?? facts.pipeline);
  const stages = config.stages.map((stage, i): CompiledStage => {
    const stagePlan = executionPlan.stages[i];
    return {
      index: i,
      stage,
      runs: stagePlan.runs,
      nodeName: stageNodeName(i, stage.name),
      steps: stage.steps.map((step, j) => compileStep(input, stage, step, i, j, stagePlan.steps[j].runs, trusted)),
    };
  });
  return {
    input, config, plan: executionPlan, variables, jobName, workspace: workspacePath(jobName),
    images: { ...DEFAULT_TOOL_IMAGES, ...input.settings.images }, trusted, stages,
  };
}

function compileStep(
  input: JenkinsCompileInput, stage: Stage, step: Step, i: number, j: number, runs: boolean, trusted: boolean,
): CompiledStep {
  // Checked for every step, skipped or not: the pipeline cannot run in this project as written.
  if (step.privileged && !input.settings.allowPrivileged) {
    throw new JenkinsCompileError(
      'PrivilegedNotAllowed',
      `stage ${JSON.stringify(stage.name)} step ${JSON.stringify(step.name)} asks for a privileged container (privileged: true), which the operator has not allowed for project ${JSON.stringify(input.facts.project)}`,
    );
  }
  const compiled: CompiledStep = {
    stageIndex: i, stepIndex: j, step, runs, nodeName: stepNodeName(i, j, step.name), containerName: stepContainerName(i, j),
  };
  if (!runs || step.type === 'approval') return compiled;
  if (!trusted && (step.type === 'applyYamlConfig' || step.type === 'applyAppConfig')) {
    compiled.refused = 'Deploy steps do not run for pull requests from forks: they get no cluster credentials';
    return compiled;
  }
  // A privileged container is root on the node: never for code from a fork, even where the operator allows it.
  if (!trusted && step.type === 'runScriptConfig' && step.privileged) {
    compiled.refused = 'Privileged steps do not run for pull requests from forks';
    return compiled;
  }
  if (step.type === 'publishImageConfig') {
    const target = publishTarget(step.config, input.settings.registry.pushHost ?? input.facts.localRegistry);
    compiled.publish = { target, push: trusted, registryCa: !target.remote && !!input.settings.registry.caSecret };
  }
  compiled.script = buildStepScript(step, { baseName: compiled.containerName, publish: compiled.publish, deployNamespace: input.facts.project });
  return compiled;
}

function checkPlan(config: PipelineConfig, plan: ExecutionPlan): void {
  const same = plan.stages.length === config.stages.length && config.stages.every((stage, i) => {
    const p = plan.stages[i];
    return p.name === stage.name && p.steps.length === stage.steps.length
      && stage.steps.every((step, j) => p.steps[j].name === step.name && p.steps[j].type === step.type);
  });
  if (!same) throw new JenkinsCompileError('PlanMismatch', 'the execution plan does not describe the stages and steps of the config');
}

/** Every step of the run that needs a container in the build pod. */
export function containerSteps(ctx: CompileContext): CompiledStep[] {
  return ctx.stages.flatMap((s) => s.steps).filter((s) => s.script !== undefined);
}
