// The entry point from text to model: safe YAML, then (for a Rancher file) Rancher's reading, then the JSON
// Schema, then normalisation and whole-file checks. Each stage runs only when the previous one passed, so errors
// never cascade into noise. Warnings (Rancher files only) come with every result, valid or not.

import { ConfigDialect, configDialectOf, MAX_CONFIG_SNAPSHOT_BYTES, PipelineConfig } from './model';
import { normalizePipelineConfig } from './pipeline-config.normalizer';
import { ConfigIssue, ConfigWarning, formatIssue, PipelineConfigError } from './pipeline-config.errors';
import { readAsRancher } from './rancher-dialect';
import { DEFAULT_PARSE_LIMITS, ParseLimits, parseYamlSafely } from './safe-yaml.parser';
import { validateAgainstSchema } from './schema.validator';
import { checkSemantics } from './semantic.checks';
import { YamlNodeLocator } from './yaml-node.locator';

export interface ParseOptions {
  /** Named in every issue; default `.devops.yml`. */
  file?: string;
  /** Default from the file's name: `rancher` for `.rancher-pipeline.yml`/`.yaml`, else `devops` (strict). */
  dialect?: ConfigDialect;
  limits?: Partial<ParseLimits>;
}

export type ParseResult =
  | { ok: true; config: PipelineConfig; warnings: ConfigWarning[] }
  | { ok: false; issues: ConfigIssue[]; warnings: ConfigWarning[] };

const byPosition = (a: ConfigIssue, b: ConfigIssue) => a.line - b.line || a.column - b.column;

export function parsePipelineConfig(text: string, options: ParseOptions = {}): ParseResult {
  const file = options.file ?? '.devops.yml';
  const dialect = options.dialect ?? configDialectOf(file);
  const parsed = parseYamlSafely(text, file, { ...DEFAULT_PARSE_LIMITS, ...options.limits }, { uniqueKeys: dialect === 'devops' });
  if (!parsed.ok) return { ...parsed, warnings: [] };

  const { doc, lineCounter } = parsed.parsed;
  let value = parsed.parsed.value;
  let locator = new YamlNodeLocator(doc, lineCounter);
  let warnings: ConfigWarning[] = [];
  let readingIssues: ConfigIssue[] = [];
  if (dialect === 'rancher') {
    const reading = readAsRancher(doc, value, file, locator);
    ({ value, warnings } = reading);
    readingIssues = reading.issues;
    locator = locator.withRemap(reading.remap);
  }
  const schemaIssues = [...readingIssues, ...validateAgainstSchema(value, file, locator, dialect)];
  if (schemaIssues.length > 0) return { ok: false, issues: schemaIssues.sort(byPosition), warnings };

  const raw = value as Record<string, any>;
  const config = normalizePipelineConfig(raw, locator);
  const issues = checkSemantics(config, raw, file, locator);
  if (issues.length > 0) return { ok: false, issues: issues.sort(byPosition), warnings };
  const snapshot = snapshotIssue(config, file);
  if (snapshot) return { ok: false, issues: [snapshot], warnings };
  return { ok: true, config, warnings };
}

/**
 * The normalised config is copied into every execution; aliases and defaults can make it much larger than the
 * file, so its JSON is measured, not the text.
 */
function snapshotIssue(config: PipelineConfig, file: string): ConfigIssue | undefined {
  const bytes = Buffer.byteLength(JSON.stringify(config), 'utf8');
  if (bytes <= MAX_CONFIG_SNAPSHOT_BYTES) return undefined;
  return {
    code: 'ConfigTooLarge', file, line: 1, column: 1, path: '',
    message: `the pipeline is ${bytes} bytes once normalised (JSON); expected at most ${MAX_CONFIG_SNAPSHOT_BYTES}, since every execution stores a copy`,
  };
}

/** Like parsePipelineConfig, for callers that want an exception; the error carries every issue. */
export function loadPipelineConfig(text: string, options: ParseOptions = {}): PipelineConfig {
  const result = parsePipelineConfig(text, options);
  if (result.ok) return result.config;
  const message = result.issues.map(formatIssue).join('\n');
  throw new PipelineConfigError(result.issues[0].code, message, result.issues);
}
