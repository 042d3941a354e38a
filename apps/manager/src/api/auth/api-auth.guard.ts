import {
  CanActivate, ExecutionContext, ForbiddenException, HttpException, HttpStatus, Injectable, InternalServerErrorException,
  ServiceUnavailableException, UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Response } from 'express';
import { ApiAuthError } from './api-auth.errors';
import { AccessTarget, ApiAuthService } from './api-auth.service';
import { AuthenticatedRequest } from './api-user';
import { AccessRequirement, KEELSON_API_GROUP, REQUIRES_ACCESS } from './requires-access.decorator';

/** Seconds a client should wait before retrying when the apiserver could not be asked. */
const RETRY_AFTER_S = 5;

/**
 * The REST API's door: authenticates the bearer token, authorises the route's @RequiresAccess against the
 * namespace and name in the route, and puts the caller on the request for @CurrentUser(). Register per
 * controller with @UseGuards(ApiAuthGuard). All decisions are ApiAuthService's; this only speaks HTTP.
 */
@Injectable()
export class ApiAuthGuard implements CanActivate {
  constructor(private readonly reflector: Reflector, private readonly auth: ApiAuthService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const req = http.getRequest<AuthenticatedRequest>();
    try {
      const requirement = this.reflector.getAllAndOverride<AccessRequirement | undefined>(REQUIRES_ACCESS, [context.getHandler(), context.getClass()]);
      if (!requirement) throw this.auth.noRequirement(`${context.getClass().name}.${context.getHandler().name}`);
      req.user = await this.auth.authorize(req.headers.authorization, accessTarget(requirement, req.params ?? {}));
      return true;
    } catch (err) {
      throw toHttp(err, http.getResponse<Response>());
    }
  }
}

/** The action a request performs: the route's requirement with namespace and name from its parameters. */
export function accessTarget(requirement: AccessRequirement, params: Record<string, string | string[] | undefined>): AccessTarget {
  // Only a single path segment names a namespace or an object; a wildcard's segment list names neither.
  const param = (key: string): string | undefined => (typeof params[key] === 'string' && params[key]) || undefined;
  const nameParam = requirement.nameParam ?? 'name';
  const namespace = param(requirement.namespaceParam ?? 'ns');
  const name = nameParam === false ? undefined : param(nameParam);
  return {
    verb: requirement.verb, group: requirement.group ?? KEELSON_API_GROUP, resource: requirement.resource,
    subresource: requirement.subresource, namespace, name,
  };
}

function toHttp(err: unknown, res: Response): HttpException {
  if (!(err instanceof ApiAuthError)) return new InternalServerErrorException();
  const body = (status: HttpStatus, error: string) => ({ statusCode: status, error, code: err.code, message: err.message, ...err.details });
  switch (err.code) {
    case 'MissingCredentials':
      res.setHeader('WWW-Authenticate', 'Bearer');
      return new UnauthorizedException(body(HttpStatus.UNAUTHORIZED, 'Unauthorized'));
    case 'InvalidToken':
      res.setHeader('WWW-Authenticate', 'Bearer error="invalid_token"');
      return new UnauthorizedException(body(HttpStatus.UNAUTHORIZED, 'Unauthorized'));
    case 'Forbidden':
      return new ForbiddenException(body(HttpStatus.FORBIDDEN, 'Forbidden'));
    case 'ReviewUnavailable':
      res.setHeader('Retry-After', String(RETRY_AFTER_S));
      return new ServiceUnavailableException(body(HttpStatus.SERVICE_UNAVAILABLE, 'Service Unavailable'));
    case 'NoAccessRequirement':
      return new InternalServerErrorException(body(HttpStatus.INTERNAL_SERVER_ERROR, 'Internal Server Error'));
  }
}
