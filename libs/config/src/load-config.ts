import { ConfigVariable } from './config-schema';

type ValueOf<V> = V extends ConfigVariable<infer T> ? T : never;
export type LoadedConfig<S extends Record<string, ConfigVariable<unknown>>> = {
  [K in keyof S]: S[K] extends { default: unknown } ? ValueOf<S[K]> : ValueOf<S[K]> | undefined;
};

/** Every bad variable at once, so an operator fixes them in one round. */
export class ConfigError extends Error {
  readonly code = 'ConfigInvalid';

  constructor(readonly problems: Array<{ env: string; problem: string }>) {
    super(`invalid configuration:\n${problems.map((p) => `  ${p.env}: ${p.problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig<S extends Record<string, ConfigVariable<unknown>>>(schema: S, env: NodeJS.ProcessEnv = process.env): LoadedConfig<S> {
  const result: Record<string, unknown> = {};
  const problems: Array<{ env: string; problem: string }> = [];
  for (const [key, def] of Object.entries(schema)) {
    const raw = env[def.env];
    if (raw === undefined || raw === '') {
      result[key] = def.default;
      continue;
    }
    try {
      result[key] = def.parse(raw);
    } catch (err) {
      // The value itself is left out of the message when it may be a secret.
      const shown = def.sensitive ? '' : ` (got ${JSON.stringify(raw.length > 80 ? `${raw.slice(0, 80)}…` : raw)})`;
      problems.push({ env: def.env, problem: `${(err as Error).message}${shown}` });
    }
  }
  if (problems.length) throw new ConfigError(problems);
  return result as LoadedConfig<S>;
}

/** The configuration as it may be logged: sensitive values replaced. */
export function describeConfig<S extends Record<string, ConfigVariable<unknown>>>(schema: S, config: LoadedConfig<S>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(schema).map(([key, def]) => [def.env, def.sensitive ? '[redacted]' : (config as Record<string, unknown>)[key]]));
}
