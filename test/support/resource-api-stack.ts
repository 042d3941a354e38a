// A real kube-apiserver (CRDs, admission policy, RBAC), a private Redis and a manager serving only the API (no
// controllers: what the tests write is what they read), with the users the resource API tests need:
// admin (system:masters), alice (RBAC granted per test file) and bob (a ServiceAccount token with no rights).
import { Core, Keelson, KubeClient, type KubeObject, type ObjectOf } from '@keelson/kube';
import { silentLogger } from '@keelson/observability';
import { ControlPlane, RedisServer, freePort } from '@keelson/servers';
import { Manager, startManager } from '../../apps/manager/src/manager';

export interface Answer {
  status: number;
  headers: Headers;
  body: any;
}

export interface CallOptions {
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
  contentType?: string;
}

export const GROUP = 'devops.keelson.dev';
export const API_VERSION = 'devops.keelson.dev/v1alpha1';
export const ALL_RESOURCES = ['sourcecodeproviders', 'sourcecodecredentials', 'sourcecoderepositories', 'pipelinesettings', 'pipelines', 'pipelineexecutions'];

export class ResourceApiStack {
  readonly managers: Manager[] = [];
  bobToken = '';

  private constructor(readonly cp: ControlPlane, readonly redis: RedisServer, readonly admin: KubeClient, readonly asManager: KubeClient) {}

  static async start(namespaces: string[], env: NodeJS.ProcessEnv = {}): Promise<ResourceApiStack> {
    const cp = await ControlPlane.start();
    const redis = await RedisServer.start();
    const stack = new ResourceApiStack(cp, redis, new KubeClient({ kubeconfigPath: cp.adminKubeconfig }), new KubeClient({ kubeconfigPath: cp.managerKubeconfig }));
    for (const name of namespaces) await stack.admin.resource(Core.Namespace).create({ metadata: { name } });
    stack.bobToken = await stack.serviceAccountToken(namespaces[0], 'bob');
    await stack.startManager(env);
    return stack;
  }

  get manager(): Manager {
    return this.managers[0];
  }

  get alice(): string {
    return this.cp.user.token;
  }

  get adminToken(): string {
    return this.cp.admin.token;
  }

  async startManager(env: NodeJS.ProcessEnv = {}): Promise<Manager> {
    const manager = await startManager({
      KUBECONFIG: this.cp.managerKubeconfig, HOST: '127.0.0.1', PORT: String(await freePort()), ROLES: 'api',
      REDIS_URL: this.redis.url, REDIS_PREFIX: `keelson-resources-${process.pid}-${this.managers.length}`, ...env,
    }, silentLogger);
    this.managers.push(manager);
    await waitReady(manager.url);
    return manager;
  }

  async stop(): Promise<void> {
    for (const m of this.managers.splice(0)) await m.close().catch(() => undefined);
    await this.redis.stop().catch(() => undefined);
    await this.cp.stop();
  }

  async call(method: string, path: string, o: CallOptions = {}, manager: Manager = this.manager): Promise<Answer> {
    const headers: Record<string, string> = { authorization: `Bearer ${o.token ?? this.adminToken}`, ...o.headers };
    if (o.body !== undefined) headers['content-type'] = o.contentType ?? 'application/json';
    const res = await fetch(`${manager.url}/api/v1${path}`, { method, headers, body: o.body === undefined ? undefined : JSON.stringify(o.body) });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON
    }
    return { status: res.status, headers: res.headers, body };
  }

  /** A Role in `namespace` with `verbs` on `resources` of Keelson's group, bound to alice. */
  async grantAlice(namespace: string, name: string, resources: string[], verbs: string[]): Promise<void> {
    await this.admin.resource(Core.Role).create({ metadata: { namespace, name }, rules: [{ apiGroups: [GROUP], resources, verbs }] });
    await this.admin.resource(Core.RoleBinding).create({
      metadata: { namespace, name },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
      subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'alice' }],
    });
  }

  async revokeAlice(namespace: string, name: string): Promise<void> {
    await this.admin.resource(Core.RoleBinding).delete(namespace, name);
  }

  /** A bound ServiceAccount token, as `kubectl create token` makes it. */
  async serviceAccountToken(namespace: string, name: string): Promise<string> {
    await this.admin.resource(Core.ServiceAccount).create({ metadata: { namespace, name } });
    const req = await this.admin.post<{ status: { token: string } }>(`/api/v1/namespaces/${namespace}/serviceaccounts/${name}/token`, {
      apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600 },
    });
    return req.status.token;
  }

  pipelineObject(namespace: string, name: string, extra: Partial<KubeObject['metadata']> = {}): ObjectOf<typeof Keelson.Pipeline> {
    return {
      apiVersion: API_VERSION, kind: 'Pipeline', metadata: { name, namespace, ...extra },
      spec: { repositoryUrl: `https://git.example.com/acme/${name}.git`, configPath: '.devops.yml', suspend: false },
    } as ObjectOf<typeof Keelson.Pipeline>;
  }

  async createPipeline(namespace: string, name: string, labels?: Record<string, string>): Promise<void> {
    await this.admin.resource(Keelson.Pipeline).create(this.pipelineObject(namespace, name, labels ? { labels } : {}));
  }

  /** An execution as the manager makes it (the admission policy lets only the manager set these fields), with a status. */
  async createExecution(namespace: string, pipeline: string, run: number, o: { branch?: string; event?: string; phase?: string; title?: string; startTime?: string; completionTime?: string } = {}): Promise<ObjectOf<typeof Keelson.PipelineExecution>> {
    const executions = this.asManager.resource(Keelson.PipelineExecution);
    const made = await executions.create({
      apiVersion: API_VERSION, kind: 'PipelineExecution',
      metadata: { name: `${pipeline}-${run}`, namespace, labels: { 'keelson.dev/pipeline': pipeline }, finalizers: ['devops.keelson.dev/jenkins-job'] },
      spec: {
        pipelineRef: { name: pipeline }, run, branch: o.branch ?? 'main', commit: 'a'.repeat(40), fork: false, stop: false,
        trigger: { event: (o.event ?? 'push') as 'push' }, title: o.title ?? `commit ${run}`, repositoryUrl: `https://git.example.com/acme/${pipeline}.git`,
      },
    } as ObjectOf<typeof Keelson.PipelineExecution>);
    if (!o.phase) return made;
    return executions.patchStatus(namespace, made.metadata.name!, {
      phase: o.phase, ...(o.startTime && { startTime: o.startTime }), ...(o.completionTime && { completionTime: o.completionTime }),
    });
  }

  /** Removes the test finalizer so an execution can go. */
  async releaseExecution(namespace: string, name: string): Promise<void> {
    await this.asManager.resource(Keelson.PipelineExecution).patch(namespace, name, { metadata: { finalizers: null } });
  }
}

async function waitReady(url: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (await fetch(`${url}/readyz`).then((r) => r.ok, () => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`manager at ${url} not ready in 60 s`);
}
