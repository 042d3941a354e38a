// One error type for the lib, with a code per failure kind, following the repo-wide error shape (code,
// retryable, cause). A bad `.devops.yml` is the user's to fix, so nothing here is retryable.

export const PIPELINE_CONFIG_ERROR_CODES = [
  'ConfigTooLarge', // the file exceeds the size cap
  'ConfigTooDeep', // nesting beyond the depth cap
  'ConfigTooManyAliases', // alias count or alias expansion beyond the cap
  'ConfigSyntax', // not YAML, duplicate keys, custom tags, several documents
  'ConfigSchema', // valid YAML that breaks the schema (unknown key, wrong type, missing key)
  'ConfigSemantic', // schema-valid but inconsistent (duplicate stage names, unknown ${CICD_X}, ...)
  'ConfigSubstitution', // substitution for an execution failed
] as const;
export type PipelineConfigErrorCode = (typeof PIPELINE_CONFIG_ERROR_CODES)[number];

/** One problem in a file, located at the YAML node it concerns. Lines and columns are 1-based. */
export interface ConfigIssue {
  code: PipelineConfigErrorCode;
  file: string;
  line: number;
  column: number;
  /** JSON-pointer-like path of the offending value (`/stages/0/steps/1/runScriptConfig`), `''` for the root. */
  path: string;
  message: string;
}

/** `FILE:LINE:COL: message`, the format editors and CI annotators understand. */
export function formatIssue(issue: ConfigIssue): string {
  return `${issue.file}:${issue.line}:${issue.column}: ${issue.message}`;
}

/**
 * What a warning is about. Warnings come only from files read as Rancher's `.rancher-pipeline.y(a)ml`, which
 * keep Rancher's leniency: the file runs, but what Rancher silently ignored or did differently is said aloud.
 */
export const PIPELINE_CONFIG_WARNING_CODES = [
  'UnknownKeyIgnored', // a key Rancher's format does not have (often a typo, or a key at the wrong level)
  'DuplicateKey', // a key given twice in one mapping: the last one counts, as in Rancher
  'NoRecipients', // a notification without recipients (Rancher's UI writes `notification: {}`): nobody is notified
  'CloneStepIgnored', // `sourceCodeConfig`: Keelson always checks out the commit first
  'StepTypeIgnored', // a step with several types: only the first (in Rancher's order) runs
  'ValueIgnored', // a value Rancher ignored (an unknown notification state, a timeout of 0, ...)
  'MeaningDiffers', // accepted, but Keelson does it differently from Rancher (the README says how)
] as const;
export type PipelineConfigWarningCode = (typeof PIPELINE_CONFIG_WARNING_CODES)[number];

/** Something in a file that runs but deserves a look, located like an issue. */
export interface ConfigWarning {
  code: PipelineConfigWarningCode;
  file: string;
  line: number;
  column: number;
  path: string;
  message: string;
}

/** `FILE:LINE:COL: warning: message`, as compilers print warnings. */
export function formatWarning(warning: ConfigWarning): string {
  return `${warning.file}:${warning.line}:${warning.column}: warning: ${warning.message}`;
}

export class PipelineConfigError extends Error {
  readonly retryable = false;

  constructor(
    readonly code: PipelineConfigErrorCode,
    message: string,
    readonly issues: ConfigIssue[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'PipelineConfigError';
  }
}
