export * from './types';
export { GROUP, VERSION, API_VERSION } from './schema-types';
export { CrdDefinition, PrinterColumn } from './crd-definition';
export { ALL_KINDS } from './kinds';
export { EXECUTION_PHASES, TERMINAL_PHASES, STEP_PHASES, TRIGGER_EVENTS, REPORT_OUTCOMES, MAX_CONFIG_WARNINGS, CACHE_LOOKUP_RESULTS, CACHE_LOCK_OUTCOMES, MAX_STEP_CACHE_LOOKUPS } from './kinds/pipeline-execution';
export { PROVIDER_TYPES } from './kinds/source-code-provider';
export { renderCrdFiles, renderAdmissionFile, renderManifestFiles, customResourceDefinition, RenderedFile, RenderOptions } from './render';
export { DEFAULT_MANAGER_USERNAME, EXECUTION_ADMISSION_POLICY, REQUESTER_FIELDS, executionAdmissionPolicy } from './execution-admission';
export { CelRule } from './schema-types';
