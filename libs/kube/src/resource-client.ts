import { KubeConnection } from './kube-connection';
import { isNotFound } from './kube-errors';
import { apiVersionOf, KubeObject, ResourceType } from './resource-types';

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
}

export interface ObjectList<T> {
  metadata: { resourceVersion: string; continue?: string };
  items: T[];
}

export interface WriteOptions {
  dryRun?: boolean;
  fieldManager?: string;
}

/** Typed REST access to one kind. `namespace` is ignored for cluster-scoped kinds; undefined lists all namespaces. */
export class ResourceClient<T extends KubeObject> {
  constructor(private readonly conn: KubeConnection, readonly type: ResourceType<T>) {}

  path(namespace?: string, name?: string, subresource?: string): string {
    const t = this.type;
    const base = t.group ? `/apis/${t.group}/${t.version}` : `/api/${t.version}`;
    const ns = t.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
    return `${base}${ns}/${t.plural}${name ? `/${encodeURIComponent(name)}` : ''}${subresource ? `/${subresource}` : ''}`;
  }

  get(namespace: string | undefined, name: string): Promise<T> {
    return this.conn.request<T>({ method: 'GET', path: this.path(namespace, name) });
  }

  /** Like get, but undefined when the object does not exist. */
  async find(namespace: string | undefined, name: string): Promise<T | undefined> {
    try {
      return await this.get(namespace, name);
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  list(namespace?: string, opts: ListOptions = {}): Promise<ObjectList<T>> {
    return this.conn.request({ method: 'GET', path: this.path(namespace), query: { ...opts } });
  }

  create(obj: T, opts: WriteOptions = {}): Promise<T> {
    return this.conn.request<T>({
      method: 'POST', path: this.path(obj.metadata.namespace), body: this.withTypeMeta(obj), query: writeQuery(opts),
    });
  }

  /** PUT of the whole object; fails with 409 when metadata.resourceVersion is stale. */
  replace(obj: T, opts: WriteOptions = {}): Promise<T> {
    return this.conn.request<T>({
      method: 'PUT', path: this.path(obj.metadata.namespace, obj.metadata.name), body: this.withTypeMeta(obj), query: writeQuery(opts),
    });
  }

  /** `uid` and `resourceVersion` are preconditions: the apiserver answers 409 Conflict if the object is not that one. */
  delete(namespace: string | undefined, name: string, opts: { uid?: string; resourceVersion?: string; propagationPolicy?: string } = {}): Promise<unknown> {
    const preconditions = opts.uid || opts.resourceVersion ? { uid: opts.uid, resourceVersion: opts.resourceVersion } : undefined;
    return this.conn.request({
      method: 'DELETE', path: this.path(namespace, name),
      body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: opts.propagationPolicy ?? 'Background', preconditions },
    });
  }

  /**
   * JSON merge patch. Put `metadata.resourceVersion` in the patch to make it conditional: the apiserver then
   * answers 409 Conflict if the object changed since that version (optimistic concurrency).
   */
  patch(namespace: string | undefined, name: string, patch: unknown, opts: WriteOptions & { subresource?: 'status' } = {}): Promise<T> {
    return this.conn.request<T>({
      method: 'PATCH', path: this.path(namespace, name, opts.subresource), body: patch,
      contentType: 'application/merge-patch+json', query: writeQuery(opts),
    });
  }

  /** Merge patch of the status subresource, conditional on `resourceVersion` when given. */
  patchStatus(namespace: string | undefined, name: string, status: unknown, resourceVersion?: string, opts: WriteOptions = {}): Promise<T> {
    const body = resourceVersion ? { metadata: { resourceVersion }, status } : { status };
    return this.patch(namespace, name, body, { ...opts, subresource: 'status' });
  }

  /** Server-side apply: we own exactly the fields we send, under `fieldManager`. */
  apply(obj: T, opts: { fieldManager: string; force?: boolean; dryRun?: boolean; subresource?: 'status' }): Promise<T> {
    return this.conn.request<T>({
      method: 'PATCH', path: this.path(obj.metadata.namespace, obj.metadata.name, opts.subresource),
      body: this.withTypeMeta(obj), contentType: 'application/apply-patch+yaml',
      query: { fieldManager: opts.fieldManager, force: opts.force ?? true, dryRun: opts.dryRun ? 'All' : undefined },
    });
  }

  private withTypeMeta(obj: T): T {
    return { ...obj, apiVersion: apiVersionOf(this.type), kind: this.type.kind };
  }
}

function writeQuery(opts: WriteOptions): Record<string, string | undefined> {
  return { dryRun: opts.dryRun ? 'All' : undefined, fieldManager: opts.fieldManager, fieldValidation: 'Strict' };
}
