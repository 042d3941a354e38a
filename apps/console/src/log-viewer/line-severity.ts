// Which lines are errors or warnings: the tint and label of a row, and what "Next error" looks for (the same rule).

/** What "Next error" looks for (case-insensitive): the words builds print when something failed, as whole words
 *  in the stored text, where an ANSI colour code may stand right before them. */
export const ERROR_PATTERN = '(?:^|[^a-z0-9_]|\\u001b\\[[0-9;]*m)(error|failed|failure|fatal|exception|panic)(?![a-z0-9_])';
/** Warnings, by the same whole-word rule. */
export const WARNING_PATTERN = '(?:^|[^a-z0-9_]|\\u001b\\[[0-9;]*m)(warn|warning|warnings|deprecated|deprecation)(?![a-z0-9_])';

const ERROR = new RegExp(ERROR_PATTERN, 'i');
const WARNING = new RegExp(WARNING_PATTERN, 'i');

export type Severity = 'error' | 'warning' | undefined;

export function lineSeverity(raw: string): Severity {
  if (ERROR.test(raw)) return 'error';
  if (WARNING.test(raw)) return 'warning';
  return undefined;
}
