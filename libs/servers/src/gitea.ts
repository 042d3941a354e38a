import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './free-port';
import { probe } from './http-probe';
import { currentOwner, ManagedProcess, OWNER_ENV } from './managed-process';
import { serverBinary } from './paths';
import { waitFor } from './wait-for';

const run = promisify(execFile);

/** The parts of Gitea's repository JSON the tests use; the rest is there too. */
export interface GiteaRepo {
  id: number;
  name: string;
  full_name: string;
  owner: { login: string };
  clone_url: string;
  html_url: string;
  default_branch: string;
  private: boolean;
  [field: string]: unknown;
}

export interface GiteaOAuthApp {
  clientId: string;
  clientSecret: string;
}

/** A running Gitea (sqlite, loopback) with an admin account and helpers for the setup tests need. */
export interface Gitea {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  url: string;
  adminUser: string;
  adminPassword: string;
  /** A personal access token of the admin with every scope. */
  adminToken: string;
  /** Holds app.ini, the sqlite database, repositories and logs (`gitea.log`, `log/`). */
  dir: string;
  process: ManagedProcess;
  /** An API call with a token; fails naming the call unless Gitea answers 2xx. Returns parsed JSON (or undefined). */
  api<T = unknown>(token: string, method: string, path: string, body?: unknown): Promise<T>;
  /** A regular (non-admin) user and a personal access token of theirs with every scope. */
  createUser(name: string, password: string): Promise<{ token: string }>;
  /** A repository owned by the token's user, default branch `main`. */
  createRepo(ownerToken: string, name: string, options?: { private?: boolean; autoInit?: boolean }): Promise<GiteaRepo>;
  /** A confidential OAuth2 application of the token's user. */
  createOAuthApp(token: string, name: string, redirectUris: string[]): Promise<GiteaOAuthApp>;
  close(): Promise<void>;
}

export interface GiteaOptions {
  /** Kept after close() when given; a fresh temp dir otherwise, removed on close unless KEELSON_KEEP_TEST_DIRS is set. */
  dir?: string;
}

/**
 * A real Gitea (scripts/build-servers.sh --test-servers builds it) on a free loopback port: migrated and given an
 * admin by its CLI, then `gitea web`, ready when /api/v1/version answers. Webhooks may target loopback.
 */
