// What the REST API reads from the manager's informers: the ring of recent changes that feeds every watch, and the
// newest-first index of executions that serves their lists, summaries and counts. Both are fed by the same informer
// handlers, so at any moment they agree with each other and with the informers' caches.
import { Inject, Injectable, OnApplicationBootstrap, Optional } from '@nestjs/common';
import type { ManagerConfig } from '@keelson/config';
import type { Informer, KubeObject } from '@keelson/kube';
import { CONFIG } from '../../tokens';
import { InformersService } from '../../kube/informers.service';
import { EventRing } from './event-ring';
import { ExecutionIndex } from './execution-index';
import { EXECUTIONS, RESOURCES, type ResourceDef } from './resource-kinds';

export interface ResourceApiOptions {
  /** Changes kept for resumes (default 2048). */
  ringCapacity?: number;
  /** SSE heartbeat and access re-check (default WATCH_HEARTBEAT_SECONDS). */
  heartbeatMs?: number;
  /** Changes a watch may fall behind before it is disconnected (default 1000). */
  maxPendingChanges?: number;
  /** Bytes a watch's socket may hold unsent before it is disconnected (default 4 MiB). */
  maxBufferedBytes?: number;
}

export const RESOURCE_API_OPTIONS = Symbol('ResourceApiOptions');

@Injectable()
export class ResourceCache implements OnApplicationBootstrap {
  readonly ring: EventRing;
  readonly executions: ExecutionIndex;
  readonly options: Required<ResourceApiOptions>;

  constructor(
    private readonly informers: InformersService,
    @Inject(CONFIG) private readonly config: ManagerConfig,
    @Optional() @Inject(RESOURCE_API_OPTIONS) options: ResourceApiOptions = {},
  ) {
    this.options = { ringCapacity: 2048, heartbeatMs: config.watchHeartbeatSeconds * 1000, maxPendingChanges: 1000, maxBufferedBytes: 4 << 20, ...options };
    this.ring = new EventRing(this.options.ringCapacity);
    this.executions = new ExecutionIndex((key) => this.informerOf(EXECUTIONS)?.get(key));
  }

  /** After every module's init, so the informers exist; they have not listed yet, or have listed completely. */
  onApplicationBootstrap(): void {
    for (const def of RESOURCES) {
      const informer = this.informerOf(def);
      if (!informer) continue;
      this.attach(def, informer);
    }
  }

  informerOf(def: ResourceDef): Informer<KubeObject> | undefined {
    return this.informers.informers.get(def.kind);
  }

  /** Whether the informer of `def` has listed and watches `namespace` (every namespace when undefined). */
  serves(def: ResourceDef, namespace?: string): boolean {
    const watched = this.config.watchNamespace;
    if (watched !== undefined && namespace !== watched) return false;
    return this.informerOf(def)?.hasSynced ?? false;
  }

  /** The one namespace the informers watch (WATCH_NAMESPACE), if they do not watch all. */
  get watchedNamespace(): string | undefined {
    return this.config.watchNamespace;
  }

  /** Namespaces that hold at least one object of `def`, sorted. */
  namespacesOf(def: ResourceDef): string[] {
    if (def === EXECUTIONS) return this.executions.namespaces();
    const set = new Set<string>();
    for (const obj of this.informerOf(def)?.list() ?? []) set.add(obj.metadata.namespace ?? '');
    return [...set].sort();
  }

  private attach(def: ResourceDef, informer: Informer<KubeObject>): void {
    const isExecutions = def === EXECUTIONS;
    const change = (type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: KubeObject, oldLabels?: Record<string, string>) => this.ring.push({
      id: obj.metadata.resourceVersion ?? '', type, resource: def.plural, namespace: obj.metadata.namespace ?? '', name: obj.metadata.name ?? '',
      object: obj, ...(type === 'MODIFIED' && { oldLabels: oldLabels ?? {} }),
    });
    if (isExecutions) for (const obj of informer.list()) this.executions.upsert(obj, true);
    if (informer.hasSynced && informer.lastResourceVersion) this.ring.reset(informer.lastResourceVersion);
    informer.addHandlers({
      onAdd: (obj) => {
        // The first list arrives as a burst of adds: the index sorts them once, when first read.
        if (isExecutions) this.executions.upsert(obj, !informer.hasSynced);
        change('ADDED', obj);
      },
      onUpdate: (old, obj) => {
        if (isExecutions) this.executions.upsert(obj);
        change('MODIFIED', obj, old.metadata.labels);
      },
      onDelete: (old, deleted) => {
        if (isExecutions) this.executions.remove(old);
        // The watch's DELETED carries the deletion's resourceVersion; after a relist only the last copy is known.
        change('DELETED', deleted ?? old);
      },
      onRelisted: (resourceVersion) => this.ring.reset(resourceVersion),
    });
  }
}
