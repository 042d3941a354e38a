// The only public face of @keelson/pipeline-config: the `.devops.yml` language.
export * from './model';
export * from './pipeline-config.errors';
export { DEVOPS_SCHEMA, DEVOPS_SCHEMA_ID, DEVOPS_SCHEMA_PATH, renderDevopsSchema } from './devops-schema';
export { DEFAULT_PARSE_LIMITS } from './safe-yaml.parser';
export type { ParseLimits } from './safe-yaml.parser';
export { loadPipelineConfig, parsePipelineConfig } from './pipeline-config.parser';
export type { ParseOptions, ParseResult } from './pipeline-config.parser';
export { constraintMatches, pipelineRunsFor, planExecution, whenMatches } from './when.evaluator';
export type { RunTarget } from './when.evaluator';
export { globMatches } from './glob.matcher';
export { isKubernetesQuantity, KUBERNETES_QUANTITY_PATTERN, QUANTITY_HINT, quantityValue } from './kubernetes-quantity';
export { cicdVariables, IMAGE_VARIABLE_NAMES, isCicdVariableName, repoNameOf } from './cicd-variables';
export { cicdReferences, substituteCicd } from './cicd.substitution';
export { imageRepoOf, imageVariablesBefore, resolvePipelineConfig, secretsAllowed } from './pipeline-config.resolver';