export async function startGitea(options: GiteaOptions = {}): Promise<Gitea> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'keelson-gitea-'));
  const binary = serverBinary('gitea');
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const config = join(dir, 'app.ini');
  writeFileSync(config, appIni(dir, port, serverBinary('gitea-static')));
  // GITEA_WORK_DIR pins AppWorkPath; without it Gitea guesses from the binary's location.
  const env = { GITEA_WORK_DIR: dir, [OWNER_ENV]: currentOwner() };
  const cli = (args: string[]) =>
    run(binary, ['--config', config, ...args], { cwd: dir, env: { ...process.env, ...env }, timeout: 60_000 })
      .catch((err: Error & { stderr?: string; stdout?: string }) => {
        throw new Error(`gitea ${args.slice(0, 3).join(' ')} failed: ${err.message}\n${err.stdout ?? ''}${err.stderr ?? ''}`);
      });

  const adminUser = 'keelson-admin';
  const adminPassword = `A1-${randomBytes(12).toString('hex')}`;
  await cli(['migrate']);
  await cli(['admin', 'user', 'create', '--admin', '--username', adminUser, '--password', adminPassword,
    '--email', `${adminUser}@example.test`, '--must-change-password=false']);

  const proc = new ManagedProcess({ name: 'gitea', command: binary, args: ['--config', config, 'web'], env, cwd: dir, logDir: dir }).start();
  try {
    await waitFor('gitea /api/v1/version', async () => (await probe(`${url}/api/v1/version`)) === 200, {
      timeoutMs: 60_000, onTimeout: () => proc.tail(),
    });
  } catch (err) {
    await proc.stop();
    throw err;
  }

  const call = async <T>(auth: string, method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${url}/api/v1${path}`, {
      method,
      headers: { Authorization: auth, Accept: 'application/json', ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`gitea ${method} ${path}: HTTP ${res.status}: ${text.slice(0, 500)}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };
  const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  const api = <T>(token: string, method: string, path: string, body?: unknown) => call<T>(`token ${token}`, method, path, body);
  const createToken = async (user: string, password: string): Promise<string> => {
    const created = await call<{ sha1: string }>(basic(user, password), 'POST', `/users/${encodeURIComponent(user)}/tokens`,
      { name: `keelson-${randomBytes(4).toString('hex')}`, scopes: ['all'] });
    return created.sha1;
  };

  const adminToken = await createToken(adminUser, adminPassword);
  return {
    url, adminUser, adminPassword, adminToken, dir, process: proc, api,
    async createUser(name, password) {
      await api(adminToken, 'POST', '/admin/users', {
        username: name, password, email: `${name}@example.test`, must_change_password: false,
      });
      return { token: await createToken(name, password) };
    },
    createRepo(ownerToken, name, repoOptions = {}) {
      return api<GiteaRepo>(ownerToken, 'POST', '/user/repos', {
        name, private: repoOptions.private ?? false, auto_init: repoOptions.autoInit ?? false, default_branch: 'main',
      });
    },
    async createOAuthApp(token, name, redirectUris) {
      const app = await api<{ client_id: string; client_secret: string }>(token, 'POST', '/user/applications/oauth2', {
        name, redirect_uris: redirectUris, confidential_client: true,
      });
      return { clientId: app.client_id, clientSecret: app.client_secret };
    },
    async close() {
      await proc.stop();
      if (!options.dir && !process.env.KEELSON_KEEP_TEST_DIRS) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** app.ini for a throwaway instance: sqlite, no SSH, mailer, indexer, actions or packages; secrets fresh per run. */
function appIni(dir: string, port: number, staticRoot: string): string {
  const data = join(dir, 'data');
  for (const sub of ['data', 'repos', 'log']) mkdirSync(join(dir, sub), { recursive: true });
  const secret = () => randomBytes(32).toString('hex');
  const sections: Record<string, Record<string, string | number | boolean>> = {
    '': {
      APP_NAME: 'Keelson test Gitea', RUN_MODE: 'prod', RUN_USER: userInfo().username, WORK_PATH: dir,
      // The machines that run the tests run as root; Gitea refuses that unless told.
      I_AM_BEING_UNSAFE_RUNNING_AS_ROOT: true,
    },
    server: {
      PROTOCOL: 'http', HTTP_ADDR: '127.0.0.1', HTTP_PORT: port, DOMAIN: '127.0.0.1', ROOT_URL: `http://127.0.0.1:${port}/`,
      DISABLE_SSH: true, START_SSH_SERVER: false, OFFLINE_MODE: true, LFS_START_SERVER: false, APP_DATA_PATH: data,
      // Built without the bindata tag: templates and locales come from a copy of the module source (gitea dies at
      // start without its locales).
      STATIC_ROOT_PATH: staticRoot,
    },
    database: { DB_TYPE: 'sqlite3', PATH: join(data, 'gitea.db') },
    repository: { ROOT: join(dir, 'repos'), DEFAULT_BRANCH: 'main' },
    security: {
      INSTALL_LOCK: true, SECRET_KEY: secret(), INTERNAL_TOKEN: secret(), PASSWORD_COMPLEXITY: 'off', MIN_PASSWORD_LENGTH: 6,
    },
    oauth2: { JWT_SECRET: randomBytes(32).toString('base64url') },
    service: {
      DISABLE_REGISTRATION: true, REQUIRE_SIGNIN_VIEW: false, ENABLE_NOTIFY_MAIL: false, REGISTER_EMAIL_CONFIRM: false,
      DEFAULT_KEEP_EMAIL_PRIVATE: false, ENABLE_CAPTCHA: false,
    },
    mailer: { ENABLED: false },
    indexer: { ISSUE_INDEXER_TYPE: 'db', REPO_INDEXER_ENABLED: false },
    // Our receivers listen on 127.0.0.1, which Gitea refuses by default.
    webhook: { ALLOWED_HOST_LIST: 'loopback', DELIVER_TIMEOUT: 5 },
    actions: { ENABLED: false },
    packages: { ENABLED: false },
    'cron.update_checker': { ENABLED: false },
    session: { PROVIDER: 'memory' },
    cache: { ADAPTER: 'memory' },
    log: { MODE: 'console', LEVEL: 'Warn', ROOT_PATH: join(dir, 'log') },
  };
  return Object.entries(sections).map(([name, keys]) => [
    ...(name ? [`[${name}]`] : []),
    ...Object.entries(keys).map(([k, v]) => `${k} = ${v}`),
    '',
  ].join('\n')).join('\n');
}
