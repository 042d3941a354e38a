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
