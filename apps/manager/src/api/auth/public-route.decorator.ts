import { SetMetadata } from '@nestjs/common';

export const PUBLIC_ROUTE = 'keelson:public-route';

/**
 * Marks one handler under /api as answering without a bearer token, and says why. Every other /api route must be
 * guarded by ApiAuthGuard: the manager refuses to start otherwise (api/openapi/api-routes.ts), so a route cannot
 * become public by a forgotten @UseGuards. Deliberately a method decorator only: a whole controller is never public.
 */
export const PublicRoute = (reason: string): MethodDecorator => SetMetadata(PUBLIC_ROUTE, reason);
