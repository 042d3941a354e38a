import { BlockList, isIP } from 'node:net';
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
  problems.push(...crossCheck(schema, result));
  if (problems.length) throw new ConfigError(problems);
  return result as LoadedConfig<S>;
}

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** 127.0.0.0/8, ::1 (in any spelling, bracketed or not) and localhost. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  if (/^localhost\.?$/i.test(bare)) return true;
  const family = isIP(bare);
  return family !== 0 && LOOPBACK.check(bare, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * Rules between variables, on the values that parsed (a rule whose input failed stays silent). Each applies to
 * a schema that declares the keys it reads, so loadConfig stays usable with any schema.
 */
function crossCheck(schema: Record<string, ConfigVariable<unknown>>, values: Record<string, unknown>): Array<{ env: string; problem: string }> {
  const problems: Array<{ env: string; problem: string }> = [];
  // An API without authentication is a development convenience; reachable from other hosts, it hands every
  // project to anyone on the network.
  if (schema.apiAuth && schema.host && values.apiAuth === 'disabled' && !isLoopbackHost(String(values.host))) {
    problems.push({
      env: schema.apiAuth.env,
      problem: `disabled is allowed only when ${schema.host.env} is a loopback address (127.0.0.0/8, ::1 or localhost); ${schema.host.env} is ${JSON.stringify(values.host)}`,
    });
  }
  // The manager binds itself in the namespaces it creates only with both roles and its own ServiceAccount.
  const access = [schema.managerServiceAccount, schema.dataPlaneManagerClusterRole, schema.buildsManagerClusterRole];
  if (access.every(Boolean)) {
    const keys = ['managerServiceAccount', 'dataPlaneManagerClusterRole', 'buildsManagerClusterRole'];
    const set = keys.filter((k) => values[k] !== undefined);
    if (set.length > 0 && set.length < keys.length) {
      for (const k of keys.filter((key) => values[key] === undefined)) {
        problems.push({ env: schema[k].env, problem: `must be set together with ${set.map((key) => schema[key].env).join(' and ')}` });
      }
    }
  }
  // OIDC sign-in needs both the issuer and the client; a secret or half a pair alone is a mistake worth naming.
  if (schema.oidcIssuerUrl && schema.oidcClientId && schema.oidcClientSecret) {
    const pair = ['oidcIssuerUrl', 'oidcClientId'];
    const set = pair.filter((k) => values[k] !== undefined);
    if (set.length === 1) {
      const missing = pair.find((k) => values[k] === undefined)!;
      problems.push({ env: schema[missing].env, problem: `must be set together with ${schema[set[0]].env}` });
    }
    // The issuer sends the browser back to <PUBLIC_URL>/api/v1/auth/oidc/callback.
    if (set.length > 0 && schema.publicUrl && values.publicUrl === undefined) {
      problems.push({ env: schema.publicUrl.env, problem: `must be set with ${schema.oidcIssuerUrl.env}: the issuer sends the browser back to <${schema.publicUrl.env}>/api/v1/auth/oidc/callback` });
    }
    if (set.length === 0 && values.oidcClientSecret !== undefined) {
      problems.push({ env: schema.oidcClientSecret.env, problem: `is set but ${schema.oidcIssuerUrl.env} and ${schema.oidcClientId.env} are not` });
    }
  }
  // As client-go's leaderelection: a leader must give up before its Lease expires, and retry more than once before.
  if (schema.leaseDurationSeconds && schema.renewDeadlineSeconds && schema.retryPeriodSeconds) {
    const [lease, renew, retry] = [values.leaseDurationSeconds, values.renewDeadlineSeconds, values.retryPeriodSeconds] as Array<number | undefined>;
    if (lease !== undefined && renew !== undefined && renew >= lease) {
      problems.push({ env: schema.renewDeadlineSeconds.env, problem: `must be less than ${schema.leaseDurationSeconds.env} (${lease}); got ${renew}` });
    }
    if (renew !== undefined && retry !== undefined && retry >= renew) {
      problems.push({ env: schema.retryPeriodSeconds.env, problem: `must be less than ${schema.renewDeadlineSeconds.env} (${renew}); got ${retry}` });
    }
  }
  return problems;
}

/** The configuration as it may be logged: sensitive values replaced. */
export function describeConfig<S extends Record<string, ConfigVariable<unknown>>>(schema: S, config: LoadedConfig<S>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(schema).map(([key, def]) => [def.env, def.sensitive ? '[redacted]' : (config as Record<string, unknown>)[key]]));
}
