import { mkdirSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { dataPlaneNamespace, registryNotificationEndpoints, REGISTRY_NOTIFICATIONS_ENV } from '@keelson/data-plane';
import { Cluster, GitRepository, keelsonHome, MinioServer, OWNER_ENV, reapProcessesOwnedBy, RedisServer, RegistryServer } from '@keelson/servers';
import { Core, Keelson, KubeClient } from '@keelson/kube';
import { Logger } from '@keelson/observability';
import { RegistryHookTokens } from '../../manager/src/hooks/registry-hook-tokens';
import { Manager, startManager } from '../../manager/src/manager';
import { credentialsFromSecret, JenkinsDouble, kubePodBackend, startJenkinsDouble } from '../../../test/doubles/jenkins/jenkins-double';
import { SAMPLE_DEVOPS_YML, SAMPLE_IMAGE_REPOSITORY, SAMPLE_NAMESPACE, SAMPLE_PIPELINE } from './sample-pipeline';

/** The manager's namespace, as the chart names it. */
const MANAGER_NAMESPACE = 'keelson-system';

/** Marks every server local mode starts, so the next start can clean up after a run that was killed. */
export function localOwner(stateDir = LocalEnvironment.stateDir()): string {
  return `keelson-local:${stateDir}`;
}

export interface LocalEndpoints {
  manager: string;
  apiserver: string;
  kubeconfig: string;
  redis: string;
  minio: { endpoint: string; accessKey: string };
  /** The Jenkins double every data plane's Jenkins resolves to (`<url>/<project>-pipeline`). */
  jenkins: string;
  /** The registry of the sample project: it notifies the manager of every image pushed, as a data plane's does. */
  registry: string;
  /** The sample git repository and the Pipeline that builds it, also on pushes of `image` to the registry. */
  sample: { repository: string; namespace: string; pipeline: string; image: string };
  nodes: string[];
  stateDir: string;
}

/**
 * Keelson on one machine: a cluster of three simulated nodes, Redis, MinIO and the manager, in fixed places
 * under $KEELSON_HOME/local. State is fresh on every start.
 */
export class LocalEnvironment {
  private cluster?: Cluster;
  private redis?: RedisServer;
  private minio?: MinioServer;
  private manager?: Manager;
  private jenkins?: JenkinsDouble;
  private registry?: RegistryServer;

  constructor(private readonly logger: Logger) {}

  static stateDir(): string {
    return join(keelsonHome(), 'local');
  }

  async start(env: NodeJS.ProcessEnv = process.env): Promise<LocalEndpoints> {
    process.env[OWNER_ENV] = localOwner();
    const leftovers = reapProcessesOwnedBy(localOwner());
    if (leftovers.length) this.logger.warn({ pids: leftovers }, 'stopped servers left by an earlier local run');

    const stateDir = LocalEnvironment.stateDir();
    rmSync(stateDir, { recursive: true, force: true });
    const clusterDir = join(stateDir, 'cluster');
    mkdirSync(clusterDir, { recursive: true });

    this.logger.info({ stateDir }, 'starting the local cluster');
    const nodes = ['local-node-0', 'local-node-1', 'local-node-2'];
    this.cluster = await Cluster.start({ dir: clusterDir, nodes: nodes.map((name, i) => ({ name, labels: { 'topology.kubernetes.io/zone': `zone-${i}` } })) });
    const kubeconfig = join(stateDir, 'kubeconfig');
    copyFileSync(this.cluster.adminKubeconfig, kubeconfig);

    let redisUrl = env.REDIS_URL;
    if (!redisUrl) {
      mkdirSync(join(stateDir, 'redis'));
      this.redis = await RedisServer.start(join(stateDir, 'redis'));
      redisUrl = this.redis.url;
    }
    mkdirSync(join(stateDir, 'minio'));
    this.minio = await MinioServer.start(join(stateDir, 'minio'));

    // Jenkins cannot run here: the double stands in for every project's Jenkins and creates real build pods.
    const kube = new KubeClient({ kubeconfigPath: kubeconfig });
    // The manager's own namespace, as the chart makes it: it keeps its signing key there (webhook proofs, sign-in).
    await kube.resource(Core.Namespace).create({ metadata: { name: MANAGER_NAMESPACE } });
    this.jenkins = await startJenkinsDouble({
      kube: kubePodBackend(kube), credentials: credentialsFromSecret(kube), logger: this.logger.child({ component: 'jenkins-double' }),
    });
    // Step logs of the sample project go to this MinIO: its root credentials stand as the data plane's generated
    // `minio-root` Secret, which provisioning then keeps (ADR 0010). Other projects get Secrets this MinIO does not
    // know, so their logs are marked Partial (log storage unavailable) and given up.
    const logsNamespace = dataPlaneNamespace(SAMPLE_NAMESPACE);
    await kube.resource(Core.Namespace).create({ metadata: { name: logsNamespace } });
    await kube.resource(Core.Secret).create({
      metadata: { name: 'minio-root', namespace: logsNamespace }, type: 'Opaque',
      stringData: { username: this.minio.accessKey, password: this.minio.secretKey },
    } as never);
    const sample = await GitRepository.create({ '.devops.yml': SAMPLE_DEVOPS_YML, 'README.md': '# A sample repository for Keelson\n' }, { dir: join(stateDir, 'sample-repo') });

    // The manager has its own identity, the one the admission policy lets decide what an execution runs; people
    // get the admin's kubeconfig, and are held to the policy like any tenant.
    const port = env.PORT || '8080';
    this.manager = await startManager({
      // Webhook URLs point at this manager unless the caller says where providers reach it (a tunnel, say).
      PUBLIC_URL: env.PUBLIC_URL || `http://127.0.0.1:${port}`,
      ...env, KUBECONFIG: this.cluster.managerKubeconfig, HOST: '127.0.0.1', PORT: port, REDIS_URL: redisUrl,
      POD_NAMESPACE: MANAGER_NAMESPACE, LEADER_ELECTION_NAMESPACE: 'kube-system', DATA_PLANE_JENKINS_URL: `${this.jenkins.url()}/{namespace}`, ALLOW_FILE_REPOSITORIES: 'true',
      REGISTRY_NOTIFICATION_URL: env.REGISTRY_NOTIFICATION_URL || `http://127.0.0.1:${port}`,
      // The manager serves the console: commit statuses and notifications link to its run pages.
      CONSOLE_URL: env.CONSOLE_URL || `http://127.0.0.1:${port}`,
      DATA_PLANE_MINIO_URL: this.minio.endpoint,
    }, this.logger.child({ component: 'manager' }));
    await createSamplePipeline(kube, sample.fileUrl);

    // A data plane's registry cannot run on simulated nodes: a real one stands in for the sample project's, with
    // the notification config the data plane gives it and the project token the manager made.
    const token = await new RegistryHookTokens(kube).ensure(SAMPLE_NAMESPACE);
    mkdirSync(join(stateDir, 'registry'));
    this.registry = await RegistryServer.start({
      dir: join(stateDir, 'registry'),
      env: { [REGISTRY_NOTIFICATIONS_ENV]: registryNotificationEndpoints({ url: `${this.manager.url}/hooks/registry/${SAMPLE_NAMESPACE}`, token }) },
    });

    const endpoints: LocalEndpoints = {
      manager: this.manager.url, apiserver: this.cluster.controlPlane.server, kubeconfig, redis: redisUrl,
      minio: { endpoint: this.minio.endpoint, accessKey: this.minio.accessKey }, jenkins: this.jenkins.url(), registry: this.registry.url,
      sample: { repository: sample.fileUrl, namespace: SAMPLE_NAMESPACE, pipeline: SAMPLE_PIPELINE, image: SAMPLE_IMAGE_REPOSITORY }, nodes, stateDir,
    };
    // For scripts: everything but secrets, in a file at a fixed place.
    writeFileSync(join(stateDir, 'endpoints.json'), JSON.stringify(endpoints, null, 2) + '\n');
    return endpoints;
  }

  async stop(): Promise<void> {
    await this.manager?.close().catch(() => undefined);
    await this.jenkins?.stop().catch(() => undefined);
    await Promise.all([this.registry?.stop(), this.minio?.stop(), this.redis?.stop(), this.cluster?.stop()]);
  }
}

async function createSamplePipeline(kube: KubeClient, repositoryUrl: string): Promise<void> {
  await kube.resource(Core.Namespace).create({ metadata: { name: SAMPLE_NAMESPACE } });
  await kube.resource(Keelson.Pipeline).create({
    apiVersion: 'devops.keelson.dev/v1alpha1', kind: 'Pipeline', metadata: { name: SAMPLE_PIPELINE, namespace: SAMPLE_NAMESPACE },
    spec: {
      displayName: 'sample', repositoryUrl, configPath: '.devops.yml', suspend: false,
      triggers: { imagePush: { enabled: true, repository: SAMPLE_IMAGE_REPOSITORY, branch: 'main' } },
    },
  });
}
