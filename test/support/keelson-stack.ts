// The whole of Keelson on one machine for e2e tests, faults and benchmarks: a KWOK cluster (real apiserver,
// scheduler and controller-manager), a private Redis, a real git repository, the Jenkins double creating build
// pods in the cluster, and the manager pointed at all of them.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Core, Keelson, KubeClient, type Clock, type ObjectOf } from '@keelson/kube';
import pino from 'pino';
import { createLogger, silentLogger, type Logger } from '@keelson/observability';
import { Cluster, GitRepository, MinioServer, RedisServer, freePort, realNodeImage, waitFor, type FakeNode, type GitFiles, type RealNode } from '@keelson/servers';
import { credentialsFromSecret, JenkinsDouble, kubePodBackend, startJenkinsDouble } from '../doubles/jenkins/jenkins-double';
import { SAMPLE_DEVOPS_YML } from '../../apps/local/src/sample-pipeline';
import { Manager, startManager } from '../../apps/manager/src/manager';

export { SAMPLE_DEVOPS_YML };

export interface StackOptions {
  nodes?: number | FakeNode[];
  files?: GitFiles;
  managerEnv?: NodeJS.ProcessEnv;
  logger?: Logger;
  /** Start the in-process manager (default true); fault tests run theirs as child processes instead. */
  manager?: boolean;
  /** The Jenkins double's clock (default real time), e.g. a JumpClock to make queue items expire. */
  jenkinsClock?: Clock;
  /** The apiserver's watch cache (default on); off, compacting etcd forces a 410 Gone on a resumed watch. */
  watchCache?: boolean;
  /**
   * Add the machine's real node (test/e2e/real-node): build pods run there for real, with the agent stand-in image
   * and the caches under the node's directory. With `nodes: 0` (its default then) it is the only node.
   */
  realNode?: boolean;
  /**
   * A real MinIO for the demo project's step logs (ADR 0010), its root credentials stored as the data plane's
   * `minio-root` Secret before provisioning keeps them. Without it, log archiving is off.
   */
  minio?: boolean;
  /** Record the apiserver's audit log of these users' requests (ControlPlane.auditLogPath). */
  audit?: { users?: string[] };
}

type Execution = ObjectOf<typeof Keelson.PipelineExecution>;

export class KeelsonStack {
  readonly managers: Manager[] = [];
  private managerEnv: NodeJS.ProcessEnv = {};
  minio?: MinioServer;

  private constructor(
    readonly cluster: Cluster,
    readonly redis: RedisServer,
    readonly repo: GitRepository,
    readonly jenkins: JenkinsDouble,
    readonly kube: KubeClient,
  ) {}

  static async start(options: StackOptions = {}): Promise<KeelsonStack> {
    const cluster = await Cluster.start({
      nodes: options.nodes ?? (options.realNode ? 0 : 3), ...(options.watchCache !== undefined && { watchCache: options.watchCache }),
      ...(options.audit && { audit: options.audit }),
    });
    const parts: { redis?: RedisServer; repo?: GitRepository; jenkins?: JenkinsDouble; minio?: MinioServer } = {};
    try {
      const realNode = options.realNode ? await cluster.addRealNode() : undefined;
      const kube = new KubeClient({ kubeconfigPath: cluster.adminKubeconfig });
      parts.redis = await RedisServer.start();
      parts.repo = await GitRepository.create(options.files ?? { '.devops.yml': SAMPLE_DEVOPS_YML, 'main.go': 'package main\n' });
      parts.jenkins = await startJenkinsDouble({
        kube: kubePodBackend(kube),
        credentials: credentialsFromSecret(kube),
        quietPeriodSeconds: 0,
        logger: options.logger ?? testLogger(),
        ...(options.jenkinsClock && { clock: options.jenkinsClock }),
      });
      const stack = new KeelsonStack(cluster, parts.redis, parts.repo, parts.jenkins, kube);
      for (const ns of ['keelson-system', 'demo']) await kube.resource(Core.Namespace).create({ metadata: { name: ns } });
      if (options.minio) {
        parts.minio = await MinioServer.start();
        stack.minio = parts.minio;
        await kube.resource(Core.Namespace).create({ metadata: { name: 'demo-pipeline' } });
        await kube.resource(Core.Secret).create({
          metadata: { name: 'minio-root', namespace: 'demo-pipeline' }, type: 'Opaque',
          stringData: { username: parts.minio.accessKey, password: parts.minio.secretKey },
        } as never);
      }
      if (realNode) await keepDataPlaneOffRealNode(cluster, 'demo-pipeline');
      stack.managerEnv = {
        // The manager's own identity: the admission policy lets only it decide what an execution runs.
        KUBECONFIG: cluster.managerKubeconfig, HOST: '127.0.0.1', REDIS_URL: parts.redis.url, REDIS_PREFIX: `keelson-${randomBytes(4).toString('hex')}`,
        DATA_PLANE_JENKINS_URL: `${parts.jenkins.url()}/{namespace}`, ALLOW_FILE_REPOSITORIES: 'true', LOG_LEVEL: 'warn',
        SYNC_BASE_POLL_MS: '200', SYNC_MAX_POLL_MS: '2000', RESYNC_SECONDS: '5',
        // The tests' git servers listen on 127.0.0.1 over plain http; the operator's knobs let credentials reach them (ADR 0004).
        OUTBOUND_ALLOW_HTTP: 'true', OUTBOUND_ALLOW_CIDRS: '127.0.0.0/8',
        // Nothing is pulled on the real node: the agent is the local stand-in, the caches live in the node's directory.
        ...(realNode && { BUILD_AGENT_IMAGE: realNodeImage('agent'), CACHE_ROOT: join(realNode.dir, 'cache') }),
        ...stack.logEnvironment(),
        ...options.managerEnv,
      };
      if (options.manager ?? true) await stack.startManager();
      return stack;
    } catch (err) {
      await parts.minio?.stop();
      await parts.jenkins?.stop();
      await parts.repo?.remove();
      await parts.redis?.stop();
      await cluster.stop();
      throw err;
    }
  }

