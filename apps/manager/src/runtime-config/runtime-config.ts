// What RUNTIME_CONFIG_FILE may change without a restart, and how its text becomes the values in force: the same
// variables and parsers as the environment (libs/config), so a value means the same in both places.
import { MANAGER_VARIABLES, type ConfigVariable, type ManagerConfig } from '@keelson/config';

/**
 * The variables a running manager applies: each has a live target (the loggers' shared level, a BullMQ worker's
 * concurrency, the sync loop's poll timing). Anything else is read once at boot and needs a restart: ports, Redis,
 * roles, controller workers (a controller's worker pool is built when it takes the Lease), ...
 */
export const RELOADABLE_KEYS = ['logLevel', 'syncWorkers', 'reportWorkers', 'syncBasePollMs', 'syncMaxPollMs', 'syncProgressIntervalMs'] as const;
export type ReloadableKey = (typeof RELOADABLE_KEYS)[number];
export type ReloadableValues = Pick<ManagerConfig, ReloadableKey>;

export interface RuntimeConfigProblem {
  /** The variable (or the file, when it cannot be read as a whole). */
  env: string;
  problem: string;
}

export interface RuntimeConfigReading {
  /** The values to be in force: the file's valid entries over the boot values. */
  values: ReloadableValues;
  /** Entries refused, each naming its variable; the value in force for it stays what it was. */
  refused: RuntimeConfigProblem[];
  /** The file could not be used at all (not JSON, not an object): nothing changes. */
  unusable: boolean;
}

const BY_ENV = new Map<string, { key: string; def: ConfigVariable<unknown> }>(
  Object.entries(MANAGER_VARIABLES).map(([key, def]) => [def.env, { key, def: def as ConfigVariable<unknown> }]),
);
const RELOADABLE = new Set<string>(RELOADABLE_KEYS);

export function reloadableEnvNames(): string[] {
  return RELOADABLE_KEYS.map((k) => MANAGER_VARIABLES[k].env);
}

export function bootValues(config: ManagerConfig): ReloadableValues {
  return Object.fromEntries(RELOADABLE_KEYS.map((k) => [k, config[k]])) as unknown as ReloadableValues;
}

/**
 * Reads the file's text against the boot values and the values in force now. A variable missing from the file
 * goes back to its boot value (the file is the whole desired state, as a ConfigMap is); a refused entry keeps the
 * value in force now, so a typo never resets a working setting to its default.
 */
export function readRuntimeConfig(text: string, boot: ReloadableValues, current: ReloadableValues, file = 'RUNTIME_CONFIG_FILE'): RuntimeConfigReading {
  let parsed: unknown;
  try {
    parsed = text.trim() === '' ? {} : JSON.parse(text);
  } catch (err) {
    return { values: current, refused: [{ env: file, problem: `expected JSON: ${(err as Error).message}` }], unusable: true };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { values: current, refused: [{ env: file, problem: 'expected a JSON object of variable name to string value' }], unusable: true };
  }
  const values: Record<string, unknown> = { ...boot };
  const refused: RuntimeConfigProblem[] = [];
  for (const [env, raw] of Object.entries(parsed as Record<string, unknown>)) {
    const known = BY_ENV.get(env);
    if (!known) {
      refused.push({ env, problem: 'not a variable of the manager' });
      continue;
    }
    if (!RELOADABLE.has(known.key)) {
      refused.push({ env, problem: `not reloadable: it needs a restart (reloadable: ${reloadableEnvNames().join(', ')})` });
      continue;
    }
    const key = known.key as ReloadableKey;
    if (typeof raw !== 'string') {
      refused.push({ env, problem: `expected a string value, as in the environment (got ${JSON.stringify(raw)}); keeping ${JSON.stringify(current[key])}` });
      values[key] = current[key];
      continue;
    }
    try {
      values[key] = known.def.parse(raw);
    } catch (err) {
      // Reloadable variables are never sensitive, so the value may be shown.
      refused.push({ env, problem: `${(err as Error).message} (got ${JSON.stringify(raw)}); keeping ${JSON.stringify(current[key])}` });
      values[key] = current[key];
    }
  }
  const result = values as unknown as ReloadableValues;
  if (result.syncBasePollMs > result.syncMaxPollMs) {
    refused.push({
      env: MANAGER_VARIABLES.syncBasePollMs.env,
      problem: `must not exceed ${MANAGER_VARIABLES.syncMaxPollMs.env} (${result.syncMaxPollMs}); keeping both at ${current.syncBasePollMs} and ${current.syncMaxPollMs}`,
    });
    result.syncBasePollMs = current.syncBasePollMs;
    result.syncMaxPollMs = current.syncMaxPollMs;
  }
  return { values: result, refused, unusable: false };
}

/** The reloadable values that differ, by variable name, for the log line of a reload. */
export function changedValues(before: ReloadableValues, after: ReloadableValues): Record<string, { from: unknown; to: unknown }> {
  const changed: Record<string, { from: unknown; to: unknown }> = {};
  for (const key of RELOADABLE_KEYS) {
    if (before[key] !== after[key]) changed[MANAGER_VARIABLES[key].env] = { from: before[key], to: after[key] };
  }
  return changed;
}
