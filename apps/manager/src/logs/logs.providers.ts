// How the step-log machinery is assembled from the manager's config (ADR 0010).
import type { Provider } from '@nestjs/common';
import { ManagerConfig } from '@keelson/config';
import { dataPlaneNamespace } from '@keelson/data-plane';
import type { ExecutionEngine } from '@keelson/engine-jenkins';
import { KubeClient } from '@keelson/kube';
import { Logger } from '@keelson/observability';
import { CONFIG, KUBE, LOGGER } from '../tokens';
import { DataPlaneClusters } from '../data-plane/data-plane-clusters';
import { JenkinsJobs } from '../executions/jenkins-jobs';
import { DATA_PLANE_CLUSTERS, ENGINE } from '../pipelines/pipelines.tokens';
import { outboundPolicy } from '../pipelines/pipelines.providers';
import { BuildSecrets } from './build-secrets';
import { ExecutionLogArchiver } from './execution-log.archiver';
import { LogEvents } from './log-events';
import { LogStores } from './log-stores';
import { LOG_ARCHIVER, LOG_EVENTS, LOG_STORES } from './logs.tokens';

export const logProviders: Provider[] = [
  {
    provide: LOG_STORES,
    useFactory: (clusters: DataPlaneClusters) => new LogStores(async (project) => (await clusters.forProject(project)).resolver.minioCredentials(dataPlaneNamespace(project))),
    inject: [DATA_PLANE_CLUSTERS],
  },
  { provide: LOG_EVENTS, useValue: new LogEvents() },
  {
    provide: LOG_ARCHIVER,
    useFactory: (config: ManagerConfig, kube: KubeClient, logger: Logger, engine: ExecutionEngine, clusters: DataPlaneClusters, stores: LogStores, events: LogEvents) => {
      if (!config.logArchiving) return null;
      const secrets = new BuildSecrets({
        kube, outbound: outboundPolicy(config),
        dataPlane: async (project) => (await clusters.forProject(project)).kube,
        jenkinsPassword: async (project) => (await clusters.jenkins(project)).password,
        minioSecretKey: async (project) => (await stores.endpoint(project)).secretKey,
      });
      return new ExecutionLogArchiver({
        engine, stores, secrets, events, jenkins: (project) => clusters.jenkins(project), jobs: new JenkinsJobs(engine, clusters),
        logger: logger.child({ component: 'logs' }), outageGraceMs: config.logOutageGraceMs,
      });
    },
    inject: [CONFIG, KUBE, LOGGER, ENGINE, DATA_PLANE_CLUSTERS, LOG_STORES, LOG_EVENTS],
  },
];
