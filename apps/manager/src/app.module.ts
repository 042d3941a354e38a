import { DynamicModule, Module } from '@nestjs/common';
import { ManagerConfig } from '@keelson/config';
import { KubeClient } from '@keelson/kube';
import { Logger } from '@keelson/observability';
import { HealthController } from './health/health.controller';
import { InformersService } from './kube/informers.service';
import { CONFIG, KUBE, LOGGER } from './tokens';

@Module({})
export class AppModule {
  static forRoot(deps: { config: ManagerConfig; kube: KubeClient; logger: Logger }): DynamicModule {
    return {
      module: AppModule,
      controllers: [HealthController],
      providers: [
        { provide: CONFIG, useValue: deps.config },
        { provide: KUBE, useValue: deps.kube },
        { provide: LOGGER, useValue: deps.logger },
        InformersService,
      ],
    };
  }
}
