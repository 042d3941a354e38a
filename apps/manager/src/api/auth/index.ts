// What controllers use: @UseGuards(ApiAuthGuard), @RequiresAccess(...), @CurrentUser(); @PublicRoute(why) for the rare exception.
export { ApiAuthModule } from './api-auth.module';
export { ApiAuthGuard } from './api-auth.guard';
export { ApiAuthService, AccessTarget, ResourceAccessTarget, NonResourceAccessTarget, ApiAuthOptions, API_AUTH_OPTIONS, DEV_USER } from './api-auth.service';
export { RequiresAccess, AccessRequirement, ResourceAccessRequirement, NonResourceAccessRequirement, isNonResourceRequirement, KubeVerb, KEELSON_API_GROUP } from './requires-access.decorator';
export { CurrentUser } from './current-user.decorator';
export { PublicRoute, PUBLIC_ROUTE } from './public-route.decorator';
export { ApiUser, AuthenticatedRequest } from './api-user';
export { ApiAuthError, ApiAuthErrorCode } from './api-auth.errors';
export { AccessReviewPort, ACCESS_REVIEW_PORT } from './access-review.port';
