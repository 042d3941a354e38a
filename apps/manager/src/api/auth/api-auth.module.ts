import { DynamicModule, Global, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { ManagerConfig } from '@keelson/config';
import { KubeClient } from '@keelson/kube';
import { Logger } from '@keelson/observability';
import { CONFIG, KUBE, LOGGER } from '../../tokens';
import { ACCESS_REVIEW_PORT } from './access-review.port';
import { ApiAuthGuard } from './api-auth.guard';
import { API_AUTH_OPTIONS, ApiAuthOptions, ApiAuthService } from './api-auth.service';
import { KubeAccessReviewClient } from './kube-access-review.client';
import { ProblemFilter } from '../problem/problem.filter';

/**
 * REST API authentication and authorisation, and the API's error answers (problem+json: every refusal of the guard
 * is one, and so is every error of a route). Global, so any controller can say @UseGuards(ApiAuthGuard) without
 * importing it; import it once, at the root.
 *
 * - `ApiAuthModule` alone needs CONFIG, KUBE and LOGGER from a global module;
 * - `ApiAuthModule.forRoot(deps)` provides them itself (what AppModule.forRoot has at hand).
 */
@Global()
@Module({
  providers: [
    { provide: ACCESS_REVIEW_PORT, useFactory: (kube: KubeClient) => new KubeAccessReviewClient(kube), inject: [KUBE] },
    ApiAuthService,
    ApiAuthGuard,
    { provide: APP_FILTER, useClass: ProblemFilter },
  ],
  exports: [ApiAuthService, ApiAuthGuard],
})
export class ApiAuthModule {
  static forRoot(deps: { config: ManagerConfig; kube: KubeClient; logger: Logger; options?: ApiAuthOptions }): DynamicModule {
    return {
      module: ApiAuthModule,
      providers: [
        { provide: CONFIG, useValue: deps.config },
        { provide: KUBE, useValue: deps.kube },
        { provide: LOGGER, useValue: deps.logger },
        { provide: API_AUTH_OPTIONS, useValue: deps.options ?? {} },
      ],
    };
  }
}