  /** The real node, when the stack was started with `realNode`. */
  get realNode(): RealNode | undefined {
    return this.cluster.realNode;
  }

  /** DATA_PLANE_MINIO_URL with the stack's MinIO, or LOG_ARCHIVING off without one. */
  logEnvironment(): Record<string, string> {
    return this.minio ? { DATA_PLANE_MINIO_URL: this.minio.endpoint } : { LOG_ARCHIVING: 'false' };
  }

  get manager(): Manager {
    return this.managers[0];
  }

  /** The environment the stack gives a manager (a copy), for managers started elsewhere, such as child processes. */
  managerEnvironment(): NodeJS.ProcessEnv {
    return { ...this.managerEnv };
  }

  get adminToken(): string {
    return this.cluster.controlPlane.admin.token;
  }

  async startManager(env: NodeJS.ProcessEnv = {}, logger: Logger = testLogger()): Promise<Manager> {
    const manager = await startManager({ ...this.managerEnv, PORT: String(await freePort()), ...env }, logger);
    this.managers.push(manager);
    return manager;
  }

  async createPipeline(name: string, namespace = 'demo', spec: Partial<ObjectOf<typeof Keelson.Pipeline>['spec']> = {}): Promise<void> {
    await this.kube.resource(Keelson.Pipeline).create({
      apiVersion: 'devops.keelson.dev/v1alpha1', kind: 'Pipeline', metadata: { name, namespace },
      spec: { repositoryUrl: this.repo.fileUrl, configPath: '.devops.yml', suspend: false, ...spec },
    });
  }

  /** A PipelineSetting for the project (one per namespace), e.g. to let more executions run at once. */
  async createSetting(spec: Partial<ObjectOf<typeof Keelson.PipelineSetting>['spec']> = {}, namespace = 'demo', name = 'settings'): Promise<void> {
    await this.kube.resource(Keelson.PipelineSetting).create({
      apiVersion: 'devops.keelson.dev/v1alpha1', kind: 'PipelineSetting', metadata: { name, namespace },
      spec: { maxConcurrentExecutions: 3, historyLimit: 100, logRetentionDays: 30, ...spec },
    });
  }

  /** The admin of a data plane's Jenkins, as the data plane generated it. */
  jenkinsAdmin(namespace = 'demo-pipeline'): Promise<{ username: string; password: string }> {
    return credentialsFromSecret(this.kube)(namespace);
  }

  /** POST to the manager's REST API as the admin (or another bearer token). */
  async api(path: string, body?: unknown, token = this.adminToken, manager: Pick<Manager, 'url'> = this.manager): Promise<{ status: number; body: any }> {
    const res = await fetch(`${manager.url}${path}`, {
      method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }

  execution(name: string, namespace = 'demo'): Promise<Execution> {
    return this.kube.resource(Keelson.PipelineExecution).get(namespace, name);
  }

  async waitForPhase(name: string, phases: string[], timeoutMs = 90_000, namespace = 'demo'): Promise<Execution> {
    let last: Execution | undefined;
    await waitFor(`${name} in ${phases.join('/')}`, async () => {
      last = await this.execution(name, namespace);
      return phases.includes(last.status?.phase ?? '');
    }, { timeoutMs, onTimeout: () => JSON.stringify(last?.status) });
    return last!;
  }

  async stop(): Promise<void> {
    for (const m of this.managers.splice(0)) await m.close().catch(() => undefined);
    await this.jenkins.stop().catch(() => undefined);
    await this.repo.remove().catch(() => undefined);
    await this.minio?.stop().catch(() => undefined);
    await this.redis.stop().catch(() => undefined);
    await this.cluster.stop();
  }
}

/**
 * The data plane's own pods (Jenkins, registry, MinIO) are doubles or absent here, and their images must never be
 * pulled on the real node: a quota of zero pods keeps their Deployments empty (the manager probes the Jenkins double).
 */
async function keepDataPlaneOffRealNode(cluster: Cluster, namespace: string): Promise<void> {
  await cluster.kubectl(['apply', '-f', '-'], [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } },
    { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'no-pods-on-the-real-node', namespace }, spec: { hard: { pods: '0' } } },
  ].map((o) => JSON.stringify(o)).join('\n'));
}

/** Silent, unless KEELSON_TEST_LOG names a file to append the manager's log to (for debugging a failing test). */
function testLogger(): Logger {
  const file = process.env.KEELSON_TEST_LOG;
  return file ? createLogger({ level: 'debug', destination: pino.destination({ dest: file, sync: true }) }) : silentLogger;
}
