// How the pipeline machinery is assembled from the manager's config: one place, so each port has exactly one
// production implementation and the wiring is read in one go.
import type { Provider } from '@nestjs/common';
import { ManagerConfig } from '@keelson/config';
import { JenkinsEngineClient } from '@keelson/engine-jenkins';
import { CachedConfigSource, CONFIG_SOURCE, GitCliConfigSource, type ConfigSource } from '@keelson/git-source';
import { KubeClient } from '@keelson/kube';
import { Logger } from '@keelson/observability';
import type { OutboundPolicy } from '@keelson/outbound';
import { BullmqJobQueue, BullmqRetryingJobQueue } from '@keelson/queue';
import { CONFIG, KUBE, LOGGER, MANAGER_KEY } from '../tokens';
import { ProvisioningGate } from '../controllers/data-plane.gate';
import { ExecutionCreator } from '../executions/execution-creator.service';
import { ExecutionPreparer } from '../executions/execution-preparer';
import { ExecutionConfigReader } from '../executions/execution-config.reader';
import { RunNumberAllocator } from '../executions/run-number.allocator';
import { ExecutionActions } from '../executions/execution-actions.service';
import { DataPlaneClusters } from '../data-plane/data-plane-clusters';
import { REGISTRY_HOOK_TOKENS } from '../hooks/hooks.tokens';
import type { RegistryHookTokens } from '../hooks/registry-hook-tokens';
import { DATA_PLANE_CLUSTERS, DATA_PLANE_GATE, ENGINE, EXECUTION_ACTIONS, EXECUTION_CONFIG_READER, EXECUTION_CREATOR, REPORT_QUEUE, SYNC_QUEUE } from './pipelines.tokens';

export const SYNC_QUEUE_NAME = 'execution-sync';
export const REPORT_QUEUE_NAME = 'execution-reports';

/** Where git tokens (and anonymous fetches) may go: the operator's OUTBOUND_ALLOW_HTTP and OUTBOUND_ALLOW_CIDRS. */
export function outboundPolicy(config: ManagerConfig): OutboundPolicy {
  return { allowHttp: config.outboundAllowHttp, allowCidrs: config.outboundAllowCidrs };
}

export const pipelineProviders: Provider[] = [
  { provide: ENGINE, useFactory: (config: ManagerConfig, logger: Logger) => new JenkinsEngineClient({ logger, timeoutMs: config.jenkinsTimeoutMs }), inject: [CONFIG, LOGGER] },
  {
    provide: DATA_PLANE_CLUSTERS,
    useFactory: (kube: KubeClient, config: ManagerConfig, logger: Logger) => new DataPlaneClusters(kube, { jenkins: config.jenkinsUrlTemplate, minio: config.minioUrlTemplate }, logger),
    inject: [KUBE, CONFIG, LOGGER],
  },
  {
    provide: DATA_PLANE_GATE,
    useFactory: (clusters: DataPlaneClusters, config: ManagerConfig, tokens: RegistryHookTokens) => new ProvisioningGate(clusters, {
      managerNamespace: config.managerNamespace, privilegedProjects: config.privilegedBuildProjects,
      registryHook: { baseUrl: config.registryNotificationUrl ?? config.publicUrl, tokens },
      ...(config.deployClusterRole !== undefined && { deployClusterRole: config.deployClusterRole }),
      ...(config.managerServiceAccount !== undefined && config.dataPlaneManagerClusterRole !== undefined && config.buildsManagerClusterRole !== undefined && {
        managerAccess: {
          serviceAccount: { namespace: config.managerNamespace, name: config.managerServiceAccount },
          dataPlaneClusterRole: config.dataPlaneManagerClusterRole, buildsClusterRole: config.buildsManagerClusterRole,
        },
      }),
      ...(config.registryProxyPort > 0 && {
        registryProxy: { port: config.registryProxyPort, caConfigMap: { namespace: config.registryProxyNamespace ?? config.managerNamespace, name: config.registryProxyCaConfigMap } },
      }),
    }),
    inject: [DATA_PLANE_CLUSTERS, CONFIG, REGISTRY_HOOK_TOKENS],
  },
  {
    provide: CONFIG_SOURCE,
    useFactory: (config: ManagerConfig, logger: Logger) => new CachedConfigSource(new GitCliConfigSource({ allowFileProtocol: config.allowFileRepositories, outbound: outboundPolicy(config), logger })),
    inject: [CONFIG, LOGGER],
  },
  {
    provide: EXECUTION_CREATOR,
    useFactory: (kube: KubeClient, source: ConfigSource, config: ManagerConfig, key: { key(): Promise<Buffer> }) => new ExecutionCreator(
      kube, new ExecutionPreparer(kube, source, outboundPolicy(config)), new RunNumberAllocator(kube), undefined, () => key.key(),
    ),
    inject: [KUBE, CONFIG_SOURCE, CONFIG, MANAGER_KEY],
  },
  {
    // The same source and policy as the creator's preparer: a run's file is read again as it was read.
    provide: EXECUTION_CONFIG_READER,
    useFactory: (kube: KubeClient, source: ConfigSource, config: ManagerConfig) => new ExecutionConfigReader(kube, source, outboundPolicy(config)),
    inject: [KUBE, CONFIG_SOURCE, CONFIG],
  },
  {
    provide: SYNC_QUEUE,
    useFactory: (config: ManagerConfig, logger: Logger) => new BullmqJobQueue({ name: SYNC_QUEUE_NAME, redisUrl: config.redisUrl, prefix: config.redisPrefix, logger, lockDurationMs: config.queueLockMs }),
    inject: [CONFIG, LOGGER],
  },
  {
    provide: REPORT_QUEUE,
    useFactory: (config: ManagerConfig, logger: Logger) => new BullmqRetryingJobQueue({
      name: REPORT_QUEUE_NAME, redisUrl: config.redisUrl, prefix: config.redisPrefix, logger, lockDurationMs: config.queueLockMs,
      retry: { attempts: config.reportAttempts, backoffMs: config.reportBackoffMs },
    }),
    inject: [CONFIG, LOGGER],
  },
  {
    provide: EXECUTION_ACTIONS,
    useFactory: (kube: KubeClient, engine: JenkinsEngineClient, clusters: DataPlaneClusters, queue: BullmqJobQueue<never>) => new ExecutionActions(kube, engine, clusters, queue),
    inject: [KUBE, ENGINE, DATA_PLANE_CLUSTERS, SYNC_QUEUE],
  },
];
