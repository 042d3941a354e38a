import { DynamicModule, Module } from '@nestjs/common';
import { ManagerConfig } from '@keelson/config';
import { KubeClient } from '@keelson/kube';
import { Logger } from '@keelson/observability';
import { ApiAuthModule } from './api/auth';
import { ApiDocs, ApiDocsController } from './api/openapi/api-docs.controller';
import { ExecutionsController } from './api/executions/executions.controller';
import { ExecutionConfigController } from './api/executions/execution-config.controller';
import { WhoAmIController } from './api/whoami/whoami.controller';
import { DeliveriesController } from './api/deliveries/deliveries.controller';
import { OAuthAuthorizeController, OAuthCallbackController } from './api/source-code/oauth.controller';
import { SourceCodeController } from './api/source-code/source-code.controller';
import { RESOURCE_CONTROLLERS, RESOURCE_PROVIDERS } from './api/resources';
import { HealthController } from './health/health.controller';
import { hooksProviders } from './hooks/hooks.providers';
import { scmProviders } from './scm/scm.providers';
import { WebhooksController } from './hooks/webhooks.controller';
import { InformersService } from './kube/informers.service';
import { ControllersService } from './pipelines/controllers.service';
import { pipelineProviders } from './pipelines/pipelines.providers';
import { SyncService } from './pipelines/sync.service';
import { ReportService } from './pipelines/report.service';
import { sourceCodeProviders } from './source-code/source-code.providers';
import { CONFIG, KUBE, LOGGER } from './tokens';
import { logProviders } from './logs/logs.providers';
import { LogsController } from './api/logs/logs.controller';
import { ExecutionLogsReader } from './api/logs/execution-logs.reader';
import { StepLogFollows } from './api/logs/step-log-follows';
import { gcProviders } from './gc/gc.providers';
import { QueueController } from './api/queue/queue.controller';
import { QueueService } from './api/queue/queue.service';
import { RuntimeConfigService } from './runtime-config/runtime-config.service';
import { DebugController } from './api/debug/debug.controller';
import { SignInController } from './api/sign-in/sign-in.controller';
import { oidcProviders } from './oidc/oidc.providers';

@Module({})
export class AppModule {
  static forRoot(deps: { config: ManagerConfig; kube: KubeClient; logger: Logger }): DynamicModule {
    return {
      module: AppModule,
      imports: [ApiAuthModule.forRoot(deps)],
      // ApiDocsController first: its fixed paths must win over any /api/v1/{resource} pattern registered later.
      controllers: [
        ApiDocsController, WhoAmIController, HealthController, ExecutionsController, ExecutionConfigController, DeliveriesController, WebhooksController,
        OAuthAuthorizeController, OAuthCallbackController, SourceCodeController, LogsController, QueueController, DebugController,
        SignInController,
        ...RESOURCE_CONTROLLERS,
      ],
      providers: [
        { provide: CONFIG, useValue: deps.config },
        { provide: KUBE, useValue: deps.kube },
        { provide: LOGGER, useValue: deps.logger },
        ApiDocs,
        InformersService,
        ...RESOURCE_PROVIDERS,
        ...pipelineProviders,
        ...hooksProviders,
        ...scmProviders,
        ...sourceCodeProviders,
        ...oidcProviders,
        ...logProviders,
        ExecutionLogsReader,
        StepLogFollows,
        ...gcProviders,
        QueueService,
        SyncService,
        ReportService,
        ControllersService,
        RuntimeConfigService,
      ],
    };
  }
}
