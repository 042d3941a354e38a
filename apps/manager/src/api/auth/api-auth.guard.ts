import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AccessTarget, ApiAuthService } from './api-auth.service';
import { AuthenticatedRequest } from './api-user';
import { AccessRequirement, isNonResourceRequirement, KEELSON_API_GROUP, REQUIRES_ACCESS } from './requires-access.decorator';

/**
 * The REST API's door: authenticates the bearer token, authorises the route's @RequiresAccess against the
 * namespace and name in the route, and puts the caller on the request for @CurrentUser(). Register per
 * controller with @UseGuards(ApiAuthGuard). All decisions are ApiAuthService's; its ApiAuthError becomes a problem
 * answer (401 with WWW-Authenticate, 403, 503 with Retry-After) in the API's problem filter.
 */
@Injectable()
export class ApiAuthGuard implements CanActivate {
  constructor(private readonly reflector: Reflector, private readonly auth: ApiAuthService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const req = http.getRequest<AuthenticatedRequest>();
    const requirement = this.reflector.getAllAndOverride<AccessRequirement | undefined>(REQUIRES_ACCESS, [context.getHandler(), context.getClass()]);
    if (!requirement) throw this.auth.noRequirement(`${context.getClass().name}.${context.getHandler().name}`);
    if (!isNonResourceRequirement(requirement) && requirement.authenticateOnly) {
      req.user = await this.auth.authenticate(req.headers.authorization);
      return true;
    }
    req.user = await this.auth.authorize(req.headers.authorization, accessTarget(requirement, req.params ?? {}, req.query ?? {}));
    return true;
  }
}

/** The action a request performs: the route's requirement with namespace and name from its parameters. */
export function accessTarget(
  requirement: AccessRequirement, params: Record<string, string | string[] | undefined>, query: Record<string, unknown> = {},
): AccessTarget {
  if (isNonResourceRequirement(requirement)) return { verb: requirement.verb, nonResourcePath: requirement.nonResourcePath };
  // Only a single path segment names a namespace or an object; a wildcard's segment list names neither.
  const param = (key: string): string | undefined => (typeof params[key] === 'string' && params[key]) || undefined;
  const nameParam = requirement.nameParam ?? 'name';
  const namespace = param(requirement.namespaceParam ?? 'ns');
  const name = nameParam === false ? undefined : param(nameParam);
  const watching = requirement.watchable && (query.watch === 'true' || query.watch === '1');
  return {
    verb: watching ? 'watch' : requirement.verb, group: requirement.group ?? KEELSON_API_GROUP, resource: requirement.resource,
    subresource: requirement.subresource, namespace, name,
  };
}
