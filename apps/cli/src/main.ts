// Process entry point (bin/keelson.js requires the compiled file). Sets the exit code rather than calling
// process.exit, so buffered stdout is flushed before the process ends.
import { processIo } from './cli-io';
import { runCli } from './cli';

process.exitCode = runCli(process.argv.slice(2), processIo);
