// Reads and writes of the six kinds for the REST API (ADR 0011). Single objects come from the apiserver (what a
// client writes next must be conditional on the version it read); lists page through the apiserver, except
// executions, served newest first from the informer's cache; every answer goes through present().
import { Inject, Injectable } from '@nestjs/common';
import { isConflict, isGone, KubeClient, type KubeObject } from '@keelson/kube';
import { pipelineSelector } from '../../executions/execution-creator.service';
import { KUBE } from '../../tokens';
import { createPipelineFromRepository, parsePipelineRequest } from '../../source-code/pipeline-from-repository';
import { ApiProblem } from '../problem/api-problem';
import { problemOf } from '../problem/problem-mapping';
import { pageFromApiserver } from './apiserver-pager';
import type { CallerAccess, NamespaceScope } from './caller-access';
import { writePrecondition } from './etag';
import { applyJsonPatch, applyMergePatch, PatchError } from './json-patch';
import { decodeCursor, encodeCursor, type ApiserverCursor, type KeysetCursor } from './list-cursor';
import { hasObjectFilters, matchesAll, matchesFilters } from './list-filters';
import type { ListQuery } from './list-query';
import { lastExecutionOf } from './pipeline-summary';
import { present } from './present';
import { ResourceCache } from './resource-cache.service';
import { EXECUTIONS, PIPELINES, type ResourceDef } from './resource-kinds';
import { checkAgainstRoute, forCreate, forUpdate } from './write-rules';

/** Where a list looks: one namespace, or across namespaces as far as the caller may. */
export type ListScope = { namespace: string } | { across: NamespaceScope };

export interface ListAnswer {
  apiVersion: string;
  kind: string;
  metadata: { resourceVersion: string; continue?: string; omittedNamespaces?: string[] };
  items: KubeObject[];
}

/** Apiserver pages one list request may read while filters the apiserver cannot apply leave a page short. */
export const MAX_APISERVER_PAGES = 10;
/** Attempts of a PATCH without a precondition that keeps meeting concurrent writes. */
const PATCH_ATTEMPTS = 5;
const FIELD_MANAGER = 'keelson-api';

export const MERGE_PATCH = 'application/merge-patch+json';
export const JSON_PATCH = 'application/json-patch+json';

@Injectable()
export class ResourcesService {
  constructor(@Inject(KUBE) private readonly kube: KubeClient, private readonly cache: ResourceCache) {}

  async get(def: ResourceDef, namespace: string, name: string, access: CallerAccess): Promise<KubeObject> {
    const obj = await this.kube.resource(def.type).get(namespace, name);
    return (await this.presentAll(def, [obj], access))[0];
  }

  async list(def: ResourceDef, scope: ListScope, q: ListQuery, access: CallerAccess): Promise<ListAnswer> {
    const namespace = 'namespace' in scope ? scope.namespace : undefined;
    const omitted = 'across' in scope && !scope.across.all ? scope.across.omitted : undefined;
    const page = def === EXECUTIONS && this.cache.serves(def, namespace)
      ? this.executionPage(scope, q)
      : await this.apiserverPage(def, scope, q);
    return {
      apiVersion: def.apiVersion, kind: `${def.kind}List`,
      metadata: { resourceVersion: page.resourceVersion, ...(page.continue && { continue: page.continue }), ...(omitted && { omittedNamespaces: omitted }) },
      items: await this.presentAll(def, page.items, access),
    };
  }

  /** POST: a new object as the body describes it, in the namespace of the path. */
  async create(def: ResourceDef, namespace: string, body: unknown, user: string): Promise<KubeObject> {
    if (def === EXECUTIONS) {
      // Refused rather than mapped onto a run: the run API allocates the number and the name, reads the pipeline
      // file at the commit, honours Idempotency-Key and records who ran it, and the admission policy that binds every
      // other creator does not bind the manager's identity. A second way in would have to copy all of it, or ignore
      // most of the body; one route that does it is safer, and this answer points to it.
      throw new ApiProblem('invalid-request', 405, 'Method not allowed',
        `executions are made by running a pipeline: POST /api/v1/namespaces/${namespace}/pipelines/{pipeline}/run with {"branch"} or {"commit"}`,
        { code: 'UseRunRoute', run: `/api/v1/namespaces/${namespace}/pipelines/{pipeline}/run` }, { Allow: 'GET' });
    }
    if (def === PIPELINES && isRepositoryRequest(body)) {
      // `{repository, name?}`: a Pipeline for a SourceCodeRepository the caller listed with their own credential.
      return present(def, await createPipelineFromRepository(this.kube, namespace, parsePipelineRequest(body), user) as unknown as KubeObject);
    }
    const obj = forCreate(def, namespace, checkAgainstRoute(def, namespace, undefined, body));
    return present(def, await this.kube.resource(def.type).create(obj, { fieldManager: FIELD_MANAGER }));
  }

