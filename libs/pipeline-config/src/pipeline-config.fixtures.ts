// Test helpers shared by the specs of this lib (not exported from the index).
import { ConfigIssue, formatIssue } from './pipeline-config.errors';
import { PipelineConfig } from './model';
import { parsePipelineConfig, ParseOptions } from './pipeline-config.parser';

export function parseValid(text: string, options?: ParseOptions): PipelineConfig {
  const result = parsePipelineConfig(text, options);
  if (!result.ok) throw new Error(`expected a valid file, got:\n${result.issues.map(formatIssue).join('\n')}`);
  return result.config;
}

/** The issues of an invalid file, formatted as `FILE:LINE:COL: message`. */
export function lintErrors(text: string, options?: ParseOptions): string[] {
  return parseIssues(text, options).map(formatIssue);
}

export function parseIssues(text: string, options?: ParseOptions): ConfigIssue[] {
  const result = parsePipelineConfig(text, { file: 'p.yml', ...options });
  if (result.ok) throw new Error('expected an invalid file, but it parsed');
  return result.issues;
}

/** A one-stage pipeline around the given step lines (indented as list items of `steps`). */
export function oneStep(stepYaml: string): string {
  const body = stepYaml.trim().split('\n').map((l, i) => (i === 0 ? `  - ${l}` : `    ${l}`)).join('\n');
  return `stages:\n- name: build\n  steps:\n${body}\n`;
}
