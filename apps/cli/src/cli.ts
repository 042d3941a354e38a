// Command dispatch for `keelson`. Plain argv parsing: one command today, no framework needed.
import { CliIo } from './cli-io';
import { LINT_USAGE, runLintCommand } from './lint.command';

export const USAGE = `keelson: Keelson command line\n\n${LINT_USAGE}`;

export function runCli(argv: readonly string[], io: CliIo): number {
  const [command, ...rest] = argv;
  if (command === 'lint') return runLintCommand(rest, io);
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    io.stdout(USAGE);
    return command === undefined ? 2 : 0;
  }
  io.stderr(`keelson: unknown command ${command}\n${USAGE}`);
  return 2;
}