  /** PUT: the whole object, conditional on the version the caller read (If-Match or metadata.resourceVersion). */
  async replace(def: ResourceDef, namespace: string, name: string, body: unknown, ifMatch: string | undefined): Promise<KubeObject> {
    const desired = checkAgainstRoute(def, namespace, name, body);
    const expected = writePrecondition(ifMatch, desired.metadata?.resourceVersion);
    if (!expected) {
      throw problemOf(428, 'a PUT replaces the whole object: send the resourceVersion you read, as If-Match or metadata.resourceVersion, so that nobody\'s change is lost', {
        errors: [{ pointer: '/metadata/resourceVersion', detail: 'required (or If-Match)' }],
      });
    }
    const current = await this.kube.resource(def.type).get(namespace, name);
    if (current.metadata.resourceVersion !== expected) throw stale(def, name, current.metadata.resourceVersion);
    return this.write(def, current, forUpdate(def, current, desired));
  }

  /**
   * PATCH: a JSON merge patch or a JSON patch, applied here to the object as the caller sees it, so the result is
   * checked as a whole before it is written with the version it was computed from. Without a precondition a
   * concurrent write makes it start over (as kubectl's patches do); with one, it is 409.
   */
  async patch(def: ResourceDef, namespace: string, name: string, body: unknown, contentType: string | undefined, ifMatch: string | undefined): Promise<KubeObject> {
    const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
    if (type !== MERGE_PATCH && type !== JSON_PATCH) {
      throw problemOf(415, `PATCH takes ${MERGE_PATCH} or ${JSON_PATCH}`, {}, { 'Accept-Patch': `${MERGE_PATCH}, ${JSON_PATCH}` });
    }
    if (type === MERGE_PATCH) checkAgainstRoute(def, namespace, name, body);
    const bodyVersion = type === MERGE_PATCH ? (body as { metadata?: { resourceVersion?: unknown } }).metadata?.resourceVersion : undefined;
    const expected = writePrecondition(ifMatch, bodyVersion);
    for (let attempt = 1; ; attempt++) {
      const current = await this.kube.resource(def.type).get(namespace, name);
      if (expected && current.metadata.resourceVersion !== expected) throw stale(def, name, current.metadata.resourceVersion);
      const seen = present(def, current);
      let patched: unknown;
      try {
        patched = type === MERGE_PATCH ? applyMergePatch(seen, body) : applyJsonPatch(seen, body);
      } catch (err) {
        if (!(err instanceof PatchError)) throw err;
        throw problemOf(422, `the patch does not apply: ${err.message}`, { errors: [{ pointer: err.pointer, detail: err.message }] });
      }
      const desired = checkAgainstRoute(def, namespace, name, patched);
      try {
        return await this.write(def, current, forUpdate(def, current, desired, { fromPatch: true }), !expected && attempt < PATCH_ATTEMPTS);
      } catch (err) {
        if (err instanceof RetryPatch) continue;
        throw err;
      }
    }
  }

  /** DELETE, conditional on If-Match when given. */
  async remove(def: ResourceDef, namespace: string, name: string, ifMatch: string | undefined): Promise<unknown> {
    const expected = writePrecondition(ifMatch, undefined);
    try {
      const answer = await this.kube.resource(def.type).delete(namespace, name, { ...(expected && { resourceVersion: expected }) }) as KubeObject;
      // An object with finalizers answers itself, marked for deletion; one gone at once answers a Status.
      return answer?.kind === def.kind ? present(def, answer) : answer;
    } catch (err) {
      if (isConflict(err)) throw stale(def, name, (await this.kube.resource(def.type).find(namespace, name))?.metadata.resourceVersion);
      throw err;
    }
  }

  private async write(def: ResourceDef, current: KubeObject, desired: KubeObject, mayRetry = false): Promise<KubeObject> {
    try {
      return present(def, await this.kube.resource(def.type).replace(desired, { fieldManager: FIELD_MANAGER }));
    } catch (err) {
      if (!isConflict(err)) throw err;
      if (mayRetry) throw new RetryPatch();
      const now = await this.kube.resource(def.type).find(current.metadata.namespace, current.metadata.name!);
      throw stale(def, current.metadata.name!, now?.metadata.resourceVersion);
    }
  }

