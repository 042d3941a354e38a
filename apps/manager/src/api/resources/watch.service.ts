// Opens watches over Server-Sent Events (`?watch=true` on a list, and GET /api/v1/events for every kind a console
// page shows, one connection per browser tab), fed by the informers through the change ring, authorised per request
// and again at every heartbeat, and filtered per change.
import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Logger } from '@keelson/observability';
import { LOGGER } from '../../tokens';
import { ApiAuthError } from '../auth';
import { problemOf } from '../problem/problem-mapping';
import type { CallerAccess } from './caller-access';
import type { ResourceChange } from './event-ring';
import type { LabelSelector } from './label-selector';
import type { ListFilters } from './list-query';
import { present } from './present';
import { ResourceCache } from './resource-cache.service';
import { resourceByPlural, type ResourceDef } from './resource-kinds';
import { SseStream } from './sse-stream';
import { selectChange } from './watch-filter';
import { WatchEnd, WatchSession } from './watch-session';

export interface WatchRequest {
  resources: readonly ResourceDef[];
  /** One namespace, or every namespace the caller may watch each kind in. */
  namespace?: string;
  selector?: LabelSelector;
  filters: ListFilters;
  /** `?resourceVersion=`, used when there is no Last-Event-ID. */
  resourceVersion?: string;
  /** Kinds granted at cluster scope (cross-namespace watches); the others are asked about per namespace. */
  clusterWide: ReadonlySet<string>;
  /** Kinds the caller asked for but may not watch: named in the SUBSCRIBED event. */
  omitted?: readonly string[];
  /** What else the stream carries (a followed step log), started after SUBSCRIBED and ended with the stream. */
  companion?: WatchCompanion;
}

export interface WatchCompanion {
  /** Run at every heartbeat with the watch's own checks: throws (ApiAuthError) when its access is gone. */
  recheck(): Promise<void>;
  /** Writes to the stream until its own end or the stream's; a throw ends the stream (the client resumes). */
  run(stream: SseStream): Promise<void>;
}

@Injectable()
export class WatchService implements OnModuleDestroy {
  private readonly sessions = new Set<WatchSession>();
  private readonly serialized = new WeakMap<ResourceChange, string>();
  private readonly logger: Logger;

  constructor(private readonly cache: ResourceCache, @Inject(LOGGER) logger: Logger) {
    this.logger = logger.child({ component: 'api-watch' });
  }

  start(req: Request, res: Response, w: WatchRequest, access: CallerAccess): void {
    const watched = this.cache.watchedNamespace;
    if (watched !== undefined && w.namespace !== watched) {
      // Its informers see nothing else: a stream here would stay silent, which a client could not tell from calm.
      throw problemOf(503, `this manager watches namespace "${watched}" only (WATCH_NAMESPACE); ask one that watches ${w.namespace ? `"${w.namespace}"` : 'every namespace'}`, { code: 'NamespaceNotWatched' });
    }
    const o = this.cache.options;
    const perNamespace = new Map<string, boolean | Promise<boolean>>();
    const mayWatch = (change: ResourceChange): boolean | Promise<boolean> => {
      if (w.namespace !== undefined || w.clusterWide.has(change.resource)) return true;
      const key = `${change.resource}/${change.namespace}`;
      let decision = perNamespace.get(key);
      if (decision === undefined) {
        decision = access.may('watch', change.resource, change.namespace).then((allowed) => {
          perNamespace.set(key, allowed);
          return allowed;
        });
        perNamespace.set(key, decision);
      }
      return decision;
    };
    const recheck = async () => {
      perNamespace.clear();
      try {
        for (const def of w.resources) {
          if (w.namespace !== undefined) await access.require('watch', def.plural, w.namespace);
          else if (w.clusterWide.has(def.plural)) await access.require('watch', def.plural);
        }
        await w.companion?.recheck();
      } catch (err) {
        throw toWatchEnd(err);
      }
    };
    const scope = { resources: new Set(w.resources.map((r) => r.plural)), namespace: w.namespace, selector: w.selector, filters: w.filters };
    const stream = new SseStream(res);
    const session = new WatchSession({
      ring: this.cache.ring,
      stream,
      resumeFrom: lastEventId(req) ?? w.resourceVersion,
      select: (change) => selectChange(scope, change),
      authorize: mayWatch,
      recheck,
      present: (change) => this.json(change),
      subscribed: {
        ...(w.namespace !== undefined && { namespace: w.namespace }),
        resources: w.resources.map((r) => r.plural),
        ...(w.omitted?.length && { omittedResources: w.omitted }),
      },
      heartbeatMs: o.heartbeatMs,
      maxPending: o.maxPendingChanges,
      maxBufferedBytes: o.maxBufferedBytes,
      onEnd: (reason) => {
        this.sessions.delete(session);
        this.logger.debug({ reason, namespace: w.namespace, resources: w.resources.map((r) => r.plural) }, 'watch ended');
      },
    });
    this.sessions.add(session);
    session.start();
    w.companion?.run(stream).catch((err: unknown) => {
      this.logger.warn({ err: (err as Error).message, namespace: w.namespace }, 'what the watch carries besides changes failed; the stream ends');
      session.end(new WatchEnd(503, 'ServiceUnavailable', 'the stream cannot go on; reconnect to resume'));
    });
  }

  /** Ends every stream, so the server can close (an open SSE response would hold it); clients resume elsewhere. */
  onModuleDestroy(): void {
    for (const session of [...this.sessions]) session.end(new WatchEnd(503, 'ServiceUnavailable', 'the manager is shutting down; reconnect to resume'));
  }

  /** Serialised once per change, however many watches send it. */
  private json(change: ResourceChange): string {
    let text = this.serialized.get(change);
    if (text === undefined) {
      text = JSON.stringify(present(resourceByPlural(change.resource)!, change.object));
      this.serialized.set(change, text);
    }
    return text;
  }
}

function lastEventId(req: Request): string | undefined {
  const id = req.headers['last-event-id'];
  return typeof id === 'string' && id.trim() ? id.trim() : undefined;
}

function toWatchEnd(err: unknown): WatchEnd {
  if (err instanceof ApiAuthError) {
    if (err.code === 'Forbidden') return new WatchEnd(403, 'Forbidden', err.message);
    if (err.code === 'InvalidToken' || err.code === 'MissingCredentials') return new WatchEnd(401, 'Unauthorized', err.message);
  }
  return new WatchEnd(503, 'ServiceUnavailable', 'access cannot be checked now; reconnect to resume');
}
