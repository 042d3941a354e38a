// Names shared by the Jenkinsfile, the build pod and the status sync. Jenkins stage names carry the position
// (the join key for the stage-view API) and the user's name (for people reading Jenkins); the position comes
// first so a name containing anything at all cannot be mistaken for another position.

import { JenkinsCompileError } from './compile.errors';

export const CHECKOUT_STAGE_NAME = 'checkout';
export const AGENT_CONTAINER_NAME = 'jnlp';

/** Jenkins stage name of the user's stage `stageIndex` (0-based). */
export function stageNodeName(stageIndex: number, name: string): string {
  return `stage-${stageIndex} ${name}`;
}

/** Jenkins stage name (and parallel branch name) of a step. */
export function stepNodeName(stageIndex: number, stepIndex: number, name: string): string {
  return `step-${stageIndex}-${stepIndex} ${name}`;
}

/** Container of a step in the build pod; a DNS label whatever the user called the step. */
export function stepContainerName(stageIndex: number, stepIndex: number): string {
  return `step-${stageIndex}-${stepIndex}`;
}

/**
 * Id of the `input` step of an approval. Jenkins normalises input ids by capitalising the first letter, so
 * the id is written already capitalised: the manager finds it unchanged in `pendingInputActions`.
 */
export function approvalInputId(stageIndex: number, stepIndex: number): string {
  return `Approval-${stageIndex}-${stepIndex}`;
}

export type JenkinsNodeRef =
  | { kind: 'checkout' }
  | { kind: 'stage'; stage: number }
  | { kind: 'step'; stage: number; step: number };

/** Reads back a stage-view node name written by this compiler; undefined for anything else. */
export function parseJenkinsNodeName(name: string): JenkinsNodeRef | undefined {
  if (name === CHECKOUT_STAGE_NAME) return { kind: 'checkout' };
  const step = /^step-(\d+)-(\d+)(?: |$)/.exec(name);
  if (step) return { kind: 'step', stage: Number(step[1]), step: Number(step[2]) };
  const stage = /^stage-(\d+)(?: |$)/.exec(name);
  if (stage) return { kind: 'stage', stage: Number(stage[1]) };
  return undefined;
}

const DNS_SUBDOMAIN = /^[a-z0-9](?:[-a-z0-9.]{0,251}[a-z0-9])?$/;

/**
 * One Jenkins job per pipeline (DESIGN §4.5). Pipeline names are DNS subdomains, which are valid Jenkins item
 * names and safe in the workspace path; anything else is refused rather than mapped.
 */
export function jenkinsJobName(pipeline: string): string {
  if (!DNS_SUBDOMAIN.test(pipeline)) {
    throw new JenkinsCompileError('InvalidName', `pipeline name ${JSON.stringify(pipeline)} is not a DNS subdomain`);
  }
  return pipeline;
}
