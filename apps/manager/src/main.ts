import { ConfigError } from '@keelson/config';
import { startManager } from './manager';

startManager().catch((err) => {
  // Before the logger exists, a bad configuration is reported on stderr, every key at once.
  process.stderr.write(`${err instanceof ConfigError ? err.message : (err as Error).stack}\n`);
  process.exit(1);
});
