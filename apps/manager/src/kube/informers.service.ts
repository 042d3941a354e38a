import { Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Informer, Keelson, KubeClient, KubeObject } from '@keelson/kube';
import { ManagerConfig } from '@keelson/config';
import { Logger } from '@keelson/observability';
import { CONFIG, KUBE, LOGGER } from '../tokens';

/**
 * The shared informers of the manager: one per kind of ours, started at boot. Controllers read from them;
 * /readyz stays 503 until every one of them has completed its first list.
 */
@Injectable()
export class InformersService implements OnModuleInit, OnApplicationShutdown {
  readonly informers = new Map<string, Informer<KubeObject>>();

  constructor(
    @Inject(KUBE) private readonly kube: KubeClient,
    @Inject(CONFIG) private readonly config: ManagerConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onModuleInit(): void {
    for (const type of Object.values(Keelson)) {
      const informer = this.kube.informer<KubeObject>(type, { namespace: this.config.watchNamespace, logger: this.logger });
      this.informers.set(type.kind, informer);
      informer.start();
    }
  }

  /** Kinds whose informer has not synced yet; empty when ready. */
  unsynced(): string[] {
    return [...this.informers].filter(([, informer]) => !informer.hasSynced).map(([kind]) => kind);
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([...this.informers.values()].map((i) => i.stop()));
  }
}
