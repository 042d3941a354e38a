import { SetMetadata } from '@nestjs/common';

/** The API group of Keelson's resources: the default group of every access requirement. */
export const KEELSON_API_GROUP = 'devops.keelson.dev';

export type KubeVerb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

/** What a route needs, in the terms of an RBAC rule: on a resource, or on a non-resource URL. */
export type AccessRequirement = ResourceAccessRequirement | NonResourceAccessRequirement;

/**
 * A non-resource URL, for what is no Kubernetes object (the manager's debug endpoints): granted by a ClusterRole
 * rule with `nonResourceURLs` and an HTTP verb; cluster-admin has every one.
 */
export interface NonResourceAccessRequirement {
  verb: 'get' | 'post';
  nonResourcePath: string;
}

export function isNonResourceRequirement(r: AccessRequirement): r is NonResourceAccessRequirement {
  return 'nonResourcePath' in r;
}

/** A route on a resource; namespace and name come from the route's parameters. */
export interface ResourceAccessRequirement {
  verb: KubeVerb;
  /** Plural resource name, e.g. `pipelineexecutions`. */
  resource: string;
  subresource?: string;
  /** Default `devops.keelson.dev`; '' is the core group. */
  group?: string;
  /** Route parameter holding the namespace; default `ns`. A route without it asks about every namespace. */
  namespaceParam?: string;
  /**
   * Route parameter holding the object's name; default `name`. False when the name in the route is not the name
   * of `resource` (e.g. `POST pipelines/:name/run` requiring `create pipelineexecutions`).
   */
  nameParam?: string | false;
  /** A list route that also watches: with `?watch=true` the verb asked about is `watch`. */
  watchable?: boolean;
  /**
   * The route spans namespaces or kinds and authorises each one it answers about itself (a list across namespaces
   * asks at cluster scope, then per namespace, and names what it left out): the guard only authenticates.
   */
  authenticateOnly?: boolean;
}

export const REQUIRES_ACCESS = 'keelson:requires-access';

/**
 * Declares the access a route needs; ApiAuthGuard enforces it. On a handler, or on a controller for all its
 * handlers (a handler's own declaration wins).
 *
 *   @UseGuards(ApiAuthGuard)
 *   @Post(':name/status') @RequiresAccess({ verb: 'update', resource: 'pipelineexecutions', subresource: 'status' })
 */
export const RequiresAccess = (requirement: AccessRequirement): ClassDecorator & MethodDecorator =>
  SetMetadata(REQUIRES_ACCESS, requirement);
