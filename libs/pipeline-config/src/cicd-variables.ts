// The CICD_* variables of one execution, with Rancher's names and meanings so existing scripts keep working
// (CICD_GIT_COMMIT is the 7-character SHA, CICD_GIT_BRANCH is the target branch of a pull request and the tag
// name of a tag event). New beside them: CICD_GIT_COMMIT_FULL.

import { CICD_VARIABLE_NAMES, CicdVariableName, CicdVariables, ExecutionFacts } from './model';

const SHORT_SHA_LENGTH = 7;

export function cicdVariables(facts: ExecutionFacts): CicdVariables {
  const tag = facts.event === 'tag' ? (facts.tag ?? facts.ref.replace(/^refs\/tags\//, '')) : '';
  return {
    CICD_GIT_COMMIT: facts.commit.slice(0, SHORT_SHA_LENGTH),
    CICD_GIT_COMMIT_FULL: facts.commit,
    CICD_GIT_BRANCH: facts.event === 'tag' && !facts.branch ? tag : facts.branch,
    // Set (empty) on every event, so `${CICD_GIT_TAG}` resolves the same way everywhere.
    CICD_GIT_TAG: tag,
    CICD_GIT_REF: facts.ref,
    CICD_GIT_URL: facts.gitUrl,
    CICD_GIT_REPO_NAME: repoNameOf(facts.gitUrl),
    CICD_EVENT: facts.event,
    CICD_TRIGGER_TYPE: facts.triggerType,
    CICD_EXECUTION_ID: facts.executionId,
    CICD_EXECUTION_SEQUENCE: String(facts.runNumber),
    CICD_PIPELINE_ID: facts.pipeline,
    CICD_PROJECT_ID: facts.project,
    CICD_LOCAL_REGISTRY: facts.localRegistry,
  };
}

/** Last path segment of a clone URL without `.git`: https, ssh (`git@host:org/repo.git`) and trailing slashes. */
export function repoNameOf(gitUrl: string): string {
  const trimmed = gitUrl.replace(/[?#].*$/, '').replace(/\/+$/, '');
  const last = trimmed.split(/[/:]/).pop() ?? '';
  return last.replace(/\.git$/, '');
}

const KNOWN = new Set<string>(CICD_VARIABLE_NAMES);

export function isCicdVariableName(name: string): name is CicdVariableName {
  return KNOWN.has(name);
}

/**
 * Set only for applyYamlConfig fields, from the nearest publishImageConfig step of an earlier stage (Rancher
 * computed these inside its kube-apply script; we resolve them on the server like every other variable).
 */
export const IMAGE_VARIABLE_NAMES = ['CICD_REGISTRY', 'CICD_IMAGE_REPO', 'CICD_IMAGE'] as const;
export type ImageVariableName = (typeof IMAGE_VARIABLE_NAMES)[number];
