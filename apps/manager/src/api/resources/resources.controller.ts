// The resource routes of DESIGN §8, one controller per kind, made from one template: `/namespaces/{ns}/{plural}`
// (list, watch, create), `/namespaces/{ns}/{plural}/{name}` (get, replace, patch, delete) and `/{plural}` across
// namespaces. A path names its kind literally, so an unknown kind is a plain 404 before anyone is asked anything,
// no static route (`/api/v1/projects`, `/events`, `/namespaces/{ns}/queue`) is shadowed, and each route's
// @RequiresAccess names its resource: ApiAuthGuard reviews exactly what the request touches.
import { Body, Controller, Delete, Get, Param, Patch, Post, Put, Query, Req, Res, Type, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { KubeObject } from '@keelson/kube';
import { ApiAuthGuard, ApiAuthService, CurrentUser, RequiresAccess, type ApiUser } from '../auth';
import { problemOf } from '../problem/problem-mapping';
import { resourceDocs } from './resource-docs';
import { CallerAccess } from './caller-access';
import { etagOf, noneMatch } from './etag';
import { parseListQuery } from './list-query';
import { ResourceCache } from './resource-cache.service';
import type { ResourceDef } from './resource-kinds';
import { ResourcesService } from './resources.service';
import { WatchService } from './watch.service';

const NAMESPACE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

/** Path segments are decoded (`%2F`, `..`): only a real namespace or object name may reach the apiserver's URL. */
export function checkPath(namespace: string, name?: string): void {
  const errors = [];
  if (!NAMESPACE.test(namespace)) errors.push({ pointer: '/path/namespace', detail: 'not a namespace name' });
  if (name !== undefined && (!NAME.test(name) || name.includes('..'))) errors.push({ pointer: '/path/name', detail: 'not an object name' });
  if (errors.length) throw problemOf(400, errors.map((e) => `${e.pointer.slice(6)}: ${e.detail}`).join('; '), { errors });
}

function answer(res: Response, status: number, obj: KubeObject | unknown): void {
  const etag = etagOf((obj as KubeObject)?.metadata?.resourceVersion);
  if (etag) res.setHeader('ETag', etag);
  res.status(status).json(obj);
}

function accessOf(auth: ApiAuthService, req: Request): CallerAccess {
  return new CallerAccess(auth, req.headers.authorization);
}

export function namespacedResourceController(def: ResourceDef): Type<unknown> {
  const resource = def.plural;

  @resourceDocs.controller(def)
  @Controller(`api/v1/namespaces/:ns/${resource}`)
  @UseGuards(ApiAuthGuard)
  class NamespacedResourceController {
    constructor(private readonly resources: ResourcesService, private readonly watches: WatchService, private readonly auth: ApiAuthService) {}

    /** A page of the list; `?watch=true` streams its changes instead (Server-Sent Events). */
    @Get()
    @resourceDocs.list(def)
    @RequiresAccess({ verb: 'list', resource, watchable: true })
    async list(@Param('ns') ns: string, @Query() query: Record<string, unknown>, @Req() req: Request, @Res() res: Response): Promise<void> {
      checkPath(ns);
      const q = parseListQuery(def, query);
      const access = accessOf(this.auth, req);
      if (q.watch) {
        this.watches.start(req, res, { resources: [def], namespace: ns, selector: q.selector, filters: q.filters, resourceVersion: q.resourceVersion, clusterWide: new Set() }, access);
        return;
      }
      res.status(200).json(await this.resources.list(def, { namespace: ns }, q, access));
    }

    @Post()
    @resourceDocs.create(def)
    @RequiresAccess({ verb: 'create', resource })
    async create(@Param('ns') ns: string, @Body() body: unknown, @CurrentUser() user: ApiUser, @Res() res: Response): Promise<void> {
      checkPath(ns);
      const made = await this.resources.create(def, ns, body, user.username);
      res.setHeader('Location', `/api/v1/namespaces/${ns}/${resource}/${made.metadata.name}`);
      answer(res, 201, made);
    }

    /** The object, with its resourceVersion as ETag; If-None-Match with that tag answers 304. */
    @Get(':name')
    @resourceDocs.get(def)
    @RequiresAccess({ verb: 'get', resource })
    async get(@Param('ns') ns: string, @Param('name') name: string, @Req() req: Request, @Res() res: Response): Promise<void> {
      checkPath(ns, name);
      const obj = await this.resources.get(def, ns, name, accessOf(this.auth, req));
      if (noneMatch(req.headers['if-none-match'], obj.metadata.resourceVersion)) {
        res.setHeader('ETag', etagOf(obj.metadata.resourceVersion)!);
        res.status(304).end();
        return;
      }
      answer(res, 200, obj);
    }

    @Put(':name')
    @resourceDocs.replace(def)
    @RequiresAccess({ verb: 'update', resource })
    async replace(@Param('ns') ns: string, @Param('name') name: string, @Body() body: unknown, @Req() req: Request, @Res() res: Response): Promise<void> {
      checkPath(ns, name);
      answer(res, 200, await this.resources.replace(def, ns, name, body, header(req, 'if-match')));
    }

    @Patch(':name')
    @resourceDocs.patch(def)
    @RequiresAccess({ verb: 'patch', resource })
    async patch(@Param('ns') ns: string, @Param('name') name: string, @Body() body: unknown, @Req() req: Request, @Res() res: Response): Promise<void> {
      checkPath(ns, name);
      answer(res, 200, await this.resources.patch(def, ns, name, body, header(req, 'content-type'), header(req, 'if-match')));
    }

    @Delete(':name')
    @resourceDocs.remove(def)
    @RequiresAccess({ verb: 'delete', resource })
    async remove(@Param('ns') ns: string, @Param('name') name: string, @Req() req: Request, @Res() res: Response): Promise<void> {
      checkPath(ns, name);
      answer(res, 200, await this.resources.remove(def, ns, name, header(req, 'if-match')));
    }
  }
  Object.defineProperty(NamespacedResourceController, 'name', { value: `${def.kind}Controller` });
  return NamespacedResourceController;
}

export function clusterResourceController(def: ResourceDef): Type<unknown> {
  const resource = def.plural;

  @resourceDocs.controller(def)
  @Controller(`api/v1/${resource}`)
  @UseGuards(ApiAuthGuard)
  class ClusterResourceController {
    constructor(
      private readonly resources: ResourcesService, private readonly watches: WatchService,
      private readonly auth: ApiAuthService, private readonly cache: ResourceCache,
    ) {}

    /**
     * Every namespace the caller may list: all of them when a cluster-scope review allows it, else those holding
     * objects of this kind that a review per namespace allows, naming the others in `metadata.omittedNamespaces`.
     */
    @Get()
    @resourceDocs.clusterList(def)
    @RequiresAccess({ verb: 'list', resource, watchable: true, authenticateOnly: true })
    async list(@Query() query: Record<string, unknown>, @Req() req: Request, @Res() res: Response): Promise<void> {
      const q = parseListQuery(def, query);
      const access = accessOf(this.auth, req);
      if (q.watch) {
        const clusterWide = new Set(await access.may('watch', resource) ? [resource] : []);
        this.watches.start(req, res, { resources: [def], selector: q.selector, filters: q.filters, resourceVersion: q.resourceVersion, clusterWide }, access);
        return;
      }
      const across = await access.namespaces('list', resource, this.cache.namespacesOf(def));
      res.status(200).json(await this.resources.list(def, { across }, q, access));
    }
  }
  Object.defineProperty(ClusterResourceController, 'name', { value: `${def.kind}ListController` });
  return ClusterResourceController;
}

function header(req: Request, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}
