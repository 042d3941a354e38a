// `keelson lint [FILE|DIR]... [--strict] [--plan --branch B --event E] [--json]`: validates pipeline files and,
// with --plan, shows which stages and steps would run. A directory (the current one when no argument is given)
// is searched as the manager searches a repository: .devops.yml, .devops.yaml, .rancher-pipeline.yml,
// .rancher-pipeline.yaml. Rancher files get warnings for what Rancher silently ignored; warnings fail the lint
// only with --strict. Exit codes: 0 all valid, 1 any invalid (or any warning with --strict), 2 bad usage.

import {
  CONFIG_FILE_NAMES, ConfigIssue, configDialectOf, ConfigWarning, DEFAULT_PARSE_LIMITS, ExecutionPlan, formatIssue, formatWarning,
  parsePipelineConfig, PIPELINE_EVENTS, PipelineEvent, planExecution, type ParseResult,
} from '@keelson/pipeline-config';
import { CliIo, FileTooLargeError } from './cli-io';

export const LINT_USAGE = [
  'usage: keelson lint [FILE|DIR]... [--strict] [--plan --branch BRANCH --event EVENT] [--json]',
  `  a DIR (default: the current directory) is searched for ${CONFIG_FILE_NAMES.join(', ')}, in that order`,
  '  --strict  warnings (Rancher files only) fail the lint as errors do',
  '',
].join('\n');

interface LintArgs {
  paths: string[];
  plan: boolean;
  json: boolean;
  strict: boolean;
  branch?: string;
  event?: PipelineEvent;
}

export function runLintCommand(argv: readonly string[], io: CliIo): number {
  const args = parseArgs(argv);
  if (typeof args === 'string') {
    io.stderr(`keelson lint: ${args}\n${LINT_USAGE}`);
    return 2;
  }
  let failed = false;
  for (const path of args.paths) {
    const { file, result } = lintPath(path, io);
    const warnings = result.warnings;
    if (!result.ok || (args.strict && warnings.length > 0)) failed = true;
    if (args.json && !args.plan) {
      io.stdout(JSON.stringify({ file, valid: result.ok, issues: result.ok ? [] : result.issues, warnings }) + '\n');
      continue;
    }
    // Beside a JSON plan, whose shape is fixed, warnings go to stderr.
    const messages = messagesOf(result.ok ? [] : result.issues, warnings);
    if (args.plan && args.json) io.stderr(messages);
    else io.stdout(messages);
    if (!result.ok || !args.plan) continue;
    const plan = planExecution(result.config, { branch: args.branch!, event: args.event! });
    io.stdout(args.json ? JSON.stringify(planJson(plan)) + '\n' : planText(file, plan, args.branch!, args.event!));
  }
  return failed ? 1 : 0;
}

/** Errors and warnings in the order of the file, one `FILE:LINE:COL: ...` line each. */
function messagesOf(issues: ConfigIssue[], warnings: ConfigWarning[]): string {
  const lines = [...issues.map((i) => ({ at: i, text: formatIssue(i) })), ...warnings.map((w) => ({ at: w, text: formatWarning(w) }))];
  lines.sort((a, b) => a.at.line - b.at.line || a.at.column - b.at.column);
  return lines.map((l) => l.text + '\n').join('');
}

/** A file is linted as itself; a directory through the first pipeline file in it, which is then named on stderr. */
function lintPath(path: string, io: CliIo): { file: string; result: ParseResult } {
  if (io.pathKind(path) !== 'directory') return { file: path, result: lintFile(path, io) };
  const dir = path.replace(/\/+$/, '') || '/';
  for (const name of CONFIG_FILE_NAMES) {
    const file = dir === '.' ? name : `${dir === '/' ? '' : dir}/${name}`;
    if (io.pathKind(file) !== 'file') continue;
    const how = configDialectOf(name) === 'rancher' ? ' as a Rancher pipeline (unknown keys are warnings)' : '';
    io.stderr(`keelson lint: reading ${file}${how}\n`);
    return { file, result: lintFile(file, io) };
  }
  const issue: ConfigIssue = {
    code: 'ConfigSyntax', file: dir, line: 1, column: 1, path: '',
    message: `no pipeline file in this directory; expected one of ${CONFIG_FILE_NAMES.join(', ')}`,
  };
  return { file: dir, result: { ok: false, issues: [issue], warnings: [] } };
}

function lintFile(file: string, io: CliIo): ParseResult {
  let text: string;
  try {
    text = io.readFile(file, DEFAULT_PARSE_LIMITS.maxBytes);
  } catch (err) {
    const tooLarge = err instanceof FileTooLargeError;
    const issue: ConfigIssue = {
      code: tooLarge ? 'ConfigTooLarge' : 'ConfigSyntax',
      file, line: 1, column: 1, path: '',
      message: tooLarge ? err.message : `cannot read the file: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
    };
    return { ok: false, issues: [issue], warnings: [] };
  }
  return parsePipelineConfig(text, { file });
}

/** Exactly the documented shape; step names are left out on purpose (they are not part of the contract). */
function planJson(plan: ExecutionPlan) {
  return {
    runs: plan.runs,
    stages: plan.stages.map((s) => ({ name: s.name, runs: s.runs, steps: s.steps.map((p) => ({ type: p.type, runs: p.runs })) })),
  };
}

function planText(file: string, plan: ExecutionPlan, branch: string, event: string): string {
  const word = (runs: boolean) => (runs ? 'runs' : 'skipped');
  const lines = [`${file}: branch ${branch}, event ${event}: pipeline ${plan.runs ? 'runs' : 'does not run (top-level branch filter)'}`];
  for (const stage of plan.stages) {
    lines.push(`  stage ${stage.name}: ${word(stage.runs)}`);
    for (const step of stage.steps) lines.push(`    ${step.name} (${step.type}): ${word(step.runs)}`);
  }
  return lines.join('\n') + '\n';
}

function parseArgs(argv: readonly string[]): LintArgs | string {
  const args: LintArgs = { paths: [], plan: false, json: false, strict: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string | undefined => inline ?? argv[++i];
    if (flag === '--plan') args.plan = true;
    else if (flag === '--json') args.json = true;
    else if (flag === '--strict') args.strict = true;
    else if (flag === '--branch') args.branch = value();
    else if (flag === '--event') {
      const event = value();
      if (!PIPELINE_EVENTS.includes(event as PipelineEvent)) return `--event must be one of ${PIPELINE_EVENTS.join(', ')}`;
      args.event = event as PipelineEvent;
    } else if (flag === '--') {
      args.paths.push(...argv.slice(i + 1));
      break;
    } else if (flag.startsWith('-') && flag !== '-') return `unknown option ${flag}`;
    else args.paths.push(arg);
  }
  if (args.paths.length === 0) args.paths.push('.');
  if (args.plan && (!args.branch || !args.event)) return '--plan needs --branch and --event';
  if (!args.plan && (args.branch !== undefined || args.event !== undefined)) return '--branch and --event only go with --plan';
  return args;
}
