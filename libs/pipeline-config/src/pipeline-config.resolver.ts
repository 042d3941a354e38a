// Produces the config of one execution: every `${CICD_*}` in a substitutable field replaced. The input is
// never mutated (it is the snapshot a rerun starts from).

import { cicdVariables } from './cicd-variables';
import { substituteCicd } from './cicd.substitution';
import { CicdVariables, ExecutionFacts, PipelineConfig, PublishImageConfig } from './model';
import { substitutableFields } from './substitution-fields';
import { displayPath } from './yaml-node.locator';

/** Throws PipelineConfigError `ConfigSubstitution` naming the field when a variable is unknown or unset. */
export function resolvePipelineConfig(config: PipelineConfig, factsOrVars: ExecutionFacts | CicdVariables): PipelineConfig {
  const vars = 'CICD_GIT_COMMIT' in factsOrVars ? factsOrVars : cicdVariables(factsOrVars);
  const resolved = structuredClone(config);
  const fields = substitutableFields(resolved);
  // Publish steps first: applyYaml fields read CICD_IMAGE from the resolved tag of an earlier publish step.
  for (const f of fields.filter((x) => !x.imageVariables)) f.set(substituteCicd(f.value, vars, displayPath(f.segments)));
  for (const f of fields.filter((x) => x.imageVariables)) {
    const image = imageVariablesBefore(resolved, f.stageIndex ?? 0, vars);
    f.set(substituteCicd(f.value, { ...vars, ...image }, displayPath(f.segments)));
  }
  return resolved;
}

/**
 * CICD_REGISTRY, CICD_IMAGE_REPO and CICD_IMAGE from the last publishImageConfig step of an earlier stage
 * (Rancher: `CICD_IMAGE=<registry>/<repo>`, without the tag). Empty object when there is none.
 */
export function imageVariablesBefore(config: PipelineConfig, stageIndex: number, vars: CicdVariables): Record<string, string> {
  let publish: PublishImageConfig | undefined;
  for (const stage of config.stages.slice(0, stageIndex)) {
    for (const step of stage.steps) if (step.type === 'publishImageConfig') publish = step.config;
  }
  if (!publish) return {};
  const registry = publish.pushRemote && publish.registry ? publish.registry : vars.CICD_LOCAL_REGISTRY;
  const repo = imageRepoOf(publish.tag);
  return { CICD_REGISTRY: registry, CICD_IMAGE_REPO: repo, CICD_IMAGE: `${registry}/${repo}` };
}

/** `org/app:1.2` → `org/app`; a `:` before the last `/` is a registry port, not a tag. */
export function imageRepoOf(tag: string): string {
  const colon = tag.lastIndexOf(':');
  return colon > tag.lastIndexOf('/') ? tag.slice(0, colon) : tag;
}

/** envFrom secrets are withheld from pull requests unless the head is known to be in the same repository. */
export function secretsAllowed(facts: Pick<ExecutionFacts, 'event' | 'fromFork'>): boolean {
  return facts.event !== 'pull_request' || facts.fromFork === false;
}