  private executionPage(scope: ListScope, q: ListQuery): { items: KubeObject[]; resourceVersion: string; continue?: string } {
    const after = q.continue === undefined ? undefined : decodeCursor(q.continue, 'keyset') as KeysetCursor;
    const namespace = 'namespace' in scope ? scope.namespace : undefined;
    const across = 'across' in scope ? scope.across : undefined;
    const { pipeline, since, until, ...rest } = q.filters;
    const page = this.cache.executions.page({
      ...(namespace !== undefined && { namespace }),
      ...(across && !across.all && { namespaces: new Set(across.allowed) }),
      pipeline, since, until, after, limit: q.limit,
      accept: (obj) => matchesAll(obj, rest, q.selector),
    });
    // The ring and the index are fed by the same handlers: this version is exactly where the page stands.
    return { items: page.items, resourceVersion: this.cache.ring.currentId(), ...(page.next && { continue: encodeCursor(page.next) }) };
  }

  private async apiserverPage(def: ResourceDef, scope: ListScope, q: ListQuery): Promise<{ items: KubeObject[]; resourceVersion: string; continue?: string }> {
    const namespaces: Array<string | undefined> = 'namespace' in scope ? [scope.namespace] : scope.across.all ? [undefined] : scope.across.allowed;
    if (namespaces.length === 0) return { items: [], resourceVersion: this.cache.ring.currentId() };
    const cursor = q.continue === undefined ? undefined : decodeCursor(q.continue, 'apiserver') as ApiserverCursor;
    let labelSelector = q.selector?.raw;
    // The pipeline of an execution has a label too (hashed when the name is long): the apiserver narrows, the spec decides.
    if (def === EXECUTIONS && q.filters.pipeline !== undefined) labelSelector = joinSelector(labelSelector, pipelineSelector(q.filters.pipeline));
    try {
      const page = await pageFromApiserver({
        list: (ns, options) => this.kube.resource(def.type).list(ns, options),
        namespaces, labelSelector, limit: q.limit, cursor, maxPages: MAX_APISERVER_PAGES,
        ...(hasObjectFilters(q.filters) && { accept: (obj: KubeObject) => matchesFilters(obj, q.filters) }),
      });
      return { items: page.items, resourceVersion: page.resourceVersion, ...(page.next && { continue: encodeCursor(page.next) }) };
    } catch (err) {
      if (isGone(err)) {
        throw problemOf(410, 'the continue token has expired: list again from the start', {
          code: 'ContinueExpired', errors: [{ pointer: '/query/continue', detail: 'expired' }],
        });
      }
      throw err;
    }
  }

  /** Presented objects; Pipelines with their last execution when the caller may list executions there. */
  private async presentAll(def: ResourceDef, items: KubeObject[], access: CallerAccess): Promise<KubeObject[]> {
    if (def !== PIPELINES) return items.map((obj) => present(def, obj));
    const mayList = new Map<string, Promise<boolean>>();
    const allowed = (ns: string) => {
      if (!mayList.has(ns)) mayList.set(ns, access.may('list', EXECUTIONS.plural, ns));
      return mayList.get(ns)!;
    };
    return Promise.all(items.map(async (obj) => {
      const ns = obj.metadata.namespace ?? '';
      if (!this.cache.serves(EXECUTIONS, ns) || !(await allowed(ns))) return present(def, obj);
      return present(def, obj, { summary: { lastExecution: lastExecutionOf(this.cache.executions.latest(ns, obj.metadata.name ?? '')) } });
    }));
  }
}

class RetryPatch extends Error {}

function stale(def: ResourceDef, name: string, currentVersion: string | undefined): ApiProblem {
  const detail = currentVersion
    ? `${def.kind} ${name} has changed: it is at resourceVersion ${currentVersion}; read it again and reapply your change`
    : `${def.kind} ${name} no longer exists`;
  return new ApiProblem('stale-version', 409, 'Stale resourceVersion', detail,
    { code: 'StaleResourceVersion', ...(currentVersion && { currentResourceVersion: currentVersion }) },
    currentVersion ? { ETag: `"${currentVersion}"` } : {});
}

function isRepositoryRequest(body: unknown): boolean {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return false;
  const b = body as Record<string, unknown>;
  return b.apiVersion === undefined && b.kind === undefined && b.metadata === undefined && b.spec === undefined;
}

function joinSelector(a: string | undefined, b: string): string {
  return a && a.trim() ? `${a},${b}` : b;
}
