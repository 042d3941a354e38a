// What the source-code integration tests share: a control plane with namespaces `demo` and `keelson-system`, alice
// allowed to sign in, list repositories and create pipelines in demo, Redis, and a manager serving the API and
// running the controllers, allowed to reach loopback providers over http.
import { Core, Keelson, KubeClient, type ObjectOf } from '@keelson/kube';
import { silentLogger } from '@keelson/observability';
import { ControlPlane, freePort, RedisServer, waitFor } from '@keelson/servers';
import { Manager, startManager } from '../../apps/manager/src/manager';

export interface SourceCodeStack {
  cp: ControlPlane;
  redis: RedisServer;
  manager: Manager;
  admin: KubeClient;
  /** `GET|POST <manager>/<path>` as `token` (alice by default), redirects not followed. */
  call(method: string, path: string, options?: { token?: string | null; body?: unknown; accept?: string }): Promise<Response>;
  /** Polls a credential (or provider) until `check` holds; the last copy is in the error. */
  waitForCredential(name: string, what: string, check: (c: ObjectOf<typeof Keelson.SourceCodeCredential>) => boolean): Promise<ObjectOf<typeof Keelson.SourceCodeCredential>>;
  waitForProvider(name: string, what: string, check: (p: ObjectOf<typeof Keelson.SourceCodeProvider>) => boolean): Promise<ObjectOf<typeof Keelson.SourceCodeProvider>>;
  repositories(credential: string): Promise<Array<ObjectOf<typeof Keelson.SourceCodeRepository>>>;
  stop(): Promise<void>;
}

export async function startSourceCodeStack(env: Record<string, string> = {}): Promise<SourceCodeStack> {
  const cp = await ControlPlane.start();
  const redis = await RedisServer.start();
  const admin = new KubeClient({ kubeconfigPath: cp.adminKubeconfig });
  for (const name of ['demo', 'keelson-system']) await admin.resource(Core.Namespace).create({ metadata: { name } });
  await admin.resource(Core.Role).create({
    metadata: { namespace: 'demo', name: 'developer' },
    rules: [
      { apiGroups: ['devops.keelson.dev'], resources: ['sourcecodecredentials'], verbs: ['create', 'patch', 'get'] },
      { apiGroups: ['devops.keelson.dev'], resources: ['sourcecoderepositories'], verbs: ['list', 'get'] },
      { apiGroups: ['devops.keelson.dev'], resources: ['pipelines'], verbs: ['create', 'get'] },
    ],
  });
  await admin.resource(Core.RoleBinding).create({
    metadata: { namespace: 'demo', name: 'developer' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'developer' },
    subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: cp.user.name }],
  });
  const port = await freePort();
  const manager = await startManager({
    KUBECONFIG: cp.managerKubeconfig, HOST: '127.0.0.1', PORT: String(port), ROLES: 'api,controllers',
    REDIS_URL: redis.url, REDIS_PREFIX: `keelson-sc-${process.pid}`, PUBLIC_URL: `http://127.0.0.1:${port}`,
    OUTBOUND_ALLOW_HTTP: 'true', OUTBOUND_ALLOW_CIDRS: '127.0.0.0/8', RESYNC_SECONDS: '2', ...env,
  }, silentLogger);

  const call = (method: string, path: string, options: { token?: string | null; body?: unknown; accept?: string } = {}) => {
    const token = options.token === undefined ? cp.user.token : options.token;
    const headers: Record<string, string> = { accept: options.accept ?? 'application/json' };
    if (token) headers.authorization = `Bearer ${token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    return fetch(new URL(path, manager.url), { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body), redirect: 'manual' });
  };
  const poll = <T>(what: string, read: () => Promise<T | undefined>, check: (t: T) => boolean) => async (): Promise<T> => {
    let last: T | undefined;
    await waitFor(what, async () => {
      last = await read();
      return last !== undefined && check(last);
    }, { timeoutMs: 30_000, intervalMs: 200, onTimeout: () => `last seen: ${JSON.stringify(last, null, 1)}` });
    return last!;
  };
  return {
    cp, redis, manager, admin, call,
    waitForCredential: (name, what, check) => poll(what, () => admin.resource(Keelson.SourceCodeCredential).find('demo', name), check)(),
    waitForProvider: (name, what, check) => poll(what, () => admin.resource(Keelson.SourceCodeProvider).find('demo', name), check)(),
    repositories: async (credential) => (await admin.resource(Keelson.SourceCodeRepository).list('demo', { labelSelector: `keelson.dev/credential=${credential}` })).items
      .sort((a, b) => (a.spec.fullName ?? '').localeCompare(b.spec.fullName ?? '')),
    async stop() {
      await manager?.close();
      await redis?.stop();
      await cp?.stop();
    },
  };
}

/** The Ready condition of an object. */
export function readyOf(obj: { status?: { conditions?: Array<{ type: string; status: string; reason: string; message: string }> } }) {
  return obj.status?.conditions?.find((c) => c.type === 'Ready');
}

/** A SourceCodeProvider in demo with its client secret in a Secret. */
export async function createProvider(admin: KubeClient, name: string, spec: { type: 'github' | 'gitlab' | 'gitea' | 'bitbucket'; serverUrl: string; apiUrl?: string; clientId?: string; clientSecret?: string }): Promise<void> {
  if (spec.clientSecret !== undefined) {
    await admin.resource(Core.Secret).create({ metadata: { namespace: 'demo', name: `${name}-oauth` }, stringData: { clientSecret: spec.clientSecret } });
  }
  await admin.resource(Keelson.SourceCodeProvider).create({
    apiVersion: 'devops.keelson.dev/v1alpha1', kind: 'SourceCodeProvider', metadata: { namespace: 'demo', name },
    spec: {
      type: spec.type, serverUrl: spec.serverUrl, enabled: true, ...(spec.apiUrl && { apiUrl: spec.apiUrl }), ...(spec.clientId && { clientId: spec.clientId }),
      ...(spec.clientSecret !== undefined && { clientSecretRef: { name: `${name}-oauth`, key: 'clientSecret' } }),
    },
  } as ObjectOf<typeof Keelson.SourceCodeProvider>);
}
