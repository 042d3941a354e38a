// `keelson lint FILE... [--plan --branch B --event E] [--json]`: validates `.devops.yml` files and, with
// --plan, shows which stages and steps would run. Exit codes: 0 all valid, 1 any invalid, 2 bad usage.

import {
  ConfigIssue, DEFAULT_PARSE_LIMITS, ExecutionPlan, formatIssue, parsePipelineConfig, PIPELINE_EVENTS, PipelineEvent,
  planExecution,
} from '@keelson/pipeline-config';
import { CliIo, FileTooLargeError } from './cli-io';

export const LINT_USAGE = 'usage: keelson lint FILE... [--plan --branch BRANCH --event EVENT] [--json]\n';

interface LintArgs {
  files: string[];
  plan: boolean;
  json: boolean;
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
  for (const file of args.files) {
    const result = lintFile(file, io);
    if (!result.ok) {
      failed = true;
      if (args.json && !args.plan) io.stdout(JSON.stringify({ file, valid: false, issues: result.issues }) + '\n');
      else io.stdout(result.issues.map((i) => formatIssue(i) + '\n').join(''));
      continue;
    }
    if (args.plan) {
      const plan = planExecution(result.config, { branch: args.branch!, event: args.event! });
      io.stdout(args.json ? JSON.stringify(planJson(plan)) + '\n' : planText(file, plan, args.branch!, args.event!));
    } else if (args.json) {
      io.stdout(JSON.stringify({ file, valid: true, issues: [] }) + '\n');
    }
  }
  return failed ? 1 : 0;
}

function lintFile(file: string, io: CliIo): ReturnType<typeof parsePipelineConfig> {
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
    return { ok: false, issues: [issue] };
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
  const args: LintArgs = { files: [], plan: false, json: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string | undefined => inline ?? argv[++i];
    if (flag === '--plan') args.plan = true;
    else if (flag === '--json') args.json = true;
    else if (flag === '--branch') args.branch = value();
    else if (flag === '--event') {
      const event = value();
      if (!PIPELINE_EVENTS.includes(event as PipelineEvent)) return `--event must be one of ${PIPELINE_EVENTS.join(', ')}`;
      args.event = event as PipelineEvent;
    } else if (flag === '--') {
      args.files.push(...argv.slice(i + 1));
      break;
    } else if (flag.startsWith('-') && flag !== '-') return `unknown option ${flag}`;
    else args.files.push(arg);
  }
  if (args.files.length === 0) return 'expected at least one FILE';
  if (args.plan && (!args.branch || !args.event)) return '--plan needs --branch and --event';
  if (!args.plan && (args.branch !== undefined || args.event !== undefined)) return '--branch and --event only go with --plan';
  return args;
}
