// Every HTTP route of the manager as Nest registers it, with what guards it: the document builder takes security and
// the RBAC each route needs from here (so the document cannot claim a guard the route lacks), and the manager's boot
// refuses an /api route that is neither guarded nor deliberately public.
import { INestApplication, RequestMethod } from '@nestjs/common';
import { GUARDS_METADATA, METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { MetadataScanner, ModulesContainer } from '@nestjs/core';
import { ApiAuthGuard } from '../auth/api-auth.guard';
import { PUBLIC_ROUTE } from '../auth/public-route.decorator';
import { REQUIRES_ACCESS, type AccessRequirement } from '../auth/requires-access.decorator';

export interface ApiRoute {
  /** Lower-case HTTP method, as OpenAPI names it (`all` for @All). */
  method: string;
  /** The path in OpenAPI's form: `/api/v1/namespaces/{ns}/pipelines/{name}/run`. */
  path: string;
  controller: string;
  handler: string;
  /** ApiAuthGuard guards it (on the controller or the handler). */
  guarded: boolean;
  /** Why it answers without a token, when @PublicRoute says it does. */
  publicReason?: string;
  access?: AccessRequirement;
}

const API_PREFIX = '/api/';

/** The routes of every controller of the application, in registration order. */
export function apiRoutes(app: INestApplication): ApiRoute[] {
  const routes: ApiRoute[] = [];
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as (new (...args: never[]) => unknown) | null;
      if (controller) routes.push(...routesOf(controller));
    }
  }
  return routes;
}

function routesOf(controller: new (...args: never[]) => unknown): ApiRoute[] {
  const prototype = controller.prototype as Record<string, unknown>;
  const classGuards = guardsOf(controller);
  const routes: ApiRoute[] = [];
  // Inherited handlers too, as Nest's router finds them.
  for (const handler of new MetadataScanner().getAllMethodNames(prototype)) {
    const fn = prototype[handler];
    if (typeof fn !== 'function') continue;
    const methodPath = Reflect.getMetadata(PATH_METADATA, fn) as string | string[] | undefined;
    if (methodPath === undefined) continue;
    const requestMethod = Reflect.getMetadata(METHOD_METADATA, fn) as RequestMethod;
    const guarded = [...classGuards, ...guardsOf(fn)].includes(ApiAuthGuard);
    const access = (Reflect.getMetadata(REQUIRES_ACCESS, fn) ?? Reflect.getMetadata(REQUIRES_ACCESS, controller)) as AccessRequirement | undefined;
    const publicReason = Reflect.getMetadata(PUBLIC_ROUTE, fn) as string | undefined;
    for (const base of asList(Reflect.getMetadata(PATH_METADATA, controller) as string | string[] | undefined)) {
      for (const own of asList(methodPath)) {
        routes.push({
          method: RequestMethod[requestMethod].toLowerCase(), path: openApiPath(base, own), controller: controller.name, handler,
          guarded, ...(publicReason !== undefined && { publicReason }), ...(access && { access }),
        });
      }
    }
  }
  return routes;
}

function guardsOf(target: object): unknown[] {
  return (Reflect.getMetadata(GUARDS_METADATA, target) as unknown[] | undefined) ?? [];
}

function asList(path: string | string[] | undefined): string[] {
  return Array.isArray(path) ? path : [path ?? '/'];
}

/** `api/v1/namespaces/:ns` + `pipelines/:name/run` → `/api/v1/namespaces/{ns}/pipelines/{name}/run`. */
export function openApiPath(base: string, own: string): string {
  const joined = `/${base}/${own}`.replace(/\/+/g, '/').replace(/(.)\/$/, '$1');
  return joined.replace(/[:*]([A-Za-z0-9_]+)/g, '{$1}');
}

/**
 * Fails, naming them, when /api routes are neither guarded by ApiAuthGuard nor marked @PublicRoute, or are both:
 * run at boot, so a forgotten @UseGuards stops the manager rather than opening a route.
 */
export function assertApiRoutesGuarded(routes: ApiRoute[]): void {
  const open = routes.filter((r) => r.path.startsWith(API_PREFIX) && !r.guarded && r.publicReason === undefined);
  const both = routes.filter((r) => r.guarded && r.publicReason !== undefined);
  const describe = (r: ApiRoute) => `${r.method.toUpperCase()} ${r.path} (${r.controller}.${r.handler})`;
  const problems = [
    ...open.map((r) => `${describe(r)} has neither @UseGuards(ApiAuthGuard) nor @PublicRoute(reason)`),
    ...both.map((r) => `${describe(r)} is guarded and marked @PublicRoute at once`),
  ];
  if (problems.length) throw new Error(`unguarded API routes:\n  ${problems.join('\n  ')}`);
}
