import { mkdirSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { Cluster, keelsonHome, MinioServer, OWNER_ENV, reapProcessesOwnedBy, RedisServer } from '@keelson/servers';
import { Logger } from '@keelson/observability';
import { Manager, startManager } from '../../manager/src/manager';

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

    this.manager = await startManager({
      ...env, KUBECONFIG: kubeconfig, HOST: '127.0.0.1', PORT: env.PORT || '8080', REDIS_URL: redisUrl,
      LEADER_ELECTION_NAMESPACE: 'kube-system',
    }, this.logger.child({ component: 'manager' }));

    const endpoints: LocalEndpoints = {
      manager: this.manager.url, apiserver: this.cluster.controlPlane.server, kubeconfig, redis: redisUrl,
      minio: { endpoint: this.minio.endpoint, accessKey: this.minio.accessKey }, nodes, stateDir,
    };
    // For scripts: everything but secrets, in a file at a fixed place.
    writeFileSync(join(stateDir, 'endpoints.json'), JSON.stringify(endpoints, null, 2) + '\n');
    return endpoints;
  }

  async stop(): Promise<void> {
    await this.manager?.close().catch(() => undefined);
    await Promise.all([this.minio?.stop(), this.redis?.stop(), this.cluster?.stop()]);
  }
}
