// The webhook intake assembled from the manager's config: secrets from the apiserver, pipelines from the
// shared informer (the apiserver when the informer has not seen one yet), the delivery log on Redis. The
// registry intake reads its project's token and Pipelines from the apiserver.
import type { OnApplicationShutdown, Provider } from '@nestjs/common';
import { ManagerConfig } from '@keelson/config';
import type { Pipeline } from '@keelson/crds';
import { Keelson, KubeClient } from '@keelson/kube';
import { Logger } from '@keelson/observability';
import { RedisDeliveryLog, type DeliveryLog } from '@keelson/queue';
import { InformersService } from '../kube/informers.service';
import { CONFIG, KUBE, LOGGER, MANAGER_KEY } from '../tokens';
import { DELIVERY_LOG, REGISTRY_HOOK_TOKENS, REGISTRY_INTAKE, WEBHOOK_INTAKE, WEBHOOK_SECRETS } from './hooks.tokens';
import { RegistryHookTokens } from './registry-hook-tokens';
import { RegistryIntake } from './registry-intake.service';
import { WebhookIntake } from './webhook-intake.service';
import { WebhookSecrets } from './webhook-secrets';

export const hooksProviders: Provider[] = [
  { provide: WEBHOOK_SECRETS, useFactory: (kube: KubeClient) => new WebhookSecrets(kube), inject: [KUBE] },
  {
    provide: DELIVERY_LOG,
    useFactory: (config: ManagerConfig): DeliveryLog & OnApplicationShutdown => {
      const log = new RedisDeliveryLog({ redisUrl: config.redisUrl, prefix: config.redisPrefix });
      return Object.assign(log, { onApplicationShutdown: () => log.close() });
    },
    inject: [CONFIG],
  },
  {
    provide: WEBHOOK_INTAKE,
    useFactory: (kube: KubeClient, informers: InformersService, secrets: WebhookSecrets, deliveries: DeliveryLog, logger: Logger, key: { key(): Promise<Buffer> }) => new WebhookIntake({
      kube, secrets, deliveries, logger: logger.child({ component: 'webhooks' }), key: () => key.key(),
      pipelineOf: async (namespace, name) => (informers.informers.get('Pipeline')?.get(`${namespace}/${name}`) as Pipeline | undefined)
        ?? kube.resource(Keelson.Pipeline).find(namespace, name),
    }),
    inject: [KUBE, InformersService, WEBHOOK_SECRETS, DELIVERY_LOG, LOGGER, MANAGER_KEY],
  },
  { provide: REGISTRY_HOOK_TOKENS, useFactory: (kube: KubeClient) => new RegistryHookTokens(kube), inject: [KUBE] },
  {
    provide: REGISTRY_INTAKE,
    useFactory: (kube: KubeClient, tokens: RegistryHookTokens, deliveries: DeliveryLog, logger: Logger, key: { key(): Promise<Buffer> }) => new RegistryIntake({
      kube, tokens, deliveries, logger: logger.child({ component: 'registry-hooks' }), key: () => key.key(),
      pipelinesOf: async (namespace) => (await kube.resource(Keelson.Pipeline).list(namespace)).items,
    }),
    inject: [KUBE, REGISTRY_HOOK_TOKENS, DELIVERY_LOG, LOGGER, MANAGER_KEY],
  },
];
