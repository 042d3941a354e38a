import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { ApiUser, AuthenticatedRequest } from './api-user';

/** The caller ApiAuthGuard authenticated: `handler(@CurrentUser() user: ApiUser)`. */
export const CurrentUser = createParamDecorator((_data: unknown, ctx: ExecutionContext): ApiUser => {
  const user = ctx.switchToHttp().getRequest<AuthenticatedRequest>().user;
  // Reaching here without a user means the route forgot @UseGuards(ApiAuthGuard): refuse rather than go on anonymous.
  if (!user) throw new Error('@CurrentUser() used on a route that ApiAuthGuard does not guard');
  return user;
});
