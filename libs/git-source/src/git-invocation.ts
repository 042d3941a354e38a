// The environment and global options of every git command: no system or user config, no prompts, only the
// allowed transports, no redirects (a token must not follow one to another host) and credentials from the
// environment through a helper, so they appear neither in argv (visible in `ps`) nor in a URL.
// git's default, http.followRedirects=initial, follows a redirect of the first request to any host, and a
// helper that answers every host then hands the token to it; so redirects are off, and the helper is bound to
// the repository's origin as well. Over http(s), curl connects only to the addresses the outbound policy
// checked (http.curloptResolve), so a second DNS answer cannot send git elsewhere.
import type { GitAuth } from './config-source.port';
import { GitSourceError } from './git-source.errors';

const INHERITED_ENV = ['PATH', 'HOME', 'TMPDIR', 'http_proxy', 'https_proxy', 'HTTP_PROXY', 'HTTPS_PROXY', 'no_proxy',
  'NO_PROXY', 'all_proxy', 'ALL_PROXY', 'SSL_CERT_FILE', 'SSL_CERT_DIR'];

const USERNAME_VAR = 'KEELSON_GIT_USERNAME';
const PASSWORD_VAR = 'KEELSON_GIT_PASSWORD';
// Answers only `get`; the values come from the environment, so this text holds no secret.
const CREDENTIAL_HELPER = `!f() { test "$1" = get && printf 'username=%s\\npassword=%s\\n' "$${USERNAME_VAR}" "$${PASSWORD_VAR}"; }; f`;

export function gitEnv(auth: GitAuth | undefined): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const key of INHERITED_ENV) if (process.env[key] !== undefined) env[key] = process.env[key];
  Object.assign(env, {
    LC_ALL: 'C', // stable messages for git-failure.ts
    GIT_TERMINAL_PROMPT: '0',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_LITERAL_PATHSPECS: '1', // a path is a path, never a glob or :(magic)
    GIT_NO_REPLACE_OBJECTS: '1',
  });
  if (auth) {
    env[USERNAME_VAR] = auth.username;
    env[PASSWORD_VAR] = auth.password;
  }
  return env;
}

/** Where an http(s) command goes: the origin its credentials are bound to, and the checked addresses of its host. */
export interface GitDestination {
  origin: string;
  /** `host:port:address[,address]` for curl; absent for an IP literal, which needs no resolving. */
  pin?: string;
}

export function globalArgs(options: { allowFileProtocol: boolean; auth: GitAuth | undefined; destination?: GitDestination }): string[] {
  const { auth, destination } = options;
  const config = [
    'protocol.allow=never',
    'protocol.https.allow=always',
    'protocol.http.allow=always',
    `protocol.file.allow=${options.allowFileProtocol ? 'always' : 'never'}`,
    'http.followRedirects=false',
    ...(destination?.pin ? [`http.curloptResolve=${destination.pin}`] : []),
    'credential.helper=', // resets the list of helpers
    // Asked only for URLs of this origin (git matches scheme, host and port); file:// needs no credentials.
    ...(auth && destination ? [`credential.${destination.origin}.helper=${CREDENTIAL_HELPER}`] : []),
    'core.hooksPath=/dev/null',
    'core.fsmonitor=false',
    'init.defaultBranch=main',
  ];
  return config.flatMap((entry) => ['-c', entry]);
}

/** The curl resolve entry pinning a host to the addresses checked: IPv6 addresses in brackets. */
export function curlResolveEntry(hostname: string, port: number, addresses: readonly string[]): string {
  return `${hostname}:${port}:${addresses.map((a) => (a.includes(':') ? `[${a}]` : a)).join(',')}`;
}

/** Credentials that the credential protocol can carry (one line each); their values never reach a message. */
export function validateAuth(auth: GitAuth | undefined): GitAuth | undefined {
  if (auth === undefined) return undefined;
  const lineSafe = (value: unknown) => typeof value === 'string' && !/[\x00\r\n]/.test(value);
  if (!lineSafe(auth.username) || !lineSafe(auth.password)) {
    throw new GitSourceError('AuthFailed', 'credentials must be strings without line breaks or NUL characters');
  }
  return auth;
}
