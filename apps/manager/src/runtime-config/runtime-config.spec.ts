import { loadConfig, MANAGER_VARIABLES } from '@keelson/config';
import { bootValues, changedValues, readRuntimeConfig, reloadableEnvNames } from './runtime-config';

const boot = bootValues(loadConfig(MANAGER_VARIABLES, { SYNC_WORKERS: '20', LOG_LEVEL: 'info' }));

describe('readRuntimeConfig', () => {
  it('applies reloadable variables with the parsers of the environment', () => {
    const r = readRuntimeConfig('{"LOG_LEVEL":"debug","SYNC_WORKERS":"40","REPORT_WORKERS":"7","SYNC_MAX_POLL_MS":"10000"}', boot, boot);
    expect(r).toMatchObject({ refused: [], unusable: false });
    expect(r.values).toEqual({ ...boot, logLevel: 'debug', syncWorkers: 40, reportWorkers: 7, syncMaxPollMs: 10_000 });
    expect(changedValues(boot, r.values)).toEqual({
      LOG_LEVEL: { from: 'info', to: 'debug' }, SYNC_WORKERS: { from: 20, to: 40 }, REPORT_WORKERS: { from: 5, to: 7 }, SYNC_MAX_POLL_MS: { from: 30_000, to: 10_000 },
    });
  });

  it('refuses an invalid value, naming the variable, and keeps the value in force (not the boot one)', () => {
    const current = { ...boot, syncWorkers: 40, logLevel: 'debug' as const };
    const r = readRuntimeConfig('{"SYNC_WORKERS":"lots","LOG_LEVEL":"loud","REPORT_WORKERS":"9"}', boot, current);
    expect(r.values).toMatchObject({ syncWorkers: 40, logLevel: 'debug', reportWorkers: 9 });
    expect(r.refused).toEqual([
      { env: 'SYNC_WORKERS', problem: 'expected a whole number from 1 to 1000 (got "lots"); keeping 40' },
      { env: 'LOG_LEVEL', problem: 'expected one of debug, info, warn, error (got "loud"); keeping "debug"' },
    ]);
  });

  it('refuses variables that need a restart and names that are not variables, applying the rest', () => {
    const r = readRuntimeConfig('{"PORT":"9090","REDIS_URL":"redis://x:6379","CONTROLLER_WORKERS":"8","SYNC_WORKERZ":"3","SYNC_WORKERS":"30"}', boot, boot);
    expect(r.values.syncWorkers).toBe(30);
    expect(r.refused.map((p) => p.env)).toEqual(['PORT', 'REDIS_URL', 'CONTROLLER_WORKERS', 'SYNC_WORKERZ']);
    expect(r.refused[0].problem).toMatch(/^not reloadable: it needs a restart \(reloadable: LOG_LEVEL, SYNC_WORKERS, REPORT_WORKERS/);
    expect(r.refused[3].problem).toBe('not a variable of the manager');
    // A refused sensitive variable's value is never echoed.
    expect(JSON.stringify(r.refused)).not.toContain('redis://x');
  });

  it('refuses a value that is not a string, as the environment could not hold it', () => {
    const r = readRuntimeConfig('{"SYNC_WORKERS":40}', boot, boot);
    expect(r.refused).toEqual([{ env: 'SYNC_WORKERS', problem: 'expected a string value, as in the environment (got 40); keeping 20' }]);
    expect(r.values.syncWorkers).toBe(20);
  });

  it('puts a variable removed from the file back to its boot value', () => {
    const current = { ...boot, syncWorkers: 40, logLevel: 'warn' as const };
    expect(readRuntimeConfig('{"LOG_LEVEL":"warn"}', boot, current).values).toEqual({ ...boot, logLevel: 'warn' });
    expect(readRuntimeConfig('', boot, current).values).toEqual(boot);
  });

  it('changes nothing when the file is not a JSON object, naming the file', () => {
    const current = { ...boot, syncWorkers: 40 };
    for (const text of ['{"SYNC_WORKERS":', '["SYNC_WORKERS"]', '"x"', 'null']) {
      const r = readRuntimeConfig(text, boot, current, '/etc/keelson/runtime/config.json');
      expect(r.unusable).toBe(true);
      expect(r.values).toBe(current);
      expect(r.refused).toEqual([{ env: '/etc/keelson/runtime/config.json', problem: expect.stringMatching(/^expected (JSON|a JSON object)/) }]);
    }
  });

  it('keeps the poll bounds in order: a first delay above the longest is refused', () => {
    const r = readRuntimeConfig('{"SYNC_BASE_POLL_MS":"20000","SYNC_MAX_POLL_MS":"10000"}', boot, boot);
    expect(r.values).toMatchObject({ syncBasePollMs: boot.syncBasePollMs, syncMaxPollMs: boot.syncMaxPollMs });
    expect(r.refused).toEqual([{ env: 'SYNC_BASE_POLL_MS', problem: expect.stringContaining('must not exceed SYNC_MAX_POLL_MS (10000)') }]);
  });

  it('lists what may be reloaded, none of it sensitive', () => {
    expect(reloadableEnvNames()).toEqual(['LOG_LEVEL', 'SYNC_WORKERS', 'REPORT_WORKERS', 'SYNC_BASE_POLL_MS', 'SYNC_MAX_POLL_MS', 'SYNC_PROGRESS_INTERVAL_MS']);
    for (const def of Object.values(MANAGER_VARIABLES)) if (reloadableEnvNames().includes(def.env)) expect(def.sensitive).toBeFalsy();
  });
});
