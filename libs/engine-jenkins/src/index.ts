// The only public face of @keelson/engine-jenkins. Today: the compiler from a parsed pipeline to a Jenkins job
// (config.xml, Jenkinsfile, build pod). The HTTP client will sit beside it.
export { compileJenkinsJob } from './compiler/jenkins-job.compiler';
export type { CompiledJenkinsJob, CompiledStepFile } from './compiler/jenkins-job.compiler';
export type {
  BuildSettings, JenkinsCompileInput, JenkinsExecutionFacts, ProjectRegistry, RecentNode, ToolImages,
} from './compiler/compile-input.types';
export { JENKINS_COMPILE_ERROR_CODES, JenkinsCompileError } from './compiler/compile.errors';
export type { JenkinsCompileErrorCode } from './compiler/compile.errors';
export { buildPod } from './compiler/pod/build-pod.builder';
export { EXECUTION_LABEL, FORK_LABEL, labelValue } from './compiler/pod/labels';
export type * from './compiler/pod/pod.types';
export { buildCacheVolumes } from './compiler/pod/cache-volumes';
export { CACHE_NOMINAL_SIZE, CACHE_STORAGE_CLASS } from './compiler/pod/cache-claims';
export { CACHE_LOOKUP_MARKER, parseCacheLookups, type CacheLookupRecord } from './compiler/steps/cache-wrapper';
export { buildSecretReferences, envSecretKey } from './compiler/pod/env-secret';
export type { SecretReference } from './compiler/pod/env-secret';
export { recentNodeWeights } from './compiler/pod/node-affinity';
export { renderJobConfigXml, EXECUTION_ID_PARAMETER, MANAGED_JOB_NOTE } from './compiler/job-config.xml';
export {
  AGENT_CONTAINER_NAME, approvalInputId, CHECKOUT_STAGE_NAME, jenkinsJobName, parseJenkinsNodeName,
  stageNodeName, stepContainerName, stepNodeName,
} from './compiler/jenkins-names';
export type { JenkinsNodeRef } from './compiler/jenkins-names';
export { DEFAULT_TOOL_IMAGES } from './compiler/tool-images.defaults';
export { base64Utf8, groovyString, groovyStringExpression, kubeEnvValue, shellQuote, toYaml, xmlText } from './compiler/escape';
export type * from './engine/execution-engine.port';
export { JenkinsEngineClient } from './client/jenkins-engine.client';
export type { EngineStepLog, JenkinsEngineClientOptions } from './client/jenkins-engine.client';
export { JENKINS_CLIENT_ERROR_CODES, JenkinsClientError, isJenkinsNotFound } from './client/jenkins.errors';
export type { JenkinsClientErrorCode } from './client/jenkins.errors';
