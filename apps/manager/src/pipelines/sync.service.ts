// The sync loop's workers (role `workers`, any number of replicas): each runs sync jobs from the shared queue.
import { Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { ManagerConfig } from '@keelson/config';
import type { ExecutionEngine } from '@keelson/engine-jenkins';
import { KubeClient } from '@keelson/kube';
import { Logger } from '@keelson/observability';
import type { DelayedJobQueue } from '@keelson/queue';
import { ExecutionSyncProcessor } from '../sync/execution-sync.processor';
import type { SyncJobData } from '../sync/execution-sync.types';
import { CONFIG, KUBE, LOGGER } from '../tokens';
import { DataPlaneClusters } from '../data-plane/data-plane-clusters';
import { DATA_PLANE_CLUSTERS, ENGINE, SYNC_QUEUE } from './pipelines.tokens';
import type { ExecutionLogArchiver } from '../logs/execution-log.archiver';
import { LOG_ARCHIVER } from '../logs/logs.tokens';

@Injectable()
export class SyncService implements OnModuleInit, OnApplicationShutdown {
  readonly processor: ExecutionSyncProcessor;

  constructor(
    @Inject(CONFIG) private readonly config: ManagerConfig,
    @Inject(KUBE) kube: KubeClient,
    @Inject(LOGGER) logger: Logger,
    @Inject(ENGINE) engine: ExecutionEngine,
    @Inject(DATA_PLANE_CLUSTERS) clusters: DataPlaneClusters,
    @Inject(SYNC_QUEUE) private readonly queue: DelayedJobQueue<SyncJobData>,
    @Inject(LOG_ARCHIVER) logs: ExecutionLogArchiver | null,
  ) {
    this.processor = new ExecutionSyncProcessor({
      kube, engine, logger: logger.child({ component: 'sync' }),
      endpoints: { jenkins: (project) => clusters.jenkins(project), kube: async (project) => (await clusters.forProject(project)).kube },
      options: { basePollMs: config.syncBasePollMs, maxPollMs: config.syncMaxPollMs, progressIntervalMs: config.syncProgressIntervalMs },
      buildPolicy: {
        cacheRoot: config.cacheRoot, privilegedProjects: config.privilegedBuildProjects, registryProxyPort: config.registryProxyPort,
        images: {
          ...(config.buildAgentImage && { agent: config.buildAgentImage }),
          ...(config.buildBuilderImage && { builder: config.buildBuilderImage }),
          ...(config.buildToolsImage && { tools: config.buildToolsImage }),
        },
      },
      outbound: { allowHttp: config.outboundAllowHttp, allowCidrs: config.outboundAllowCidrs },
      ...(logs && { logs }),
    });
  }

  onModuleInit(): void {
    if (this.config.roles.includes('workers')) this.queue.startWorker((job) => this.processor.process(job), { concurrency: this.config.syncWorkers });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.queue.close();
  }
}
