// The entry point from text to model: safe YAML, then the JSON Schema, then normalisation and whole-file
// checks. Each stage runs only when the previous one passed, so errors never cascade into noise.

import { MAX_CONFIG_SNAPSHOT_BYTES, PipelineConfig } from './model';
import { normalizePipelineConfig } from './pipeline-config.normalizer';
import { ConfigIssue, formatIssue, PipelineConfigError } from './pipeline-config.errors';
import { DEFAULT_PARSE_LIMITS, ParseLimits, parseYamlSafely } from './safe-yaml.parser';
import { validateAgainstSchema } from './schema.validator';
import { checkSemantics } from './semantic.checks';
import { YamlNodeLocator } from './yaml-node.locator';

export interface ParseOptions {
  /** Named in every issue; default `.devops.yml`. */
  file?: string;
  limits?: Partial<ParseLimits>;
}

export type ParseResult = { ok: true; config: PipelineConfig } | { ok: false; issues: ConfigIssue[] };

export function parsePipelineConfig(text: string, options: ParseOptions = {}): ParseResult {
  const file = options.file ?? '.devops.yml';
  const parsed = parseYamlSafely(text, file, { ...DEFAULT_PARSE_LIMITS, ...options.limits });
  if (!parsed.ok) return parsed;

  const { doc, value, lineCounter } = parsed.parsed;
  const locator = new YamlNodeLocator(doc, lineCounter);
  const schemaIssues = validateAgainstSchema(value, file, locator);
  if (schemaIssues.length > 0) return { ok: false, issues: schemaIssues };

  const raw = value as Record<string, any>;
  const config = normalizePipelineConfig(raw, locator);
  const issues = checkSemantics(config, raw, file, locator);
  if (issues.length > 0) return { ok: false, issues: issues.sort((a, b) => a.line - b.line || a.column - b.column) };
  const snapshot = snapshotIssue(config, file);
  if (snapshot) return { ok: false, issues: [snapshot] };
  return { ok: true, config };
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
